#include "server/auth/jwks.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace mailroom::server::auth {
namespace {

using Json = nlohmann::json;

constexpr int kMinRsaBits = 2048;

int Base64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

std::shared_ptr<EVP_PKEY> Own(EVP_PKEY* key) {
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

absl::StatusOr<std::string> Member(const Json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) {
    return absl::InvalidArgumentError(
        absl::StrCat("JWK without string member \"", name, "\""));
  }
  std::string decoded;
  if (!Base64UrlDecode(it->get<std::string>(), &decoded) || decoded.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("JWK member \"", name, "\" is not base64url"));
  }
  return decoded;
}

// A public key from OpenSSL 3 parameters ("RSA" or "EC").
absl::StatusOr<std::shared_ptr<EVP_PKEY>> FromParams(const char* type,
                                                     OSSL_PARAM_BLD* bld) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  const bool ok = params != nullptr && ctx != nullptr &&
                  EVP_PKEY_fromdata_init(ctx) == 1 &&
                  EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  if (!ok || key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("invalid ", type, " key"));
  }
  return Own(key);
}

absl::StatusOr<std::shared_ptr<EVP_PKEY>> RsaKey(const Json& jwk) {
  absl::StatusOr<std::string> n = Member(jwk, "n");
  if (!n.ok()) return n.status();
  absl::StatusOr<std::string> e = Member(jwk, "e");
  if (!e.ok()) return e.status();
  BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()),
                           static_cast<int>(n->size()), nullptr);
  BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()),
                           static_cast<int>(e->size()), nullptr);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  absl::StatusOr<std::shared_ptr<EVP_PKEY>> key =
      absl::InvalidArgumentError("invalid RSA key");
  if (bn_n != nullptr && bn_e != nullptr && bld != nullptr &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1) {
    key = FromParams("RSA", bld);
  }
  OSSL_PARAM_BLD_free(bld);
  BN_free(bn_n);
  BN_free(bn_e);
  if (key.ok() && EVP_PKEY_get_bits(key->get()) < kMinRsaBits) {
    return absl::InvalidArgumentError(
        absl::StrCat("RSA key shorter than ", kMinRsaBits, " bits"));
  }
  return key;
}

absl::StatusOr<std::shared_ptr<EVP_PKEY>> EcP256Key(const Json& jwk) {
  absl::StatusOr<std::string> x = Member(jwk, "x");
  if (!x.ok()) return x.status();
  absl::StatusOr<std::string> y = Member(jwk, "y");
  if (!y.ok()) return y.status();
  if (x->size() != 32 || y->size() != 32) {
    return absl::InvalidArgumentError("P-256 coordinates are 32 bytes");
  }
  // The uncompressed point; OpenSSL checks that it lies on the curve.
  const std::string point = absl::StrCat("\x04", *x, *y);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  absl::StatusOr<std::shared_ptr<EVP_PKEY>> key =
      absl::InvalidArgumentError("invalid EC key");
  if (bld != nullptr &&
      OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                      "prime256v1", 0) == 1 &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
                                       point.data(), point.size()) == 1) {
    key = FromParams("EC", bld);
  }
  OSSL_PARAM_BLD_free(bld);
  return key;
}

absl::StatusOr<std::shared_ptr<EVP_PKEY>> Ed25519Key(const Json& jwk) {
  absl::StatusOr<std::string> x = Member(jwk, "x");
  if (!x.ok()) return x.status();
  if (x->size() != 32) {
    return absl::InvalidArgumentError("Ed25519 keys are 32 bytes");
  }
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr,
      reinterpret_cast<const unsigned char*>(x->data()), x->size());
  if (key == nullptr) return absl::InvalidArgumentError("invalid Ed25519 key");
  return Own(key);
}

