// Keys made fresh for each test run, and tokens signed with them: the
// issuing side of OAuth for tests and benchmarks. Nothing here is ever a
// committed key.
#ifndef MAILROOM_SERVER_AUTH_JWT_TEST_KEYS_H_
#define MAILROOM_SERVER_AUTH_JWT_TEST_KEYS_H_

#include <memory>
#include <string>
#include <string_view>

#include "nlohmann/json.hpp"

typedef struct evp_pkey_st EVP_PKEY;

namespace mailroom::server::auth::testing {

std::string Base64UrlEncode(std::string_view bytes);

class TestSigner {
 public:
  static TestSigner Rsa(std::string kid, int bits = 2048);
  static TestSigner EcP256(std::string kid);
  static TestSigner Ed25519(std::string kid);

  // The public half as a JWK (with "kid", without "alg").
  nlohmann::json PublicJwk() const;
  // {"keys": [PublicJwk()]}
  std::string JwksText() const;
  // "RS256", "ES256" or "EdDSA".
  const std::string& alg() const { return alg_; }
  const std::string& kid() const { return kid_; }

  // A compact JWS of `claims` under `header` (whose "alg" picks RS256,
  // PS256, ES256 or EdDSA signing).
  std::string Sign(const nlohmann::json& header,
                   const nlohmann::json& claims) const;
  // The same with the usual header {"alg", "kid", "typ": "JWT"}.
  std::string Token(const nlohmann::json& claims) const;

 private:
  TestSigner(std::shared_ptr<EVP_PKEY> key, std::string kid, std::string alg)
      : key_(std::move(key)), kid_(std::move(kid)), alg_(std::move(alg)) {}

  std::shared_ptr<EVP_PKEY> key_;
  std::string kid_;
  std::string alg_;
};

}  // namespace mailroom::server::auth::testing

#endif  // MAILROOM_SERVER_AUTH_JWT_TEST_KEYS_H_
