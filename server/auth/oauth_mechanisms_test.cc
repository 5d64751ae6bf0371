#include "server/auth/oauth_mechanisms.h"

#include "gtest/gtest.h"

namespace mailroom::server::auth {
namespace {

TEST(OAuthBearerMessageTest, ParsesRfc7628Messages) {
  // RFC 7628 §4.1's example, with authzid and host/port pairs.
  absl::StatusOr<OAuthClientMessage> m = ParseOAuthBearerMessage(
      "n,a=user@example.com,\x01host=server.example.com\x01port=143\x01"
      "auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->authzid, "user@example.com");
  EXPECT_EQ(m->token, "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==");

  m = ParseOAuthBearerMessage("y,,\x01" "auth=bearer  a.b.c\x01\x01");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->authzid, "");
  EXPECT_EQ(m->token, "a.b.c");

  m = ParseOAuthBearerMessage("n,a=we=2Cird=3Dname,\x01" "auth=Bearer t\x01\x01");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->authzid, "we,ird=name");
}

TEST(OAuthBearerMessageTest, RefusesWhatTheGrammarDoesNot) {
  for (const char* bad : {
           "",
           "\x01",                                         // the error dummy
           "p=tls-unique,,\x01" "auth=Bearer t\x01\x01",   // channel binding
           "x,,\x01" "auth=Bearer t\x01\x01",
           "n,a=,\x01" "auth=Bearer t\x01\x01",
           "n,b=me,\x01" "auth=Bearer t\x01\x01",
           "n,a=bad=2X,\x01" "auth=Bearer t\x01\x01",
           "n,,auth=Bearer t\x01\x01",                     // no kvsep
           "n,,\x01" "auth=Bearer t\x01",                  // no final kvsep
           "n,,\x01" "auth=Bearer t\x01\x01junk",
           "n,,\x01\x01",                                  // no auth
           "n,,\x01" "auth=Basic dXNlcjpwdw==\x01\x01",
           "n,,\x01" "auth=Bearer\x01\x01",
           "n,,\x01" "auth=Bearer a b\x01\x01",
           "n,,\x01" "auth=Bearer t=x\x01\x01",
           "n,,\x01" "host=a\x01" "auth=Bearer t\x01" "auth=Bearer u\x01\x01",
           "n,,\x01" "h0st=a\x01" "auth=Bearer t\x01\x01",
           "n,,\x01" "=a\x01" "auth=Bearer t\x01\x01",
       }) {
    EXPECT_FALSE(ParseOAuthBearerMessage(bad).ok())
        << "accepted: " << std::string(bad);
  }
}

TEST(XOAuth2MessageTest, ParsesAndRefuses) {
  absl::StatusOr<OAuthClientMessage> m =
      ParseXOAuth2Message("user=someone@example.com\x01"
                          "auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg\x01\x01");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->authzid, "someone@example.com");
  EXPECT_EQ(m->token, "ya29.vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg");

  EXPECT_FALSE(ParseXOAuth2Message("").ok());
  EXPECT_FALSE(ParseXOAuth2Message("user=a\x01\x01").ok());
  EXPECT_FALSE(ParseXOAuth2Message("user=a\x01" "auth=Bearer t\x01").ok());
  EXPECT_FALSE(ParseXOAuth2Message("user=a auth=Bearer t").ok());
}

}  // namespace
}  // namespace mailroom::server::auth
