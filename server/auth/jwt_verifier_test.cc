#include "server/auth/jwt_verifier.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <openssl/hmac.h>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "server/auth/jwks.h"
#include "server/auth/jwt_test_keys.h"

namespace mailroom::server::auth {
namespace {

using nlohmann::json;
using testing::Base64UrlEncode;
using testing::TestSigner;

constexpr size_t kMaxBytes = 16384;
const absl::Time kNow = absl::FromUnixSeconds(1800000000);

JwtPolicy Policy() {
  JwtPolicy policy;
  policy.issuer = "https://idp.example";
  policy.audience = "mailroom";
  policy.leeway = absl::Seconds(60);
  return policy;
}

json Claims() {
  return {{"iss", "https://idp.example"},
          {"aud", "mailroom"},
          {"sub", "1234"},
          {"email", "alice@example.com"},
          {"iat", absl::ToUnixSeconds(kNow) - 10},
          {"exp", absl::ToUnixSeconds(kNow) + 300}};
}

Jwks KeysOf(std::initializer_list<const TestSigner*> signers) {
  json set = {{"keys", json::array()}};
  for (const TestSigner* signer : signers) {
    set["keys"].push_back(signer->PublicJwk());
  }
  absl::StatusOr<Jwks> keys = Jwks::Parse(set.dump());
  EXPECT_TRUE(keys.ok()) << keys.status();
  return *std::move(keys);
}

absl::Status Check(const std::string& token, const Jwks& keys,
                   absl::Time now = kNow) {
  absl::StatusOr<DecodedJwt> jwt = DecodeJwt(token, kMaxBytes);
  if (!jwt.ok()) return jwt.status();
  return VerifyJwt(*jwt, keys, Policy(), now);
}

class JwtVerifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new TestSigner(TestSigner::Rsa("rsa-1"));
    ec_ = new TestSigner(TestSigner::EcP256("ec-1"));
  }
  static TestSigner* rsa_;
  static TestSigner* ec_;
};
TestSigner* JwtVerifierTest::rsa_ = nullptr;
TestSigner* JwtVerifierTest::ec_ = nullptr;

TEST_F(JwtVerifierTest, ValidRs256Es256Ps256AndEdDsa) {
  const TestSigner ed = TestSigner::Ed25519("ed-1");
  const Jwks keys = KeysOf({rsa_, ec_, &ed});
  EXPECT_TRUE(Check(rsa_->Token(Claims()), keys).ok());
  EXPECT_TRUE(Check(ec_->Token(Claims()), keys).ok());
  EXPECT_TRUE(Check(ed.Token(Claims()), keys).ok());
  EXPECT_TRUE(
      Check(rsa_->Sign({{"alg", "PS256"}, {"kid", "rsa-1"}}, Claims()), keys)
          .ok());
}

TEST_F(JwtVerifierTest, WrongSignatureIsRefused) {
  const TestSigner impostor = TestSigner::Rsa("rsa-1");  // same kid
  const Jwks keys = KeysOf({rsa_});
  absl::Status status = Check(impostor.Token(Claims()), keys);
  EXPECT_TRUE(absl::IsPermissionDenied(status)) << status;
  EXPECT_EQ(status.message(), "bad signature");

  // A changed payload under the original signature.
  const std::string token = rsa_->Token(Claims());
  json other = Claims();
  other["email"] = "mallory@example.com";
  const size_t dot1 = token.find('.');
  const size_t dot2 = token.find('.', dot1 + 1);
  const std::string spliced = token.substr(0, dot1 + 1) +
                              Base64UrlEncode(other.dump()) +
                              token.substr(dot2);
  EXPECT_EQ(Check(spliced, keys).message(), "bad signature");

  const TestSigner ec_impostor = TestSigner::EcP256("ec-1");
  EXPECT_EQ(Check(ec_impostor.Token(Claims()), KeysOf({ec_})).message(),
            "bad signature");
}

