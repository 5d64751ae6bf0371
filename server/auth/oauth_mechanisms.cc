#include "server/auth/oauth_mechanisms.h"

#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "server/absl_view.h"
#include "server/auth/authenticator.h"
#include "server/auth/sasl_steps.h"

namespace mailroom::server::auth {
namespace {

using plugin::SaslExchange;
using plugin::Task;

constexpr char kKvSep = '\x01';
constexpr char kAuthFailed[] = "Authentication failed";

absl::Status Malformed(absl::string_view why) {
  return absl::InvalidArgumentError(why);
}

// RFC 7628 §3.1: value = *(VCHAR / SP / HTAB / CR / LF).
bool ValidValue(std::string_view value) {
  for (unsigned char c : value) {
    if (!(c >= 0x21 && c <= 0x7e) && c != ' ' && c != '\t' && c != '\r' &&
        c != '\n') {
      return false;
    }
  }
  return true;
}

// key=value^A pairs up to the closing ^A, which must end the message.
// Returns the "auth" value, and the "user" value when `user` is given.
absl::StatusOr<std::string> ParsePairs(std::string_view rest,
                                       std::string* user) {
  std::optional<std::string> auth;
  while (true) {
    if (rest.empty()) return Malformed("message does not end with ^A^A");
    if (rest.front() == kKvSep) {
      if (rest.size() != 1) return Malformed("data after the final ^A");
      break;
    }
    const size_t eq = rest.find('=');
    const size_t sep = rest.find(kKvSep);
    if (eq == std::string_view::npos || sep == std::string_view::npos ||
        eq > sep || eq == 0) {
      return Malformed("malformed key=value pair");
    }
    const std::string_view key = rest.substr(0, eq);
    const std::string_view value = rest.substr(eq + 1, sep - eq - 1);
    for (char c : key) {
      if (!absl::ascii_isalpha(static_cast<unsigned char>(c))) {
        return Malformed("malformed key");
      }
    }
    if (!ValidValue(value)) return Malformed("invalid character in a value");
    if (key == "auth") {
      if (auth.has_value()) return Malformed("two auth values");
      auth = std::string(value);
    } else if (user != nullptr && key == "user") {
      *user = std::string(value);
    }
    rest.remove_prefix(sep + 1);
  }
  if (!auth.has_value()) return Malformed("no auth value");
  return *std::move(auth);
}

// auth-value = "Bearer" 1*SP b64token (RFC 6750 §2.1; scheme in any case).
absl::StatusOr<std::string> BearerToken(std::string_view auth) {
  constexpr std::string_view kScheme = "bearer";
  if (auth.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(Av(auth.substr(0, kScheme.size())),
                              Av(kScheme)) ||
      auth[kScheme.size()] != ' ') {
    return Malformed("auth is not a Bearer token");
  }
  std::string_view token = auth.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  size_t i = 0;
  while (i < token.size() &&
         (absl::ascii_isalnum(static_cast<unsigned char>(token[i])) ||
          std::string_view("-._~+/").find(token[i]) != std::string_view::npos)) {
    ++i;
  }
  if (i == 0) return Malformed("empty token");
  while (i < token.size() && token[i] == '=') ++i;
  if (i != token.size()) return Malformed("invalid character in the token");
  return std::string(token);
}

// RFC 5801 saslname: "=2C" is ',', "=3D" is '='; other '=' are errors.
absl::StatusOr<std::string> DecodeSaslName(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] != '=') {
      out.push_back(name[i]);
      continue;
    }
    const std::string_view escape = name.substr(i + 1, 2);
    if (escape == "2C") {
      out.push_back(',');
    } else if (escape == "3D") {
      out.push_back('=');
    } else {
      return Malformed("malformed authzid");
    }
    i += 2;
  }
  return out;
}

// The JSON sent as the error challenge.
std::string ErrorChallenge(std::string_view mechanism,
                           const OAuthIssuerConfig& issuer) {
  nlohmann::json error = nlohmann::json::object();
  if (mechanism == kXOAuth2) {
    error["status"] = "401";
    error["schemes"] = "Bearer";
  } else {
    error["status"] = "invalid_token";
  }
  if (!issuer.scope.empty()) error["scope"] = issuer.scope;
  if (mechanism == kOAuthBearer && !issuer.openid_configuration.empty()) {
    error["openid-configuration"] = issuer.openid_configuration;
  }
  return error.dump();
}


class OAuthExchange final : public SaslExchange {
 public:
  OAuthExchange(std::string mechanism, HostAuthenticator* auth,
                const OAuthIssuers* issuers, plugin::Connection* conn)
      : mechanism_(std::move(mechanism)),
        auth_(auth),
        issuers_(issuers),
        conn_(conn) {}

  Task<Step> Next(std::optional<std::string> response) override {
    switch (state_) {
      case State::kStart:
        if (!response.has_value()) {
          state_ = State::kAwaitMessage;
          co_return SaslContinue("");
        }
        co_return co_await HandleMessage(*response);
      case State::kAwaitMessage:
        co_return co_await HandleMessage(response.value_or(""));
      case State::kErrorSent:
        // The client's reply to the error challenge (%x01, or empty for
        // XOAUTH2) carries nothing; the attempt has failed either way.
        state_ = State::kDone;
        co_return SaslFailure(kAuthFailed);
      case State::kDone:
        break;
    }
    co_return SaslFailure(kAuthFailed);
  }

