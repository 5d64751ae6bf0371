#include "server/auth/jwt_verifier.h"

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"

namespace mailroom::server::auth {
namespace {

using Json = nlohmann::json;

absl::Status Denied(absl::string_view why) {
  return absl::PermissionDeniedError(why);
}

absl::StatusOr<Json> DecodeObject(std::string_view part, const char* what) {
  std::string bytes;
  if (!Base64UrlDecode(part, &bytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat("token ", what, " is not base64url"));
  }
  Json object = Json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded() || !object.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("token ", what, " is not a JSON object"));
  }
  return object;
}

// JWS ES256 signatures are R || S (32 bytes each); OpenSSL verifies DER.
bool EcdsaRawToDer(std::string_view raw, std::string* der) {
  if (raw.size() != 64) return false;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32,
                        nullptr);
  BIGNUM* s = BN_bin2bn(
      reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr ||
      ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return false;
  }
  unsigned char* out = nullptr;
  const int len = i2d_ECDSA_SIG(sig, &out);
  ECDSA_SIG_free(sig);  // owns r and s now
  if (len <= 0) return false;
  der->assign(reinterpret_cast<char*>(out), static_cast<size_t>(len));
  OPENSSL_free(out);
  return true;
}

// Whether `alg` may be verified with a key of this type.
bool AlgorithmFits(std::string_view alg, const Jwk& key) {
  if (!key.alg.empty() && key.alg != alg) return false;
  switch (key.type) {
    case Jwk::Type::kRsa:
      return alg == "RS256" || alg == "PS256";
    case Jwk::Type::kEcP256:
      return alg == "ES256";
    case Jwk::Type::kEd25519:
      return alg == "EdDSA";
  }
  return false;
}

bool SignatureValid(std::string_view alg, const Jwk& key,
                    std::string_view input, std::string_view signature) {
  std::string der;
  if (alg == "ES256") {
    if (!EcdsaRawToDer(signature, &der)) return false;
    signature = der;
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return false;
  EVP_PKEY_CTX* pctx = nullptr;
  const EVP_MD* md = alg == "EdDSA" ? nullptr : EVP_sha256();
  bool ok = EVP_DigestVerifyInit(ctx, &pctx, md, nullptr, key.key.get()) == 1;
  if (ok && alg == "PS256") {
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  }
  ok = ok &&
       EVP_DigestVerify(
           ctx, reinterpret_cast<const unsigned char*>(signature.data()),
           signature.size(),
           reinterpret_cast<const unsigned char*>(input.data()),
           input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

// A NumericDate claim (seconds since the epoch, RFC 7519 §2).
absl::StatusOr<std::optional<absl::Time>> DateClaim(const Json& claims,
                                                    const char* name) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  if (!it->is_number()) {
    return Denied(absl::StrCat("\"", name, "\" is not a number"));
  }
  const double seconds = it->get<double>();
  if (!std::isfinite(seconds) || std::fabs(seconds) > 1e12) {
    return Denied(absl::StrCat("\"", name, "\" out of range"));
  }
  return absl::FromUnixMicros(static_cast<int64_t>(seconds * 1e6));
}

bool AudienceMatches(const Json& claims, const std::string& audience) {
  auto it = claims.find("aud");
  if (it == claims.end()) return false;
  if (it->is_string()) return it->get<std::string>() == audience;
  if (!it->is_array()) return false;
  for (const Json& entry : *it) {
    if (entry.is_string() && entry.get<std::string>() == audience) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<DecodedJwt> DecodeJwt(std::string_view token,
                                     size_t max_bytes) {
  if (token.size() > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("token longer than ", max_bytes, " bytes"));
  }
  const size_t dot1 = token.find('.');
  const size_t dot2 =
      dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos ||
      token.find('.', dot2 + 1) != std::string_view::npos) {
    return absl::InvalidArgumentError("token is not a signed JWT");
  }
  DecodedJwt jwt;
  absl::StatusOr<Json> header = DecodeObject(token.substr(0, dot1), "header");
  if (!header.ok()) return header.status();
  absl::StatusOr<Json> claims =
      DecodeObject(token.substr(dot1 + 1, dot2 - dot1 - 1), "payload");
  if (!claims.ok()) return claims.status();
  if (!Base64UrlDecode(token.substr(dot2 + 1), &jwt.signature) ||
      jwt.signature.empty()) {
    return absl::InvalidArgumentError("token signature is not base64url");
  }
  jwt.header = *std::move(header);
  jwt.claims = *std::move(claims);
  jwt.signing_input = std::string(token.substr(0, dot2));
  return jwt;
}

absl::Status VerifyJwt(const DecodedJwt& jwt, const Jwks& keys,
                       const JwtPolicy& policy, absl::Time now) {
  auto alg_it = jwt.header.find("alg");
  if (alg_it == jwt.header.end() || !alg_it->is_string()) {
    return Denied("token header has no \"alg\"");
  }
  const std::string alg = alg_it->get<std::string>();
  if (alg != "RS256" && alg != "PS256" && alg != "ES256" && alg != "EdDSA") {
    return Denied(absl::StrCat("algorithm \"", alg, "\" not accepted"));
  }
  if (jwt.header.contains("crit")) {
    return Denied("token header has \"crit\" extensions");
  }
  std::string kid;
  if (auto it = jwt.header.find("kid"); it != jwt.header.end()) {
    if (!it->is_string()) return Denied("\"kid\" is not a string");
    kid = it->get<std::string>();
  }
  const std::vector<const Jwk*> candidates = keys.Candidates(kid);
  if (candidates.empty()) {
    return Denied(absl::StrCat("no key with kid \"", kid, "\""));
  }
  bool fitted = false;
  bool verified = false;
  for (const Jwk* key : candidates) {
    if (!AlgorithmFits(alg, *key)) continue;
    fitted = true;
    if (SignatureValid(alg, *key, jwt.signing_input, jwt.signature)) {
      verified = true;
      break;
    }
  }
  if (!fitted) {
    return Denied(absl::StrCat("algorithm ", alg, " does not fit key \"",
                               kid, "\""));
  }
  if (!verified) return Denied("bad signature");

  const Json& claims = jwt.claims;
  auto iss = claims.find("iss");
  if (iss == claims.end() || !iss->is_string() ||
      iss->get<std::string>() != policy.issuer) {
    return Denied("wrong issuer");
  }
  if (!AudienceMatches(claims, policy.audience)) {
    return Denied("wrong audience");
  }
  absl::StatusOr<std::optional<absl::Time>> exp = DateClaim(claims, "exp");
  if (!exp.ok()) return exp.status();
  if (!exp->has_value()) return Denied("token has no \"exp\"");
  if (now >= **exp + policy.leeway) return Denied("token expired");
  absl::StatusOr<std::optional<absl::Time>> nbf = DateClaim(claims, "nbf");
  if (!nbf.ok()) return nbf.status();
  if (nbf->has_value() && now + policy.leeway < **nbf) {
    return Denied("token not yet valid");
  }
  absl::StatusOr<std::optional<absl::Time>> iat = DateClaim(claims, "iat");
  if (!iat.ok()) return iat.status();
  if (iat->has_value() && now + policy.leeway < **iat) {
    return Denied("token issued in the future");
  }
  return absl::OkStatus();
}

}  // namespace mailroom::server::auth
