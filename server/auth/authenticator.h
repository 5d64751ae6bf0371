// The host's plugin::Authenticator: SASL PLAIN, LOGIN and SCRAM-SHA-256
// against the store, OAUTHBEARER and XOAUTH2 against configured OAuth
// issuers, plain password checks, and the failed-login throttle.
// PLAIN, LOGIN, the bearer-token mechanisms (a token is as secret as a
// password) and CheckPassword need TLS unless allow_plaintext_auth.
//
// Every login path runs in this order: user names longer than
// max_user_bytes fail at once; the throttle decides whether the attempt may
// be checked at all (a refusal is answered like a wrong password, after the
// delay, with no store access and no hashing); a verified-login cache hit
// is answered from the main worker pool; only then does the slow hash run,
// on the HashExecutor's own bounded pool. A bearer token's signature is
// checked on that pool too.
#ifndef MAILROOM_SERVER_AUTH_AUTHENTICATOR_H_
#define MAILROOM_SERVER_AUTH_AUTHENTICATOR_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/api/plugin.h"
#include "absl/time/time.h"
#include "server/auth/failure_throttle.h"
#include "server/auth/hash_executor.h"
#include "server/auth/oauth_issuers.h"
#include "server/auth/verified_login_cache.h"
#include "store/store.h"

namespace mailroom::server::auth {

// Thread-safe: sessions on many threads share one instance.
class HostAuthenticator final : public plugin::Authenticator {
 public:
  // `store` must outlive this object. Successful password checks are
  // remembered for `login_cache_ttl` (zero: every login runs the slow hash).
  HostAuthenticator(store::Store* store, bool allow_plaintext_auth,
                    ThrottleOptions throttle = {},
                    absl::Duration login_cache_ttl = absl::Minutes(5),
                    HashExecutorOptions hashing = {},
                    size_t max_user_bytes = 255);

  std::vector<std::string> Mechanisms(
      const plugin::Connection& conn) const override;
  bool PlaintextAllowed(const plugin::Connection& conn) const override;
  std::unique_ptr<plugin::SaslExchange> Start(
      std::string_view mechanism, plugin::Connection& conn) override;
  plugin::Task<absl::StatusOr<store::Principal>> CheckPassword(
      std::string_view user, std::string_view password,
      plugin::Connection& conn) override;

  // For the exchanges. VerifyPassword fails with kPermissionDenied for a
  // wrong password, an over-long user name or a throttled attempt, and with
  // kUnavailable when the hashing queue is full.
  plugin::Task<absl::StatusOr<store::Principal>> VerifyPassword(
      std::string user, std::string password, plugin::Connection& conn);
  // The user's SCRAM credentials from the store, or stable fake ones for an
  // unknown user (`fake_only`: without asking the store).
  plugin::Task<store::ScramCredentials> LoadScramCredentials(
      std::string user, plugin::Connection& conn, bool fake_only = false);
  // Whether an attempt for `user` may be checked; on a refusal, waits the
  // delay first.
  plugin::Task<bool> Admit(std::string_view user, plugin::Connection& conn);
  // After an admitted attempt: records a failed check and waits the delay,
  // or refunds the attempt after a success.
  plugin::Task<void> Failed(std::string_view user, plugin::Connection& conn);
  void Succeeded(std::string_view user, const plugin::Connection& conn) {
    throttle_.Release(conn.peer_address(), user);
  }
  // Too long to be anyone's name: counted against the address, then the
  // delay.
  bool UserTooLong(std::string_view user) const {
    return user.size() > max_user_bytes_;
  }
  plugin::Task<void> FailedTooLong(plugin::Connection& conn);
  // A failure that names no account (a token that claims none): counted
  // against the address, logged with `reason`, then the delay.
  plugin::Task<void> FailedWithoutUser(plugin::Connection& conn,
                                       std::string_view reason);
  // Whether the store has an account `user`.
  plugin::Task<bool> AccountExists(std::string user, plugin::Connection& conn);
  // The account a bearer token logs in (OAuthIssuers::Verify). Checking its
  // RSA or ECDSA signature costs about what a password hash does, so it
  // runs on the same bounded hashing pool, never on the network thread.
  // kResourceExhausted, with the text for the client, when that pool's
  // queue is full and the token was not checked.
  plugin::Task<absl::StatusOr<std::string>> VerifyBearerToken(
      const OAuthIssuers& issuers, std::string token,
      plugin::Connection& conn);

  // Turns on OAUTHBEARER and XOAUTH2, verified against `issuers`.
  // REQUIRES: called before the first session starts.
  void SetOAuthIssuers(std::unique_ptr<OAuthIssuers> issuers) {
    oauth_issuers_ = std::move(issuers);
  }

  // Users allowed to set quotas (RFC 9208 SETQUOTA); canonical names.
  // REQUIRES: called before the first session starts.
  void SetQuotaAdmins(std::vector<std::string> users) {
    quota_admins_ = std::move(users);
  }
  // The principal the host hands a plugin for an authenticated `user`.
  store::Principal PrincipalFor(std::string_view user) const;

  // Told the connection id and canonical user of every successful
  // authentication (the daemon's session list for who/kick), and the id with
  // an empty user when a session gives its login up (UNAUTHENTICATE).
  // REQUIRES: called before the first session starts.
  using LoginObserver =
      std::function<void(uint64_t connection_id, std::string_view user)>;
  void SetLoginObserver(LoginObserver observer) {
    login_observer_ = std::move(observer);
  }
  void NoteLogin(const plugin::Connection& conn, std::string_view user) {
    if (login_observer_) login_observer_(conn.id(), user);
  }
  void NoteLogout(const plugin::Connection& conn) override {
    if (login_observer_) login_observer_(conn.id(), "");
  }

 private:
  store::Store* const store_;
  const bool allow_plaintext_auth_;
  const std::string fake_salt_key_;  // unknown users get stable fake salts
  const size_t max_user_bytes_;
  FailureThrottle throttle_;
  LoginObserver login_observer_;
  VerifiedLoginCache login_cache_;
  HashExecutor hashing_;
  std::vector<std::string> quota_admins_;
  std::unique_ptr<OAuthIssuers> oauth_issuers_;  // null: no OAuth mechanisms
};

}  // namespace mailroom::server::auth

#endif  // MAILROOM_SERVER_AUTH_AUTHENTICATOR_H_
