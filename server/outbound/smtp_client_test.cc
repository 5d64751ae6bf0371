#include "server/outbound/smtp_client.h"

#include "gtest/gtest.h"

namespace mailroom::server::outbound {
namespace {

TEST(DotStuffTest, DoublesLeadingDotsAndEndsWithTerminator) {
  EXPECT_EQ(DotStuff("a\r\n.b\r\n..c\r\nd.e\r\n"),
            "a\r\n..b\r\n...c\r\nd.e\r\n.\r\n");
  // A lone "." line would end the data early.
  EXPECT_EQ(DotStuff("x\r\n.\r\ny\r\n"), "x\r\n..\r\ny\r\n.\r\n");
}

TEST(DotStuffTest, NormalisesLineEnds) {
  EXPECT_EQ(DotStuff("a\nb\rc"), "a\r\nb\r\nc\r\n.\r\n");
  EXPECT_EQ(DotStuff(".first"), "..first\r\n.\r\n");
  EXPECT_EQ(DotStuff(""), ".\r\n");
}

TEST(RelayAddressTest, Parses) {
  auto r = ParseRelayAddress("mail.example:587");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->host, "mail.example");
  EXPECT_EQ(r->port, 587);
  r = ParseRelayAddress("[::1]:2525");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->host, "::1");
  EXPECT_EQ(r->port, 2525);
  r = ParseRelayAddress("relay");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->port, 25);
  EXPECT_FALSE(ParseRelayAddress("relay:0").ok());
  EXPECT_FALSE(ParseRelayAddress(":25").ok());
  EXPECT_FALSE(ParseRelayAddress("relay:x").ok());
}

TEST(SmtpTlsTest, Parses) {
  EXPECT_EQ(ParseSmtpTls("verify").value(), SmtpTls::kVerify);
  EXPECT_EQ(ParseSmtpTls("none").value(), SmtpTls::kNone);
  EXPECT_FALSE(ParseSmtpTls("yes").ok());
}

TEST(SendTest, UnusableAddressesAreRefusedForGood) {
  store::OutboundMessage m;
  m.envelope_from = "a@b";
  m.recipients = {"x@y>\r\nRCPT TO:<z@w"};
  m.data = "x\r\n";
  SmtpRelay relay;
  relay.host = "127.0.0.1";
  relay.port = 1;
  EXPECT_EQ(SendViaSmtp(relay, m).kind, SmtpOutcome::kPermanent);
  m.recipients = {"ok@example"};
  // Nothing listens on port 1: temporary.
  EXPECT_EQ(SendViaSmtp(relay, m).kind, SmtpOutcome::kTemporary);
}

}  // namespace
}  // namespace mailroom::server::outbound
