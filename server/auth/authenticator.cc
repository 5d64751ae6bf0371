#include "server/auth/authenticator.h"

#include <algorithm>


#include <utility>

#include "server/absl_view.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "server/auth/scram.h"
#include "store/principal_issuer.h"

namespace mailroom::server::auth {
namespace {

using plugin::SaslExchange;
using plugin::Task;

constexpr char kAuthFailed[] = "Authentication failed";

SaslExchange::Step Continue(std::string challenge) {
  SaslExchange::Step step;
  step.state = SaslExchange::Step::kContinue;
  step.challenge = std::move(challenge);
  return step;
}
SaslExchange::Step Failure(std::string error) {
  SaslExchange::Step step;
  step.state = SaslExchange::Step::kFailure;
  step.error = std::move(error);
  return step;
}
SaslExchange::Step Success(store::Principal principal) {
  SaslExchange::Step step;
  step.state = SaslExchange::Step::kSuccess;
  step.principal = std::move(principal);
  return step;
}

// RFC 4616: [authzid] NUL authcid NUL passwd.
class PlainExchange final : public SaslExchange {
 public:
  PlainExchange(HostAuthenticator* auth, plugin::Connection* conn)
      : auth_(auth), conn_(conn) {}

  Task<Step> Next(std::optional<std::string> response) override {
    if (!response.has_value()) {
      if (asked_) co_return Failure("Malformed PLAIN response");
      asked_ = true;
      co_return Continue("");
    }
    std::vector<std::string> parts = absl::StrSplit(*response, '\0');
    if (parts.size() != 3 || parts[1].empty()) {
      co_return Failure("Malformed PLAIN response");
    }
    if (!parts[0].empty() && !absl::EqualsIgnoreCase(parts[0], parts[1])) {
      co_await auth_->Failed(parts[1], *conn_);
      co_return Failure("Authorization identity not allowed");
    }
    absl::StatusOr<store::Principal> principal =
        co_await auth_->VerifyPassword(parts[1], parts[2], *conn_);
    if (!principal.ok()) co_return Failure(kAuthFailed);
    co_return Success(*std::move(principal));
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
          user_ = *std::move(response);
          state_ = 2;
          co_return Continue("Password:");
        }
        state_ = 1;
        co_return Continue("Username:");
      case 1:
        user_ = response.value_or("");
        state_ = 2;
        co_return Continue("Password:");
      default: {
        state_ = 3;
        if (user_.empty()) co_return Failure(kAuthFailed);
        absl::StatusOr<store::Principal> principal =
            co_await auth_->VerifyPassword(user_, response.value_or(""),
                                           *conn_);
        if (!principal.ok()) co_return Failure(kAuthFailed);
        co_return Success(*std::move(principal));
      }
    }
  }

 private:
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
          co_return Continue("");
        }
        co_return co_await HandleClientFirst(*response);
      }
      case 1:
        co_return co_await HandleClientFirst(response.value_or(""));
      case 2: {
        state_ = 3;
        absl::StatusOr<std::string> server_final =
            scram_.ReceiveClientFinal(response.value_or(""));
        if (!server_final.ok()) {
          co_await auth_->Failed(scram_.user(), *conn_);
          co_return Failure(kAuthFailed);
        }
        co_return Continue(*std::move(server_final));
      }
      case 3:
        // The client acknowledges server-final with an empty response.
        state_ = 4;
        if (response.has_value() && !response->empty()) {
          co_return Failure("Unexpected SCRAM response");
        }
        auth_->Succeeded(scram_.user());
        {
          store::Principal principal = auth_->PrincipalFor(scram_.user());
          auth_->NoteLogin(*conn_, principal.user());
          co_return Success(std::move(principal));
        }
      default:
        co_return Failure("SCRAM exchange already finished");
    }
  }

 private:
  Task<Step> HandleClientFirst(const std::string& message) {
    state_ = 2;
    absl::StatusOr<std::string> user = scram_.ReceiveClientFirst(message);
    if (!user.ok()) {
      state_ = 4;
      co_return Failure(absl::IsPermissionDenied(user.status())
                            ? kAuthFailed
                            : "Malformed SCRAM message");
    }
    store::ScramCredentials credentials =
        co_await auth_->LoadScramCredentials(*user, *conn_);
    co_return Continue(scram_.MakeServerFirst(credentials, MakeServerNonce()));
  }

  HostAuthenticator* auth_;
  plugin::Connection* conn_;
  ScramServer scram_;
  int state_ = 0;
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
                                     absl::Duration login_cache_ttl)
    : store_(store),
      allow_plaintext_auth_(allow_plaintext_auth),
      fake_salt_key_(RandomBytes(32)),
      throttle_(throttle),
      login_cache_(login_cache_ttl, /*capacity=*/10000) {}

bool HostAuthenticator::PlaintextAllowed(const plugin::Connection& conn) const {
  return allow_plaintext_auth_ || conn.tls_active();
}

std::vector<std::string> HostAuthenticator::Mechanisms(
    const plugin::Connection& conn) const {
  std::vector<std::string> mechanisms = {"SCRAM-SHA-256"};
  if (PlaintextAllowed(conn)) {
    mechanisms.push_back("PLAIN");
    mechanisms.push_back("LOGIN");
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
  absl::StatusOr<store::Principal> principal =
      co_await plugin::Blocking(
          conn, [this, &user, &password]() -> absl::StatusOr<store::Principal> {
            if (!login_cache_.enabled()) {
              absl::StatusOr<store::Principal> checked =
                  store_->Authenticate(user, password);
              if (!checked.ok()) return checked;
              return absl::StatusOr<store::Principal>(
                  PrincipalFor(checked->user()));
            }
            // The stored key is one cheap read; it ties a cache hit to the
            // password record as it is now.
            absl::StatusOr<store::ScramCredentials> credentials =
                store_->GetScramCredentials(user);
            const store::Principal canonical = PrincipalFor(user);
            const absl::Time now = absl::Now();
            if (credentials.ok() &&
                login_cache_.Matches(canonical.user(), password,
                                     credentials->stored_key, now)) {
              return canonical;
            }
            absl::StatusOr<store::Principal> checked =
                store_->Authenticate(user, password);
            if (!checked.ok()) return checked;
            if (credentials.ok()) {
              login_cache_.Insert(checked->user(), password,
                                  credentials->stored_key, now);
            }
            return absl::StatusOr<store::Principal>(
                PrincipalFor(checked->user()));
          });
  if (!principal.ok()) {
    co_await Failed(user, conn);
    co_return absl::PermissionDeniedError(kAuthFailed);
  }
  throttle_.RecordSuccess(user);
  NoteLogin(conn, principal->user());
  co_return principal;
}

Task<store::ScramCredentials> HostAuthenticator::LoadScramCredentials(
    std::string user, plugin::Connection& conn) {
  absl::StatusOr<store::ScramCredentials> credentials =
      co_await plugin::Blocking(
          conn, [this, &user] { return store_->GetScramCredentials(user); });
  if (credentials.ok()) co_return *std::move(credentials);
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

Task<void> HostAuthenticator::Failed(std::string_view user,
                                     plugin::Connection& conn) {
  const absl::Duration delay =
      throttle_.RecordFailure(conn.peer_address(), user);
  conn.Log(absl::StrCat("authentication failed for '", Av(user), "'"));
  co_await conn.Sleep(absl::ToChronoMilliseconds(delay));
}

}  // namespace mailroom::server::auth
