// The OAuth issuers whose access tokens log users in (SASL OAUTHBEARER,
// RFC 7628, and XOAUTH2), read from `oauth_issuers`: one file, or a
// directory whose "*.conf" files each describe one issuer in the config
// file's "key = value" syntax:
//
//   issuer = https://login.example.com/realms/mail   # "iss", exact match
//   audience = mailroom                              # must be in "aud"
//   jwks = keys.json        # JWKS file; relative to this file's directory
//   user_claim = email      # claim naming the account (default: email)
//   strip_domains = example.com, example.org   # "bob@example.com" -> "bob"
//   scope = openid email    # told to clients in the error challenge
//   openid_configuration = https://login.example.com/.well-known/openid-configuration
//
// Without strip_domains the claim is the account name as it is; with it,
// "@domain" is removed for the listed domains only. Tokens are verified
// offline (see jwt_verifier.h); JWKS files are re-read when they change.
//
// Thread-safe.
#ifndef MAILROOM_SERVER_AUTH_OAUTH_ISSUERS_H_
#define MAILROOM_SERVER_AUTH_OAUTH_ISSUERS_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/auth/jwks.h"
#include "server/auth/jwt_verifier.h"

namespace mailroom::server::auth {

struct OAuthIssuerConfig {
  std::string source;  // the file it came from, for messages
  std::string issuer;
  std::string audience;
  std::string jwks_path;
  std::string user_claim = "email";
  std::vector<std::string> strip_domains;  // lower case
  std::string scope;
  std::string openid_configuration;
};

struct OAuthSettings {
  absl::Duration leeway = absl::Seconds(60);  // on exp, nbf, iat
  size_t max_token_bytes = 16384;
  absl::Duration jwks_check_interval = absl::Seconds(30);
};

class OAuthIssuers {
 public:
  // Reads a file or a directory of *.conf files (see above). Fails on an
  // unknown key, a missing issuer/audience/jwks, a JWKS that does not load,
  // or when no issuer is described at all.
  static absl::StatusOr<std::unique_ptr<OAuthIssuers>> Load(
      const std::string& path, OAuthSettings settings);
  // From parsed configs; the JWKS files must load.
  static absl::StatusOr<std::unique_ptr<OAuthIssuers>> Create(
      std::vector<OAuthIssuerConfig> issuers, OAuthSettings settings,
      std::function<absl::Time()> clock = absl::Now);

  // The account (lower case) a token logs in, after verifying its signature
  // and claims. kPermissionDenied (reason without the token) otherwise.
  absl::StatusOr<std::string> Verify(std::string_view token) const;
  // The account the token claims, not verified: only to charge failures
  // of this attempt to that account. Empty when it names none.
  std::string ClaimedAccount(std::string_view token) const;
  // A name the client gave (SASL authzid, XOAUTH2 user=) as an account, by
  // the mapping of the issuer the token names: "bob@example.com" is "bob"
  // where the issuer strips example.com.
  std::string AccountForName(std::string_view token,
                             std::string_view name) const;
  // The issuer whose "iss" the (unverified) token names, else the first:
  // its scope and discovery URL go into the error challenge.
  const OAuthIssuerConfig& IssuerFor(std::string_view token) const;

  size_t size() const { return issuers_.size(); }
  size_t max_token_bytes() const { return settings_.max_token_bytes; }

 private:
  struct Issuer {
    OAuthIssuerConfig config;
    std::unique_ptr<JwksFile> keys;
  };
  OAuthIssuers(OAuthSettings settings, std::function<absl::Time()> clock)
      : settings_(settings), clock_(std::move(clock)) {}

  const Issuer* Find(const DecodedJwt& jwt) const;
  std::string AccountFrom(const Issuer& issuer, const DecodedJwt& jwt) const;
  static std::string MapName(const OAuthIssuerConfig& issuer,
                             std::string_view name);

  const OAuthSettings settings_;
  const std::function<absl::Time()> clock_;
  std::vector<Issuer> issuers_;
};

// Parses one issuer file's entries ("key = value" lines already split).
absl::StatusOr<OAuthIssuerConfig> ParseOAuthIssuer(
    const std::vector<std::pair<std::string, std::string>>& entries,
    const std::string& source);

}  // namespace mailroom::server::auth

#endif  // MAILROOM_SERVER_AUTH_OAUTH_ISSUERS_H_