TEST_F(JwtVerifierTest, IssuerAndAudienceMustMatch) {
  const Jwks keys = KeysOf({rsa_});
  json claims = Claims();
  claims["iss"] = "https://evil.example";
  EXPECT_EQ(Check(rsa_->Token(claims), keys).message(), "wrong issuer");
  claims = Claims();
  claims.erase("iss");
  EXPECT_EQ(Check(rsa_->Token(claims), keys).message(), "wrong issuer");
  claims = Claims();
  claims["aud"] = "another-service";
  EXPECT_EQ(Check(rsa_->Token(claims), keys).message(), "wrong audience");
  claims["aud"] = json::array({"another-service", "mailroom"});
  EXPECT_TRUE(Check(rsa_->Token(claims), keys).ok());
  claims["aud"] = json::array({"another-service"});
  EXPECT_EQ(Check(rsa_->Token(claims), keys).message(), "wrong audience");
  claims.erase("aud");
  EXPECT_EQ(Check(rsa_->Token(claims), keys).message(), "wrong audience");
}

TEST_F(JwtVerifierTest, TimesWithLeeway) {
  const Jwks keys = KeysOf({ec_});
  json claims = Claims();
  claims["exp"] = absl::ToUnixSeconds(kNow) - 30;  // within the leeway
  EXPECT_TRUE(Check(ec_->Token(claims), keys).ok());
  claims["exp"] = absl::ToUnixSeconds(kNow) - 61;
  EXPECT_EQ(Check(ec_->Token(claims), keys).message(), "token expired");
  claims.erase("exp");
  EXPECT_EQ(Check(ec_->Token(claims), keys).message(), "token has no \"exp\"");
  claims = Claims();
  claims["exp"] = "tomorrow";
  EXPECT_TRUE(absl::IsPermissionDenied(Check(ec_->Token(claims), keys)));

  claims = Claims();
  claims["nbf"] = absl::ToUnixSeconds(kNow) + 30;
  EXPECT_TRUE(Check(ec_->Token(claims), keys).ok());
  claims["nbf"] = absl::ToUnixSeconds(kNow) + 120;
  EXPECT_EQ(Check(ec_->Token(claims), keys).message(), "token not yet valid");

  claims = Claims();
  claims["iat"] = absl::ToUnixSeconds(kNow) + 120;
  EXPECT_EQ(Check(ec_->Token(claims), keys).message(),
            "token issued in the future");
}

TEST_F(JwtVerifierTest, AlgNoneIsRefused) {
  const Jwks keys = KeysOf({rsa_});
  const std::string unsigned_token =
      Base64UrlEncode(json{{"alg", "none"}, {"kid", "rsa-1"}}.dump()) + "." +
      Base64UrlEncode(Claims().dump()) + ".";
  EXPECT_TRUE(absl::IsInvalidArgument(Check(unsigned_token, keys)));
  // Even with some signature bytes attached.
  EXPECT_EQ(Check(unsigned_token + "AAAA", keys).message(),
            "algorithm \"none\" not accepted");
}

TEST_F(JwtVerifierTest, HmacWithThePublicKeyAsSecretIsRefused) {
  // The classic confusion: HS256 keyed with the published key material.
  const Jwks keys = KeysOf({rsa_});
  const std::string secret = rsa_->PublicJwk().dump();
  const std::string input =
      Base64UrlEncode(json{{"alg", "HS256"}, {"kid", "rsa-1"}}.dump()) + "." +
      Base64UrlEncode(Claims().dump());
  unsigned char mac[32];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
       &mac_len);
  const std::string token =
      input + "." +
      Base64UrlEncode(std::string(reinterpret_cast<char*>(mac), mac_len));
  EXPECT_EQ(Check(token, keys).message(), "algorithm \"HS256\" not accepted");
}

