// SASL OAUTHBEARER (RFC 7628) and XOAUTH2 (the older format of the large
// mail providers: "user=U\x01auth=Bearer T\x01\x01"), both carrying a JWT
// access token verified offline by OAuthIssuers.
//
// A refused token is answered with the mechanism's JSON error challenge
// (RFC 7628 §3.2.2: {"status":"invalid_token",...}; XOAUTH2: {"status":
// "401",...}); the client's reply to it (%x01, or empty) then ends the
// exchange in failure. Failures go through the failed-login throttle like
// a wrong password: charged to the SASL authorization identity when given,
// else to the account the token claims, else to the client address only.
// The token itself is never logged.
#ifndef MAILROOM_SERVER_AUTH_OAUTH_MECHANISMS_H_
#define MAILROOM_SERVER_AUTH_OAUTH_MECHANISMS_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "protocols/api/plugin.h"
#include "server/auth/oauth_issuers.h"

namespace mailroom::server::auth {

class HostAuthenticator;

inline constexpr char kOAuthBearer[] = "OAUTHBEARER";
inline constexpr char kXOAuth2[] = "XOAUTH2";

// What a client's first OAuth message says.
struct OAuthClientMessage {
  std::string authzid;  // RFC 7628 "a=" / XOAUTH2 "user=", may be empty
  std::string token;    // the bearer token
};

// Parse the client's message; kInvalidArgument when it does not follow the
// mechanism's grammar (RFC 7628 §3.1 for OAUTHBEARER).
absl::StatusOr<OAuthClientMessage> ParseOAuthBearerMessage(
    std::string_view message);
absl::StatusOr<OAuthClientMessage> ParseXOAuth2Message(
    std::string_view message);

// REQUIRES: `auth`, `issuers` and `conn` outlive the exchange.
std::unique_ptr<plugin::SaslExchange> MakeOAuthExchange(
    std::string_view mechanism, HostAuthenticator* auth,
    const OAuthIssuers* issuers, plugin::Connection* conn);

}  // namespace mailroom::server::auth

#endif  // MAILROOM_SERVER_AUTH_OAUTH_MECHANISMS_H_
