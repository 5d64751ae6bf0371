// Offline verification of JWT access tokens (RFC 7519) signed with JWS
// compact serialization (RFC 7515) by a key of a JwksFile.
//
// Accepted algorithms (RFC 7518, RFC 8037): RS256 and PS256 with an RSA key,
// ES256 with a P-256 key, EdDSA with an Ed25519 key. The header's "alg" must
// fit the type of the key its "kid" selects (and the key's own "alg" when it
// has one); "none", the HMAC algorithms and anything else are refused, so a
// public key can never be used as an HMAC secret. Headers with "crit" are
// refused (no extension is understood).
//
// Thread-safety: free functions over immutable inputs.
#ifndef MAILROOM_SERVER_AUTH_JWT_VERIFIER_H_
#define MAILROOM_SERVER_AUTH_JWT_VERIFIER_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "server/auth/jwks.h"

namespace mailroom::server::auth {

// A token split and decoded, not yet verified.
struct DecodedJwt {
  nlohmann::json header;   // a JSON object
  nlohmann::json claims;   // a JSON object
  std::string signing_input;  // "BASE64URL(header).BASE64URL(payload)"
  std::string signature;      // raw bytes
};

// Splits and decodes `token`. kInvalidArgument for anything that is not
// three base64url parts of which the first two are JSON objects, or a token
// longer than `max_bytes`.
absl::StatusOr<DecodedJwt> DecodeJwt(std::string_view token, size_t max_bytes);

struct JwtPolicy {
  std::string issuer;    // "iss" must equal it
  std::string audience;  // "aud" (a string or an array) must contain it
  // Clock difference allowed on "exp", "nbf" and "iat".
  absl::Duration leeway = absl::Seconds(60);
};

// Verifies the signature of `jwt` with a key of `keys`, then the claims
// against `policy` at `now`: "exp" is required, "nbf" and "iat" are checked
// when present. kPermissionDenied with the reason (never the token) when
// the token is not acceptable.
absl::Status VerifyJwt(const DecodedJwt& jwt, const Jwks& keys,
                       const JwtPolicy& policy, absl::Time now);

}  // namespace mailroom::server::auth

#endif  // MAILROOM_SERVER_AUTH_JWT_VERIFIER_H_