TEST_F(JwtVerifierTest, AlgorithmMustFitTheKeyType) {
  const Jwks keys = KeysOf({rsa_, ec_});
  // An RSA signature presented under the EC key's kid, and the reverse.
  EXPECT_EQ(
      Check(rsa_->Sign({{"alg", "RS256"}, {"kid", "ec-1"}}, Claims()), keys)
          .message(),
      "algorithm RS256 does not fit key \"ec-1\"");
  EXPECT_EQ(
      Check(ec_->Sign({{"alg", "ES256"}, {"kid", "rsa-1"}}, Claims()), keys)
          .message(),
      "algorithm ES256 does not fit key \"rsa-1\"");
  // A key that names its algorithm verifies only that one.
  json jwk = rsa_->PublicJwk();
  jwk["alg"] = "PS256";
  absl::StatusOr<Jwks> pinned = Jwks::Parse(jwk.dump());
  ASSERT_TRUE(pinned.ok()) << pinned.status();
  EXPECT_FALSE(Check(rsa_->Token(Claims()), *pinned).ok());
  EXPECT_TRUE(
      Check(rsa_->Sign({{"alg", "PS256"}, {"kid", "rsa-1"}}, Claims()), *pinned)
          .ok());
}

TEST_F(JwtVerifierTest, KidSelectsTheKey) {
  const Jwks both = KeysOf({rsa_, ec_});
  EXPECT_EQ(
      Check(rsa_->Sign({{"alg", "RS256"}, {"kid", "rsa-9"}}, Claims()), both)
          .message(),
      "no key with kid \"rsa-9\"");
  // Without a kid only a single-key set answers.
  const std::string no_kid = rsa_->Sign({{"alg", "RS256"}}, Claims());
  EXPECT_TRUE(Check(no_kid, KeysOf({rsa_})).ok());
  EXPECT_FALSE(Check(no_kid, both).ok());
  EXPECT_FALSE(
      Check(rsa_->Sign({{"alg", "RS256"}, {"kid", 7}}, Claims()), both).ok());
  EXPECT_EQ(Check(rsa_->Sign({{"alg", "RS256"}, {"kid", "rsa-1"},
                              {"crit", json::array({"exp"})}},
                             Claims()),
                  both)
                .message(),
            "token header has \"crit\" extensions");
}

TEST_F(JwtVerifierTest, MalformedTokens) {
  const Jwks keys = KeysOf({rsa_});
  const std::string good = rsa_->Token(Claims());
  const size_t dot1 = good.find('.');
  const size_t dot2 = good.find('.', dot1 + 1);
  for (const std::string& token : {
           std::string(""),
           std::string("abc"),
           good.substr(0, dot2),                      // two parts
           good + ".AAAA",                            // four parts
           "!!" + good,                               // not base64url
           good.substr(0, dot1) + "==" + good.substr(dot1),  // padding
           Base64UrlEncode("{\"alg\":") + good.substr(dot1),  // bad JSON
           Base64UrlEncode("[1,2]") + good.substr(dot1),      // not object
           good.substr(0, dot1 + 1) + Base64UrlEncode("\"str\"") +
               good.substr(dot2),
           good.substr(0, dot2 + 1) + "@@@",
       }) {
    absl::Status status = Check(token, keys);
    EXPECT_TRUE(absl::IsInvalidArgument(status)) << token << ": " << status;
  }
}

TEST_F(JwtVerifierTest, HugeTokenIsRefusedBeforeDecoding) {
  json claims = Claims();
  claims["padding"] = std::string(kMaxBytes, 'x');
  const std::string token = rsa_->Token(claims);
  absl::StatusOr<DecodedJwt> jwt = DecodeJwt(token, kMaxBytes);
  EXPECT_TRUE(absl::IsInvalidArgument(jwt.status()));
  EXPECT_EQ(jwt.status().message(), "token longer than 16384 bytes");
}

