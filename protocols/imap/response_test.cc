#include "protocols/imap/response.h"

#include "gtest/gtest.h"

namespace mailroom::imap {
namespace {

TEST(ResponseTest, Strings) {
  EXPECT_EQ(QuoteString("a b"), "\"a b\"");
  EXPECT_EQ(QuoteString("say \"hi\" \\"), "\"say \\\"hi\\\" \\\\\"");
  EXPECT_EQ(QuoteString("two\r\nlines"), "{10}\r\ntwo\r\nlines");
  EXPECT_EQ(QuoteString("caf\xc3\xa9"), "{5}\r\ncaf\xc3\xa9");
  EXPECT_EQ(QuoteString("caf\xc3\xa9", true), "\"caf\xc3\xa9\"");
  EXPECT_EQ(AStringOf("INBOX"), "INBOX");
  EXPECT_EQ(AStringOf("Sent Items"), "\"Sent Items\"");
  EXPECT_EQ(AStringOf("nil"), "\"nil\"");
  EXPECT_EQ(AStringOf(""), "\"\"");
  EXPECT_EQ(NStringOf(std::nullopt), "NIL");
  EXPECT_EQ(LiteralOf(""), "{0}\r\n");
}

TEST(ResponseTest, FlagLists) {
  store::Flags f;
  EXPECT_EQ(FlagListOf(f), "()");
  f.system = store::kSeen | store::kAnswered;
  f.keywords = {"$Work", "Later"};
  EXPECT_EQ(FlagListOf(f), "(\\Answered \\Seen $Work Later)");
}

TEST(ResponseTest, FlagsFromStrings) {
  auto f = FlagsFromStrings({"\\SEEN", "\\Recent", "b", "a", "B"});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->system, static_cast<uint32_t>(store::kSeen));
  EXPECT_EQ(f->keywords, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(FlagsFromStrings({"\\Bogus"}).ok());
}

TEST(ResponseTest, InternalDateKeepsZone) {
  EXPECT_EQ(InternalDateOf(760686745, -480), "\"07-Feb-1994 21:52:25 -0800\"");
  EXPECT_EQ(InternalDateOf(0, 0), "\"01-Jan-1970 00:00:00 +0000\"");
  EXPECT_EQ(InternalDateOf(0, 330), "\"01-Jan-1970 05:30:00 +0530\"");
}

TEST(ResponseTest, StatusMapping) {
  EXPECT_EQ(ResponseForStatus(absl::NotFoundError("No such mailbox")),
            "NO [NONEXISTENT] No such mailbox");
  EXPECT_EQ(ResponseForStatus(absl::NotFoundError("No such mailbox"),
                              ErrorContext::kTargetMailbox),
            "NO [TRYCREATE] No such mailbox");
  EXPECT_EQ(ResponseForStatus(absl::AlreadyExistsError("exists")),
            "NO [ALREADYEXISTS] exists");
  EXPECT_EQ(ResponseForStatus(absl::PermissionDeniedError("no")),
            "NO [NOPERM] no");
  EXPECT_EQ(ResponseForStatus(absl::ResourceExhaustedError("OVERQUOTA full")),
            "NO [OVERQUOTA] OVERQUOTA full");
  EXPECT_EQ(ResponseForStatus(absl::ResourceExhaustedError("LIMIT too many")),
            "NO [LIMIT] LIMIT too many");
  // A full disk: temporary, and the storage detail stays out of the answer.
  EXPECT_EQ(ResponseForStatus(absl::ResourceExhaustedError(
                "NOSPACE storage: IO error: No space left on device: /d/x")),
            "NO [LIMIT] Server storage is full, try again later");
  EXPECT_EQ(ResponseForStatus(absl::FailedPreconditionError("IN-USE locked")),
            "NO [INUSE] IN-USE locked");
  EXPECT_EQ(ResponseForStatus(absl::InternalError("secret detail")),
            "NO [SERVERBUG] Internal error");
}

}  // namespace
}  // namespace mailroom::imap