std::string StringMember(const Json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// The key, std::nullopt for a key of a type or use this server does not
// verify with, or an error for a broken key of a supported type.
absl::StatusOr<std::optional<Jwk>> ParseKey(const Json& object) {
  if (!object.is_object()) return absl::InvalidArgumentError("JWK not an object");
  const std::string use = StringMember(object, "use");
  if (!use.empty() && use != "sig") return std::nullopt;
  const std::string kty = StringMember(object, "kty");
  const std::string crv = StringMember(object, "crv");
  Jwk jwk;
  jwk.kid = StringMember(object, "kid");
  jwk.alg = StringMember(object, "alg");
  absl::StatusOr<std::shared_ptr<EVP_PKEY>> key;
  if (kty == "RSA") {
    jwk.type = Jwk::Type::kRsa;
    key = RsaKey(object);
  } else if (kty == "EC" && crv == "P-256") {
    jwk.type = Jwk::Type::kEcP256;
    key = EcP256Key(object);
  } else if (kty == "OKP" && crv == "Ed25519") {
    jwk.type = Jwk::Type::kEd25519;
    key = Ed25519Key(object);
  } else {
    return std::nullopt;
  }
  if (!key.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "key \"", jwk.kid, "\": ", key.status().message()));
  }
  jwk.key = *std::move(key);
  return jwk;
}

}  // namespace

bool Base64UrlDecode(std::string_view in, std::string* out) {
  out->clear();
  if (in.size() % 4 == 1) return false;
  out->reserve(in.size() * 3 / 4);
  uint32_t bits = 0;
  int count = 0;
  for (char c : in) {
    const int v = Base64UrlValue(c);
    if (v < 0) return false;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out->push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  // Leftover bits must be zero: one encoding per byte string.
  return (bits & ((1u << count) - 1)) == 0;
}

absl::StatusOr<Jwks> Jwks::Parse(std::string_view text) {
  Json doc = Json::parse(text.begin(), text.end(), nullptr,
                         /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return absl::InvalidArgumentError("JWKS is not a JSON object");
  }
  Json list = Json::array();
  if (doc.contains("keys")) {
    if (!doc["keys"].is_array()) {
      return absl::InvalidArgumentError("JWKS \"keys\" is not an array");
    }
    list = doc["keys"];
  } else {
    list.push_back(doc);
  }
  Jwks set;
  for (const Json& object : list) {
    absl::StatusOr<std::optional<Jwk>> key = ParseKey(object);
    if (!key.ok()) return key.status();
    if (key->has_value()) set.keys_.push_back(**std::move(key));
  }
  if (set.keys_.empty()) {
    return absl::InvalidArgumentError(
        "JWKS holds no RSA, P-256 or Ed25519 signature key");
  }
  return set;
}

std::vector<const Jwk*> Jwks::Candidates(std::string_view kid) const {
  std::vector<const Jwk*> found;
  if (kid.empty()) {
    if (keys_.size() == 1) found.push_back(&keys_[0]);
    return found;
  }
  for (const Jwk& key : keys_) {
    if (key.kid == kid) found.push_back(&key);
  }
  return found;
}

JwksFile::JwksFile(std::string path, absl::Duration check_interval,
                   std::function<absl::Time()> clock)
    : path_(std::move(path)),
      check_interval_(check_interval),
      clock_(std::move(clock)) {}

absl::StatusOr<std::shared_ptr<const Jwks>> JwksFile::Current() {
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_();
  if (now >= next_check_) {
    next_check_ = now + check_interval_;
    struct stat st;
    if (stat(path_.c_str(), &st) != 0) {
      last_error_ = absl::NotFoundError(absl::StrCat("cannot stat ", path_));
    } else {
      const Version seen{st.st_ino, st.st_size,
                         static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 +
                             st.st_mtim.tv_nsec};
      if (keys_ == nullptr || !(seen == loaded_)) {
        std::ifstream in(path_, std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        absl::StatusOr<Jwks> parsed =
            in ? Jwks::Parse(text.str())
               : absl::NotFoundError(absl::StrCat("cannot read ", path_));
        if (parsed.ok()) {
          keys_ = std::make_shared<const Jwks>(*std::move(parsed));
          loaded_ = seen;
          last_error_ = absl::OkStatus();
        } else {
          last_error_ = absl::InvalidArgumentError(
              absl::StrCat(path_, ": ", parsed.status().message()));
        }
      }
    }
  }
  if (keys_ == nullptr) return last_error_;
  return keys_;
}

}  // namespace mailroom::server::auth