TEST(Base64UrlTest, StrictDecoding) {
  std::string out;
  EXPECT_TRUE(Base64UrlDecode("aGVsbG8", &out));
  EXPECT_EQ(out, "hello");
  EXPECT_TRUE(Base64UrlDecode("-_8", &out));
  EXPECT_EQ(out, "\xfb\xff");
  EXPECT_FALSE(Base64UrlDecode("aGVsbG8=", &out));  // padding
  EXPECT_FALSE(Base64UrlDecode("aGVsbG9", &out));   // non-zero spare bits
  EXPECT_FALSE(Base64UrlDecode("a", &out));         // impossible length
  EXPECT_FALSE(Base64UrlDecode("a+b/", &out));      // plain base64
}

TEST(JwksTest, ParsesSupportedKeysAndSkipsOthers) {
  const TestSigner rsa = TestSigner::Rsa("r");
  json set = {{"keys",
               json::array({rsa.PublicJwk(),
                            {{"kty", "oct"}, {"k", "c2VjcmV0"}, {"kid", "h"}},
                            {{"kty", "RSA"}, {"use", "enc"}, {"kid", "e"}}})}};
  absl::StatusOr<Jwks> keys = Jwks::Parse(set.dump());
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->size(), 1u);
  EXPECT_TRUE(keys->Candidates("h").empty());

  EXPECT_FALSE(Jwks::Parse("not json").ok());
  EXPECT_FALSE(Jwks::Parse(R"({"keys": []})").ok());
  EXPECT_FALSE(Jwks::Parse(R"({"keys": {}})").ok());
  EXPECT_FALSE(Jwks::Parse(R"({"kty":"RSA","n":"AQAB"})").ok());
  // A 1024-bit RSA key is refused.
  EXPECT_FALSE(Jwks::Parse(TestSigner::Rsa("s", 1024).PublicJwk().dump()).ok());
  // A P-256 point off the curve is refused.
  json ec = TestSigner::EcP256("p").PublicJwk();
  ec["y"] = Base64UrlEncode(std::string(32, '\x01'));
  EXPECT_FALSE(Jwks::Parse(ec.dump()).ok());
}

void WriteFileAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".new";
  std::ofstream(tmp) << text;
  std::filesystem::rename(tmp, path);
}

TEST(JwksFileTest, RotationIsPickedUpAfterTheCheckInterval) {
  const std::string dir = ::testing::TempDir() + "/jwks_rotation";
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/keys.json";
  const TestSigner old_key = TestSigner::EcP256("2026-a");
  const TestSigner new_key = TestSigner::EcP256("2026-b");
  WriteFileAtomically(path, old_key.JwksText());

  absl::Time now = kNow;
  JwksFile file(path, absl::Seconds(30), [&now] { return now; });
  auto verify = [&](const TestSigner& signer) {
    absl::StatusOr<std::shared_ptr<const Jwks>> keys = file.Current();
    EXPECT_TRUE(keys.ok()) << keys.status();
    return Check(signer.Token(Claims()), **keys, now).ok();
  };
  EXPECT_TRUE(verify(old_key));
  EXPECT_FALSE(verify(new_key));

  WriteFileAtomically(path, new_key.JwksText());
  now += absl::Seconds(10);  // not yet looked at again
  EXPECT_TRUE(verify(old_key));
  now += absl::Seconds(25);
  EXPECT_TRUE(verify(new_key));
  EXPECT_FALSE(verify(old_key));

  // A broken rewrite keeps the keys that worked.
  WriteFileAtomically(path, "{\"keys\": [");
  now += absl::Seconds(31);
  EXPECT_TRUE(verify(new_key));
  // Removed altogether: still the last keys.
  std::filesystem::remove(path);
  now += absl::Seconds(31);
  EXPECT_TRUE(verify(new_key));
}

TEST(JwksFileTest, MissingFileNeverLoaded) {
  JwksFile file(::testing::TempDir() + "/no-such-jwks.json", absl::Seconds(1));
  EXPECT_FALSE(file.Current().ok());
}

}  // namespace
}  // namespace mailroom::server::auth
