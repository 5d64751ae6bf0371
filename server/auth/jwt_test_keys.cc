#include "server/auth/jwt_test_keys.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <iostream>

namespace mailroom::server::auth::testing {
namespace {

[[noreturn]] void Die(const char* what) {
  std::cerr << "jwt_test_keys: " << what << " failed\n";
  std::abort();
}

std::shared_ptr<EVP_PKEY> Own(EVP_PKEY* key) {
  if (key == nullptr) Die("key generation");
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

std::string BnParam(EVP_PKEY* key, const char* name, int width) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) Die(name);
  const int size = width > 0 ? width : BN_num_bytes(bn);
  std::string out(static_cast<size_t>(size), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), size);
  BN_free(bn);
  return out;
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (unsigned char c : bytes) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out.push_back(kAlphabet[(bits >> count) & 63]);
    }
  }
  if (count > 0) out.push_back(kAlphabet[(bits << (6 - count)) & 63]);
  return out;
}

TestSigner TestSigner::Rsa(std::string kid, int bits) {
  return TestSigner(
      Own(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits))),
      std::move(kid), "RS256");
}

TestSigner TestSigner::EcP256(std::string kid) {
  return TestSigner(Own(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")),
                    std::move(kid), "ES256");
}

TestSigner TestSigner::Ed25519(std::string kid) {
  return TestSigner(Own(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")),
                    std::move(kid), "EdDSA");
}

nlohmann::json TestSigner::PublicJwk() const {
  nlohmann::json jwk;
  jwk["kid"] = kid_;
  if (alg_ == "RS256") {
    jwk["kty"] = "RSA";
    jwk["n"] = Base64UrlEncode(BnParam(key_.get(), OSSL_PKEY_PARAM_RSA_N, 0));
    jwk["e"] = Base64UrlEncode(BnParam(key_.get(), OSSL_PKEY_PARAM_RSA_E, 0));
  } else if (alg_ == "ES256") {
    jwk["kty"] = "EC";
    jwk["crv"] = "P-256";
    jwk["x"] =
        Base64UrlEncode(BnParam(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32));
    jwk["y"] =
        Base64UrlEncode(BnParam(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32));
  } else {
    unsigned char raw[32];
    size_t len = sizeof(raw);
    if (EVP_PKEY_get_raw_public_key(key_.get(), raw, &len) != 1) Die("raw key");
    jwk["kty"] = "OKP";
    jwk["crv"] = "Ed25519";
    jwk["x"] = Base64UrlEncode(
        std::string_view(reinterpret_cast<const char*>(raw), len));
  }
  return jwk;
}

std::string TestSigner::JwksText() const {
  nlohmann::json set;
  set["keys"] = nlohmann::json::array({PublicJwk()});
  return set.dump();
}

std::string TestSigner::Sign(const nlohmann::json& header,
                             const nlohmann::json& claims) const {
  const std::string alg = header.value("alg", "");
  const std::string input = Base64UrlEncode(header.dump()) + "." +
                            Base64UrlEncode(claims.dump());
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestSignInit(ctx, &pctx, alg == "EdDSA" ? nullptr : EVP_sha256(),
                         nullptr, key_.get()) != 1) {
    Die("sign init");
  }
  if (alg == "PS256") {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  size_t len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  if (EVP_DigestSign(ctx, nullptr, &len, data, input.size()) != 1) Die("sign");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                     data, input.size()) != 1) {
    Die("sign");
  }
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  if (alg == "ES256") {  // DER to JWS's R || S
    const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* ecdsa = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    if (ecdsa == nullptr) Die("ECDSA decode");
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa),
                 reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa),
                 reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(ecdsa);
    sig = raw;
  }
  return input + "." + Base64UrlEncode(sig);
}

std::string TestSigner::Token(const nlohmann::json& claims) const {
  return Sign({{"alg", alg_}, {"kid", kid_}, {"typ", "JWT"}}, claims);
}

}  // namespace mailroom::server::auth::testing
