#include "server/auth/authenticator.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "server/absl_view.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "server/auth/oauth_mechanisms.h"
#include "server/auth/sasl_steps.h"
#include "server/auth/scram.h"
#include "store/principal_issuer.h"

namespace mailroom::server::auth {
namespace {

using plugin::SaslExchange;
using plugin::Task;

constexpr char kAuthFailed[] = "Authentication failed";
constexpr char kTryLater[] =
    "Authentication is temporarily unavailable, try again later";

std::string FailureText(const absl::Status& status) {
  return absl::IsUnavailable(status) ? kTryLater : kAuthFailed;
}

// RFC 4616: [authzid] NUL authcid NUL passwd.
class PlainExchange final : public SaslExchange {
 public:
  PlainExchange(HostAuthenticator* auth, plugin::Connection* conn)
      : auth_(auth), conn_(conn) {}

  Task<Step> Next(std::optional<std::string> response) override {
    if (!response.has_value()) {
      if (asked_) co_return SaslFailure("Malformed PLAIN response");
      asked_ = true;
      co_return SaslContinue("");
    }
    std::vector<std::string> parts = absl::StrSplit(*response, '\0');
    if (parts.size() != 3 || parts[1].empty()) {
      co_return SaslFailure("Malformed PLAIN response");
    }
    if (auth_->UserTooLong(parts[0]) || auth_->UserTooLong(parts[1])) {
      co_await auth_->FailedTooLong(*conn_);
      co_return SaslFailure(kAuthFailed);
    }
    if (!parts[0].empty() && !absl::EqualsIgnoreCase(parts[0], parts[1])) {
      // Counted like a wrong password, so it cannot be used to probe.
      if (co_await auth_->Admit(parts[1], *conn_)) {
        co_await auth_->Failed(parts[1], *conn_);
      }
      co_return SaslFailure("Authorization identity not allowed");
    }
    absl::StatusOr<store::Principal> principal =
        co_await auth_->VerifyPassword(parts[1], parts[2], *conn_);
    if (!principal.ok()) co_return SaslFailure(FailureText(principal.status()));
    co_return SaslSuccess(*std::move(principal));
  }

 private:
  HostAuthenticator* auth_;
  plugin::Connection* conn_;
  bool asked_ = false;
};

// The LOGIN mechanism: "Username:" then "Password:".
class LoginExchange final : public SaslExchange {
 public:
  LoginExchange(HostAuthenticator* auth, plugin::Connection* conn)
      : auth_(auth), conn_(conn) {}

  Task<Step> Next(std::optional<std::string> response) override {
    switch (state_) {
      case 0:
        if (response.has_value()) {  // initial response: the user name
          co_return co_await TakeUser(*std::move(response));
        }
        state_ = 1;
        co_return SaslContinue("Username:");
      case 1:
        co_return co_await TakeUser(response.value_or(""));
      default: {
        state_ = 3;
        if (user_.empty()) co_return SaslFailure(kAuthFailed);
        absl::StatusOr<store::Principal> principal =
            co_await auth_->VerifyPassword(user_, response.value_or(""),
                                           *conn_);
        if (!principal.ok()) co_return SaslFailure(FailureText(principal.status()));
        co_return SaslSuccess(*std::move(principal));
      }
    }
  }

 private:
  Task<Step> TakeUser(std::string user) {
    if (auth_->UserTooLong(user)) {
      state_ = 3;
      co_await auth_->FailedTooLong(*conn_);
      co_return SaslFailure(kAuthFailed);
    }
    user_ = std::move(user);
    state_ = 2;
    co_return SaslContinue("Password:");
  }

  HostAuthenticator* auth_;
  plugin::Connection* conn_;
  int state_ = 0;
  std::string user_;
};

class ScramExchange final : public SaslExchange {
 public:
  ScramExchange(HostAuthenticator* auth, plugin::Connection* conn)
      : auth_(auth), conn_(conn) {}

  Task<Step> Next(std::optional<std::string> response) override {
    switch (state_) {
      case 0: {
        if (!response.has_value()) {
          state_ = 1;  // no initial response: ask for client-first
          co_return SaslContinue("");
        }
        co_return co_await HandleClientFirst(*response);
      }
      case 1:
        co_return co_await HandleClientFirst(response.value_or(""));
      case 2: {
        state_ = 3;
        if (refused_) {
          // Throttled at client-first: the exchange ran on fake credentials
          // so that it ends like any wrong password; the delay was waited.
          state_ = 4;
          co_return SaslFailure(kAuthFailed);
        }
        absl::StatusOr<std::string> server_final =
            scram_.ReceiveClientFinal(response.value_or(""));
        if (!server_final.ok()) {
          co_await auth_->Failed(scram_.user(), *conn_);
          co_return SaslFailure(kAuthFailed);
        }
        co_return SaslContinue(*std::move(server_final));
      }
      case 3:
        // The client acknowledges server-final with an empty response.
        state_ = 4;
        if (response.has_value() && !response->empty()) {
          co_return SaslFailure("Unexpected SCRAM response");
        }
        auth_->Succeeded(scram_.user(), *conn_);
        {
          store::Principal principal = auth_->PrincipalFor(scram_.user());
          auth_->NoteLogin(*conn_, principal.user());
          co_return SaslSuccess(std::move(principal));
        }
      default:
        co_return SaslFailure("SCRAM exchange already finished");
    }
  }

