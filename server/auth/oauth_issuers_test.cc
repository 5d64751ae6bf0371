#include "server/auth/oauth_issuers.h"

#include <filesystem>
#include <fstream>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "server/auth/jwt_test_keys.h"

namespace mailroom::server::auth {
namespace {

using nlohmann::json;
using testing::TestSigner;

namespace fs = std::filesystem;

class OAuthIssuersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/oauth_issuers_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_ + "/oauth.d");
    Write("oauth.d/corp.jwks", corp_.JwksText());
    Write("oauth.d/partner.jwks", partner_.JwksText());
    Write("oauth.d/corp.conf",
          "# the company's identity provider\n"
          "issuer = https://login.corp.example\n"
          "audience = mail\n"
          "jwks = corp.jwks\n"
          "strip_domains = corp.example, Corp.Example.Org\n"
          "scope = openid email\n"
          "openid_configuration = "
          "https://login.corp.example/.well-known/openid-configuration\n");
    Write("oauth.d/partner.conf",
          "issuer = https://partner.example\n"
          "audience = mailroom\n"
          "jwks = " + dir_ + "/oauth.d/partner.jwks\n"
          "user_claim = preferred_username\n");
    Write("oauth.d/README", "not an issuer file\n");
  }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name) << text;
  }

  json Claims(const std::string& iss, const std::string& aud) const {
    const int64_t now = absl::ToUnixSeconds(absl::Now());
    return {{"iss", iss}, {"aud", aud}, {"exp", now + 600}, {"iat", now}};
  }

  std::string dir_;
  TestSigner corp_ = TestSigner::Rsa("corp-1");
  TestSigner partner_ = TestSigner::EcP256("p-1");
};

TEST_F(OAuthIssuersTest, DirectoryOfIssuersMapsClaimsToAccounts) {
  absl::StatusOr<std::unique_ptr<OAuthIssuers>> issuers =
      OAuthIssuers::Load(dir_ + "/oauth.d", {});
  ASSERT_TRUE(issuers.ok()) << issuers.status();
  EXPECT_EQ((*issuers)->size(), 2u);

  json claims = Claims("https://login.corp.example", "mail");
  claims["email"] = "Alice@Corp.Example";
  EXPECT_EQ(*(*issuers)->Verify(corp_.Token(claims)), "alice");
  claims["email"] = "bob@corp.example.org";
  EXPECT_EQ(*(*issuers)->Verify(corp_.Token(claims)), "bob");
  // A domain not listed stays part of the name.
  claims["email"] = "carol@elsewhere.example";
  EXPECT_EQ(*(*issuers)->Verify(corp_.Token(claims)), "carol@elsewhere.example");
  EXPECT_EQ((*issuers)->ClaimedAccount(corp_.Token(claims)),
            "carol@elsewhere.example");
  claims.erase("email");
  EXPECT_EQ((*issuers)->Verify(corp_.Token(claims)).status().message(),
            "token has no string claim \"email\"");

  json partner = Claims("https://partner.example", "mailroom");
  partner["preferred_username"] = "dave";
  partner["email"] = "ignored@corp.example";
  EXPECT_EQ(*(*issuers)->Verify(partner_.Token(partner)), "dave");

  // Each issuer only with its own keys.
  EXPECT_FALSE((*issuers)->Verify(corp_.Token(partner)).ok());
  // Audience is per issuer.
  json wrong_aud = Claims("https://partner.example", "mail");
  wrong_aud["preferred_username"] = "dave";
  EXPECT_FALSE((*issuers)->Verify(partner_.Token(wrong_aud)).ok());

  json stranger = Claims("https://stranger.example", "mail");
  stranger["email"] = "alice@corp.example";
  EXPECT_EQ((*issuers)->Verify(corp_.Token(stranger)).status().message(),
            "unknown issuer");
  EXPECT_EQ((*issuers)->ClaimedAccount(corp_.Token(stranger)), "");
  EXPECT_EQ((*issuers)->ClaimedAccount("garbage"), "");

  EXPECT_EQ((*issuers)->AccountForName(corp_.Token(claims), "Bob@Corp.Example"),
            "bob");
  EXPECT_EQ((*issuers)->AccountForName(partner_.Token(partner),
                                       "bob@corp.example"),
            "bob@corp.example");  // the partner strips no domain
  EXPECT_EQ((*issuers)->IssuerFor(partner_.Token(partner)).issuer,
            "https://partner.example");
  EXPECT_EQ((*issuers)->IssuerFor("garbage").scope, "openid email");
}

TEST_F(OAuthIssuersTest, SingleFile) {
  absl::StatusOr<std::unique_ptr<OAuthIssuers>> issuers =
      OAuthIssuers::Load(dir_ + "/oauth.d/partner.conf", {});
  ASSERT_TRUE(issuers.ok()) << issuers.status();
  EXPECT_EQ((*issuers)->size(), 1u);
}

TEST_F(OAuthIssuersTest, ConfigurationErrorsAreReported) {
  auto load_error = [&](const std::string& text) {
    Write("bad.conf", text);
    absl::StatusOr<std::unique_ptr<OAuthIssuers>> issuers =
        OAuthIssuers::Load(dir_ + "/bad.conf", {});
    EXPECT_FALSE(issuers.ok());
    return std::string(issuers.status().message());
  };
  EXPECT_NE(load_error("issuer = a\naudience = b\njwks = oauth.d/corp.jwks\n"
                       "user = email\n")
                .find("unknown key 'user'"),
            std::string::npos);
  EXPECT_NE(load_error("audience = b\njwks = oauth.d/corp.jwks\n")
                .find("'issuer' is missing"),
            std::string::npos);
  EXPECT_NE(load_error("issuer = a\naudience = b\njwks = missing.jwks\n")
                .find("missing.jwks"),
            std::string::npos);
  EXPECT_NE(load_error("issuer = a\naudience = b\njwks = oauth.d/corp.jwks\n"
                       "user_claim =\n")
                .find("'user_claim' is missing"),
            std::string::npos);

  fs::create_directories(dir_ + "/empty.d");
  EXPECT_FALSE(OAuthIssuers::Load(dir_ + "/empty.d", {}).ok());
  EXPECT_FALSE(OAuthIssuers::Load(dir_ + "/nothing-here", {}).ok());

  // The same issuer twice.
  Write("oauth.d/corp-again.conf",
        "issuer = https://login.corp.example\naudience = x\njwks = corp.jwks\n");
  absl::StatusOr<std::unique_ptr<OAuthIssuers>> twice =
      OAuthIssuers::Load(dir_ + "/oauth.d", {});
  EXPECT_FALSE(twice.ok());
}

TEST_F(OAuthIssuersTest, TokenSizeLimitApplies) {
  OAuthSettings settings;
  settings.max_token_bytes = 300;
  absl::StatusOr<std::unique_ptr<OAuthIssuers>> issuers =
      OAuthIssuers::Load(dir_ + "/oauth.d/corp.conf", settings);
  ASSERT_TRUE(issuers.ok()) << issuers.status();
  json claims = Claims("https://login.corp.example", "mail");
  claims["email"] = "alice@corp.example";
  const std::string token = corp_.Token(claims);
  ASSERT_GT(token.size(), 300u);  // an RS256 signature alone is 342 chars
  EXPECT_EQ((*issuers)->Verify(token).status().message(),
            "token longer than 300 bytes");
}

}  // namespace
}  // namespace mailroom::server::auth