 private:
  enum class State { kStart, kAwaitMessage, kErrorSent, kDone };

  Task<Step> HandleMessage(const std::string& message) {
    state_ = State::kDone;
    absl::StatusOr<OAuthClientMessage> parsed =
        mechanism_ == kXOAuth2 ? ParseXOAuth2Message(message)
                               : ParseOAuthBearerMessage(message);
    if (!parsed.ok()) {
      co_return SaslFailure(absl::StrCat("Malformed ", mechanism_, " message"));
    }
    const std::string challenge =
        ErrorChallenge(mechanism_, issuers_->IssuerFor(parsed->token));
    if (parsed->token.size() > issuers_->max_token_bytes()) {
      co_await auth_->FailedWithoutUser(
          *conn_, absl::StrCat("token longer than ",
                               issuers_->max_token_bytes(), " bytes"));
      co_return Refused(challenge);
    }
    // Whom a failure is charged to: the name the client asked for, or the
    // one its token claims.
    const std::string authzid =
        parsed->authzid.empty()
            ? ""
            : issuers_->AccountForName(parsed->token, parsed->authzid);
    const std::string claimed =
        authzid.empty() ? issuers_->ClaimedAccount(parsed->token) : authzid;
    if (auth_->UserTooLong(claimed)) {
      co_await auth_->FailedTooLong(*conn_);
      co_return Refused(challenge);
    }
    if (!claimed.empty() && !co_await auth_->Admit(claimed, *conn_)) {
      co_return Refused(challenge);
    }
    absl::StatusOr<std::string> account =
        co_await auth_->VerifyBearerToken(*issuers_, parsed->token, *conn_);
    if (absl::IsResourceExhausted(account.status())) {
      // Not checked: neither a failure to charge nor a success.
      co_return SaslFailure(std::string(account.status().message()));
    }
    if (account.ok() && !authzid.empty() && authzid != *account) {
      account = absl::PermissionDeniedError(
          "authorization identity is not the token's account");
    }
    if (account.ok() && !co_await auth_->AccountExists(*account, *conn_)) {
      account = absl::PermissionDeniedError("no such account");
    }
    if (!account.ok()) {
      const std::string reason = absl::StrCat(
          mechanism_, " token refused: ", account.status().message());
      if (claimed.empty()) {
        co_await auth_->FailedWithoutUser(*conn_, reason);
      } else {
        conn_->Log(absl::StrCat("authentication of '", claimed, "': ", reason));
        co_await auth_->Failed(claimed, *conn_);
      }
      co_return Refused(challenge);
    }
    auth_->Succeeded(claimed, *conn_);
    store::Principal principal = auth_->PrincipalFor(*account);
    auth_->NoteLogin(*conn_, principal.user());
    Step step;
    step.state = Step::kSuccess;
    step.principal = std::move(principal);
    co_return step;
  }

  Step Refused(std::string challenge) {
    state_ = State::kErrorSent;
    return SaslContinue(std::move(challenge));
  }

  const std::string mechanism_;
  HostAuthenticator* const auth_;
  const OAuthIssuers* const issuers_;
  plugin::Connection* const conn_;
  State state_ = State::kStart;
};

}  // namespace

absl::StatusOr<OAuthClientMessage> ParseOAuthBearerMessage(
    std::string_view message) {
  // gs2-header = gs2-cbind-flag "," [ authzid ] ","
  if (message.size() < 2 || message[1] != ',') {
    return Malformed("no GS2 header");
  }
  if (message[0] == 'p') return Malformed("channel binding is not supported");
  if (message[0] != 'n' && message[0] != 'y') {
    return Malformed("bad channel binding flag");
  }
  message.remove_prefix(2);
  OAuthClientMessage out;
  const size_t comma = message.find(',');
  if (comma == std::string_view::npos) return Malformed("no GS2 header");
  if (comma > 0) {
    if (!absl::StartsWith(Av(message), "a=") || comma == 2) {
      return Malformed("malformed authzid");
    }
    absl::StatusOr<std::string> authzid =
        DecodeSaslName(message.substr(2, comma - 2));
    if (!authzid.ok()) return authzid.status();
    out.authzid = *std::move(authzid);
  }
  message.remove_prefix(comma + 1);
  if (message.empty() || message.front() != kKvSep) {
    return Malformed("no ^A after the GS2 header");
  }
  message.remove_prefix(1);
  absl::StatusOr<std::string> auth = ParsePairs(message, nullptr);
  if (!auth.ok()) return auth.status();
  absl::StatusOr<std::string> token = BearerToken(*auth);
  if (!token.ok()) return token.status();
  out.token = *std::move(token);
  return out;
}

absl::StatusOr<OAuthClientMessage> ParseXOAuth2Message(
    std::string_view message) {
  OAuthClientMessage out;
  absl::StatusOr<std::string> auth = ParsePairs(message, &out.authzid);
  if (!auth.ok()) return auth.status();
  absl::StatusOr<std::string> token = BearerToken(*auth);
  if (!token.ok()) return token.status();
  out.token = *std::move(token);
  return out;
}

std::unique_ptr<plugin::SaslExchange> MakeOAuthExchange(
    std::string_view mechanism, HostAuthenticator* auth,
    const OAuthIssuers* issuers, plugin::Connection* conn) {
  return std::make_unique<OAuthExchange>(
      absl::AsciiStrToUpper(Av(mechanism)), auth, issuers, conn);
}

}  // namespace mailroom::server::auth