 private:
  Task<Step> HandleClientFirst(const std::string& message) {
    state_ = 2;
    absl::StatusOr<std::string> user = scram_.ReceiveClientFirst(message);
    if (!user.ok()) {
      state_ = 4;
      co_return SaslFailure(absl::IsPermissionDenied(user.status())
                            ? kAuthFailed
                            : "Malformed SCRAM message");
    }
    if (auth_->UserTooLong(*user)) {
      state_ = 4;
      co_await auth_->FailedTooLong(*conn_);
      co_return SaslFailure(kAuthFailed);
    }
    refused_ = !co_await auth_->Admit(*user, *conn_);
    store::ScramCredentials credentials =
        co_await auth_->LoadScramCredentials(*user, *conn_, refused_);
    co_return SaslContinue(scram_.MakeServerFirst(credentials, MakeServerNonce()));
  }

  HostAuthenticator* auth_;
  plugin::Connection* conn_;
  ScramServer scram_;
  int state_ = 0;
  bool refused_ = false;
};

}  // namespace

store::Principal HostAuthenticator::PrincipalFor(std::string_view user) const {
  const std::string canonical = absl::AsciiStrToLower(Av(user));
  const bool quota_admin =
      std::find(quota_admins_.begin(), quota_admins_.end(), canonical) !=
      quota_admins_.end();
  return store::PrincipalIssuer::User(canonical, quota_admin);
}

HostAuthenticator::HostAuthenticator(store::Store* store,
                                     bool allow_plaintext_auth,
                                     ThrottleOptions throttle,
                                     absl::Duration login_cache_ttl,
                                     HashExecutorOptions hashing,
                                     size_t max_user_bytes)
    : store_(store),
      allow_plaintext_auth_(allow_plaintext_auth),
      fake_salt_key_(RandomBytes(32)),
      max_user_bytes_(max_user_bytes),
      throttle_(throttle),
      login_cache_(login_cache_ttl, /*capacity=*/10000),
      hashing_(hashing) {}

bool HostAuthenticator::PlaintextAllowed(const plugin::Connection& conn) const {
  return allow_plaintext_auth_ || conn.tls_active();
}

std::vector<std::string> HostAuthenticator::Mechanisms(
    const plugin::Connection& conn) const {
  std::vector<std::string> mechanisms = {"SCRAM-SHA-256"};
  if (PlaintextAllowed(conn)) {
    mechanisms.push_back("PLAIN");
    mechanisms.push_back("LOGIN");
    if (oauth_issuers_ != nullptr) {
      mechanisms.push_back(kOAuthBearer);
      mechanisms.push_back(kXOAuth2);
    }
  }
  return mechanisms;
}

std::unique_ptr<plugin::SaslExchange> HostAuthenticator::Start(
    std::string_view mechanism, plugin::Connection& conn) {
  if (absl::EqualsIgnoreCase(Av(mechanism), "SCRAM-SHA-256")) {
    return std::make_unique<ScramExchange>(this, &conn);
  }
  if (!PlaintextAllowed(conn)) return nullptr;
  if (absl::EqualsIgnoreCase(Av(mechanism), "PLAIN")) {
    return std::make_unique<PlainExchange>(this, &conn);
  }
  if (absl::EqualsIgnoreCase(Av(mechanism), "LOGIN")) {
    return std::make_unique<LoginExchange>(this, &conn);
  }
  if (oauth_issuers_ != nullptr &&
      (absl::EqualsIgnoreCase(Av(mechanism), kOAuthBearer) ||
       absl::EqualsIgnoreCase(Av(mechanism), kXOAuth2))) {
    return MakeOAuthExchange(mechanism, this, oauth_issuers_.get(), &conn);
  }
  return nullptr;
}

Task<absl::StatusOr<store::Principal>> HostAuthenticator::CheckPassword(
    std::string_view user, std::string_view password,
    plugin::Connection& conn) {
  if (!PlaintextAllowed(conn)) {
    co_return absl::PermissionDeniedError(
        "Plaintext authentication is disabled without TLS");
  }
  co_return co_await VerifyPassword(std::string(user), std::string(password),
                                    conn);
}

Task<absl::StatusOr<store::Principal>> HostAuthenticator::VerifyPassword(
    std::string user, std::string password, plugin::Connection& conn) {
  if (UserTooLong(user)) {
    co_await FailedTooLong(conn);
    co_return absl::PermissionDeniedError(kAuthFailed);
  }
  if (!co_await Admit(user, conn)) {
    co_return absl::PermissionDeniedError(kAuthFailed);
  }
  // A cache hit costs one store read and an HMAC: answered from the main
  // worker pool, so honest clients with a remembered password never wait
  // behind the hashing queue. The stored key ties the hit to the password
  // record as it is now.
  std::optional<std::string> stored_key;
  if (login_cache_.enabled()) {
    absl::StatusOr<store::ScramCredentials> credentials =
        co_await plugin::Blocking(
            conn, [this, &user] { return store_->GetScramCredentials(user); });
    if (credentials.ok()) {
      const store::Principal canonical = PrincipalFor(user);
      if (login_cache_.Matches(canonical.user(), password,
                               credentials->stored_key, absl::Now())) {
        Succeeded(user, conn);
        NoteLogin(conn, canonical.user());
        co_return canonical;
      }
      stored_key = std::move(credentials->stored_key);
    }
  }
  absl::StatusOr<store::Principal> checked =
      absl::InternalError("password check did not run");
  const absl::Status ran = co_await hashing_.Run(
      conn, [this, &user, &password, &checked] {
        checked = store_->Authenticate(user, password);
      });
  if (!ran.ok()) {
    // Not checked, yet not refunded: otherwise a flood of attempts could
    // keep the queue full forever at no cost to its budget.
    conn.Log(absl::StrCat("authentication postponed for '", Av(user),
                          "': password checks overloaded"));
    co_return absl::UnavailableError(kTryLater);
  }
  if (!checked.ok()) {
    co_await Failed(user, conn);
    co_return absl::PermissionDeniedError(kAuthFailed);
  }
  Succeeded(user, conn);
  store::Principal principal = PrincipalFor(checked->user());
  if (stored_key.has_value()) {
    login_cache_.Insert(principal.user(), password, *stored_key, absl::Now());
  }
  NoteLogin(conn, principal.user());
  co_return principal;
}

Task<store::ScramCredentials> HostAuthenticator::LoadScramCredentials(
    std::string user, plugin::Connection& conn, bool fake_only) {
  if (!fake_only) {
    absl::StatusOr<store::ScramCredentials> credentials =
        co_await plugin::Blocking(
            conn, [this, &user] { return store_->GetScramCredentials(user); });
    if (credentials.ok()) co_return *std::move(credentials);
  }
  // Unknown user: answer like for a known one (stable salt, usual count) so
  // the exchange does not reveal which users exist; the proof cannot match.
  store::ScramCredentials fake;
  fake.salt =
      HmacSha256(fake_salt_key_, absl::AsciiStrToLower(Av(user))).substr(0, 16);
  fake.iterations = 100000;
  fake.stored_key = RandomBytes(32);
  fake.server_key = RandomBytes(32);
  co_return fake;
}

Task<bool> HostAuthenticator::Admit(std::string_view user,
                                    plugin::Connection& conn) {
  const FailureThrottle::Decision decision =
      throttle_.Admit(conn.peer_address(), user);
  if (decision.allowed) co_return true;
  conn.Log(absl::StrCat("authentication refused for '", Av(user),
                        "': too many recent failures"));
  co_await conn.Sleep(absl::ToChronoMilliseconds(decision.delay));
  co_return false;
}

Task<void> HostAuthenticator::Failed(std::string_view user,
                                     plugin::Connection& conn) {
  const absl::Duration delay =
      throttle_.RecordFailure(conn.peer_address(), user);
  conn.Log(absl::StrCat("authentication failed for '", Av(user), "'"));
  co_await conn.Sleep(absl::ToChronoMilliseconds(delay));
}

Task<void> HostAuthenticator::FailedTooLong(plugin::Connection& conn) {
  const absl::Duration delay = throttle_.RecordAddressFailure(
      conn.peer_address());
  conn.Log(absl::StrCat("authentication failed: user name longer than ",
                        max_user_bytes_, " bytes"));
  co_await conn.Sleep(absl::ToChronoMilliseconds(delay));
}

Task<void> HostAuthenticator::FailedWithoutUser(plugin::Connection& conn,
                                                std::string_view reason) {
  const absl::Duration delay =
      throttle_.RecordAddressFailure(conn.peer_address());
  conn.Log(absl::StrCat("authentication failed: ", Av(reason)));
  co_await conn.Sleep(absl::ToChronoMilliseconds(delay));
}

Task<absl::StatusOr<std::string>> HostAuthenticator::VerifyBearerToken(
    const OAuthIssuers& issuers, std::string token, plugin::Connection& conn) {
  absl::StatusOr<std::string> account =
      absl::InternalError("token check did not run");
  const absl::Status ran = co_await hashing_.Run(
      conn, [&issuers, &token, &account] { account = issuers.Verify(token); });
  if (!ran.ok()) {
    conn.Log("bearer token check postponed: checks overloaded");
    co_return absl::ResourceExhaustedError(kTryLater);
  }
  co_return account;
}

Task<bool> HostAuthenticator::AccountExists(std::string user,
                                            plugin::Connection& conn) {
  absl::StatusOr<store::ScramCredentials> credentials =
      co_await plugin::Blocking(
          conn, [this, &user] { return store_->GetScramCredentials(user); });
  co_return credentials.ok();
}

}  // namespace mailroom::server::auth
