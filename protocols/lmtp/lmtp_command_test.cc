#include "protocols/lmtp/lmtp_command.h"

#include "gtest/gtest.h"

namespace mailroom::lmtp {
namespace {

TEST(LmtpCommandTest, VerbAndRest) {
  Command command = ParseCommand("mail FROM:<a@b>");
  EXPECT_EQ(command.verb, "MAIL");
  EXPECT_EQ(command.rest, "FROM:<a@b>");
}

TEST(LmtpCommandTest, PathWithParameters) {
  auto path = ParsePathArgument("FROM:<a@b.example> SIZE=100 body=8bitmime",
                                "FROM");
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(path->address, "a@b.example");
  ASSERT_EQ(path->params.size(), 2u);
  EXPECT_EQ(path->params[0].first, "SIZE");
  EXPECT_EQ(path->params[0].second, "100");
  EXPECT_EQ(path->params[1].first, "BODY");
  EXPECT_EQ(path->params[1].second, "8bitmime");
}

TEST(LmtpCommandTest, NullPathAndLenientSpacing) {
  auto path = ParsePathArgument("from: <>", "FROM");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path->address, "");
  EXPECT_TRUE(path->params.empty());
}

TEST(LmtpCommandTest, QuotedLocalPartMayHoldSpecials) {
  auto path = ParsePathArgument("TO:<\"a >b\"@x>", "TO");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path->address, "\"a >b\"@x");
}

TEST(LmtpCommandTest, SourceRouteIsDropped) {
  auto path = ParsePathArgument("TO:<@relay,@other:u@x>", "TO");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path->address, "u@x");
}

TEST(LmtpCommandTest, BarePathTolerated) {
  auto path = ParsePathArgument("TO:u@x", "TO");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path->address, "u@x");
}

TEST(LmtpCommandTest, PathSyntaxErrors) {
  EXPECT_FALSE(ParsePathArgument("TO:<u@x", "TO").ok());
  EXPECT_FALSE(ParsePathArgument("FROM:<u@x>", "TO").ok());
  EXPECT_FALSE(ParsePathArgument("TO <u@x>", "TO").ok());
  EXPECT_FALSE(ParsePathArgument("TO:<u@x>junk", "TO").ok());
  EXPECT_FALSE(ParsePathArgument("TO:<u x@x>", "TO").ok());
  EXPECT_FALSE(ParsePathArgument("TO:", "TO").ok());
}

TEST(LmtpCommandTest, MailParams) {
  auto params = ParseMailParams(
      {{"SIZE", "1234"}, {"BODY", "BINARYMIME"}, {"SMTPUTF8", ""}});
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(params->size, 1234u);
  EXPECT_EQ(params->body, BodyType::kBinaryMime);
  EXPECT_TRUE(params->smtputf8);
  EXPECT_EQ(ParseMailParams({{"BODY", "7bit"}})->body, BodyType::k7Bit);
  EXPECT_EQ(ParseMailParams({{"BODY", "8BITMIME"}})->body,
            BodyType::k8BitMime);
}

TEST(LmtpCommandTest, BadMailParams) {
  EXPECT_EQ(ParseMailParams({{"SIZE", "x"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseMailParams({{"SIZE", ""}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseMailParams({{"BODY", "9BIT"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseMailParams({{"SMTPUTF8", "yes"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseMailParams({{"RET", "FULL"}}).status().code(),
            absl::StatusCode::kUnimplemented);
}

TEST(LmtpCommandTest, SplitRecipient) {
  auto r = SplitRecipient("John+Sales@Example.COM");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->user, "john");
  EXPECT_EQ(r->detail, "Sales");
  EXPECT_EQ(r->domain, "example.com");

  r = SplitRecipient("\"a\\\"b\"@x");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->user, "a\"b");

  r = SplitRecipient("postmaster");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->user, "postmaster");
  EXPECT_EQ(r->domain, "");

  r = SplitRecipient("a+b+c@x");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->detail, "b+c");

  EXPECT_FALSE(SplitRecipient("@x").ok());
  EXPECT_FALSE(SplitRecipient("+d@x").ok());
  EXPECT_FALSE(SplitRecipient("u@").ok());
  EXPECT_FALSE(SplitRecipient("a\"b@x").ok());
}

TEST(LmtpCommandTest, LocalDomains) {
  EXPECT_TRUE(IsLocalDomain("Example.com", {"localhost", "example.COM"}));
  EXPECT_TRUE(IsLocalDomain("", {"localhost"}));
  EXPECT_FALSE(IsLocalDomain("other.org", {"localhost", "example.com"}));
}

TEST(LmtpCommandTest, Ascii) {
  EXPECT_TRUE(IsAscii("plain@x"));
  EXPECT_FALSE(IsAscii("j\xc3\xb6rg@x"));
}

}  // namespace
}  // namespace mailroom::lmtp
