#include "mailio/mbox_metadata.h"

#include "gtest/gtest.h"

namespace mailroom::mailio {
namespace {

TEST(MboxMetadata, ExtractsAndRemovesBookkeeping) {
  std::string message =
      "From: a@example.com\r\n"
      "Status: RO\r\n"
      "X-Status: AFT\r\n"
      "X-Keywords: $Label1, work\r\n"
      "\tlater\r\n"
      "X-UID: 17\r\n"
      "X-IMAPbase: 1234 40 $Label1 work\r\n"
      "Content-Length: 5\r\n"
      "Subject: hi\r\n"
      "\r\n"
      "Status: body lines stay\r\n";
  MboxMetadata m = ExtractMboxMetadata(&message);
  EXPECT_EQ(message,
            "From: a@example.com\r\nSubject: hi\r\n\r\n"
            "Status: body lines stay\r\n");
  EXPECT_EQ(m.flags.system,
            store::kSeen | store::kAnswered | store::kFlagged | store::kDraft);
  EXPECT_EQ(m.flags.keywords,
            (std::vector<std::string>{"$Label1", "later", "work"}));
  EXPECT_EQ(m.uid, 17u);
  EXPECT_EQ(m.uidvalidity, 1234u);
  EXPECT_EQ(m.next_uid, 40u);
  EXPECT_FALSE(m.pseudo);
}

TEST(MboxMetadata, WithoutBookkeepingNothingChanges) {
  std::string message = "Subject: x\r\n\r\nbody\r\n";
  MboxMetadata m = ExtractMboxMetadata(&message);
  EXPECT_EQ(message, "Subject: x\r\n\r\nbody\r\n");
  EXPECT_EQ(m.flags.system, 0u);
  EXPECT_FALSE(m.uid.has_value());
  std::string empty;
  ExtractMboxMetadata(&empty);
  EXPECT_EQ(empty, "");
}

TEST(MboxMetadata, MalformedValuesAreDroppedNotFatal) {
  std::string message =
      "X-UID: twelve\r\nX-IMAPbase: x\r\nStatus: O\r\nX-IMAP: 5 6\r\n\r\n";
  MboxMetadata m = ExtractMboxMetadata(&message);
  EXPECT_EQ(message, "\r\n");
  EXPECT_FALSE(m.uid.has_value());
  EXPECT_EQ(m.uidvalidity, 5u);  // from X-IMAP
  EXPECT_TRUE(m.pseudo);
  EXPECT_EQ(m.flags.system, 0u);
}

TEST(MboxMetadata, FormatReadsBack) {
  store::Flags flags{store::kSeen | store::kDeleted, {"a", "b"}};
  const std::string headers = FormatMboxMetadata(flags, 9, 77u, 12);
  EXPECT_EQ(headers,
            "X-IMAPbase: 77 12\nStatus: RO\nX-Status: D\nX-Keywords: a b\n"
            "X-UID: 9\n");
  std::string message;
  for (char c : headers) {
    if (c == '\n') message.push_back('\r');
    message.push_back(c);
  }
  message += "\r\n";
  MboxMetadata m = ExtractMboxMetadata(&message);
  EXPECT_EQ(m.flags, flags);
  EXPECT_EQ(m.uid, 9u);
  EXPECT_EQ(m.uidvalidity, 77u);
  EXPECT_EQ(m.next_uid, 12u);
  EXPECT_EQ(FormatMboxMetadata({}, 1, std::nullopt, 0),
            "Status: O\nX-UID: 1\n");
}

// Words that are no IMAP keyword are dropped, as they could not be sent in
// a FLAGS response.
TEST(MboxMetadata, DropsKeywordsThatAreNoAtoms) {
  std::string message =
      "X-Keywords: ok (bad) \"q\" a\\b caf\xc3\xa9 \x01x, fine\r\n"
      "\r\nbody\r\n";
  MboxMetadata m = ExtractMboxMetadata(&message);
  EXPECT_EQ(m.flags.keywords, (std::vector<std::string>{"fine", "ok"}));
}

}  // namespace
}  // namespace mailroom::mailio
