// Commands of any state: CAPABILITY, NOOP, LOGOUT, STARTTLS, AUTHENTICATE
// and UNAUTHENTICATE (RFC 5804 sections 1.7, 2.1, 2.2, 2.3, 2.11, 2.13,
// 2.14).
#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "protocols/managesieve/managesieve_session.h"
#include "protocols/managesieve/response.h"
#include "protocols/sasl/sasl_driver.h"
#include "protocols/sasl/tls_upgrade.h"
#include "sieve/limits.h"
#include "sieve/script.h"

namespace mailroom::managesieve {
namespace {

using plugin::Task;

void CapabilityLine(std::string* out, std::string_view name,
                    std::optional<std::string_view> value = std::nullopt) {
  out->append(EncodeString(name));
  if (value.has_value()) absl::StrAppend(out, " ", EncodeString(*value));
  out->append("\r\n");
}

}  // namespace

void ManageSieveSession::WriteCapabilities() {
  std::string out;
  CapabilityLine(&out, "IMPLEMENTATION", "Mailroom");
  const bool authenticated = state_ == State::kAuthenticated;
  // After login no mechanism may be used; the list is empty then.
  CapabilityLine(&out, "SASL",
                 authenticated ? "" : absl::StrJoin(auth_.Mechanisms(conn_), " "));
  CapabilityLine(&out, "SIEVE", absl::StrJoin(sieve::SupportedExtensions(), " "));
  if (!authenticated && !conn_.tls_active() && conn_.tls_available()) {
    CapabilityLine(&out, "STARTTLS");
  }
  CapabilityLine(&out, "MAXREDIRECTS",
                 absl::StrCat(sieve::Limits().max_redirects));
  if (authenticated) CapabilityLine(&out, "OWNER", owner());
  CapabilityLine(&out, "UNAUTHENTICATE");
  CapabilityLine(&out, "VERSION", "1.0");
  conn_.Write(out);
}

void ManageSieveSession::HandleCapability(const Command& command) {
  if (!command.args.empty()) {
    No("CAPABILITY takes no arguments");
    return;
  }
  WriteCapabilities();
  Ok("Capability completed");
}

void ManageSieveSession::HandleNoop(const Command& command) {
  if (command.args.size() > 1 ||
      (command.args.size() == 1 && !command.args[0].is_string())) {
    No("Syntax: NOOP [string]");
    return;
  }
  // RFC 5804 section 2.13: the string comes back as a TAG response code.
  if (command.args.empty()) {
    Ok("Done");
  } else {
    Ok("Done", absl::StrCat("TAG ", EncodeString(command.args[0].text)));
  }
}

void ManageSieveSession::HandleLogout(const Command& command) {
  if (!command.args.empty()) {
    No("LOGOUT takes no arguments");
    return;
  }
  Ok("Logout completed");
  state_ = State::kDone;
}

Task<void> ManageSieveSession::HandleStartTls(const Command& command) {
  if (!command.args.empty()) {
    No("STARTTLS takes no arguments");
    co_return;
  }
  const sasl::TlsUpgrade upgrade = co_await sasl::UpgradeToTls(
      conn_, "STARTTLS", [this](std::string_view text) { No(text); },
      [this](std::string_view text) { Ok(text); });
  if (upgrade == sasl::TlsUpgrade::kClosed) state_ = State::kDone;
  if (upgrade != sasl::TlsUpgrade::kStarted) co_return;
  // RFC 5804 section 2.2: the capabilities again, now over TLS (SASL may
  // list more mechanisms).
  WriteCapabilities();
  Ok("TLS negotiation successful");
}

// RFC 5804 section 2.1: a challenge is a string on a line of its own, and
// so is each response; ParseSaslResponse tells a cancel from a response.
class ManageSieveSession::SaslStringWire : public sasl::SaslWire {
 public:
  explicit SaslStringWire(ManageSieveSession& session) : session_(session) {}

  void WriteChallenge(std::string_view challenge) override {
    session_.conn_.Write(absl::StrCat(
        EncodeString(absl::Base64Escape(
            absl::string_view(challenge.data(), challenge.size()))),
        "\r\n"));
  }

  Task<sasl::SaslReply> ReadReply() override {
    sasl::SaslReply reply;
    std::string text;
    const ReadOutcome outcome = co_await session_.ReadCommand(&text);
    if (outcome == ReadOutcome::kEnd) {
      reply.kind = sasl::SaslReply::kClosed;
      co_return reply;
    }
    if (outcome == ReadOutcome::kRejected) {  // answered NO
      reply.kind = sasl::SaslReply::kAnswered;
      co_return reply;
    }
    absl::StatusOr<std::optional<std::string>> parsed =
        ParseSaslResponse(text);
    if (!parsed.ok()) {
      reply.kind = sasl::SaslReply::kInvalid;
      reply.text = std::string(parsed.status().message());
    } else if (!parsed->has_value()) {
      reply.kind = sasl::SaslReply::kCancel;
    } else {
      reply.kind = sasl::SaslReply::kResponse;
      reply.text = **std::move(parsed);
    }
    co_return reply;
  }

 private:
  ManageSieveSession& session_;
};

Task<void> ManageSieveSession::HandleAuthenticate(const Command& command) {
  if (command.args.empty() || command.args.size() > 2 ||
      !command.args[0].is_string() ||
      (command.args.size() == 2 && !command.args[1].is_string())) {
    No("Syntax: AUTHENTICATE \"mechanism\" [\"initial response\"]");
    co_return;
  }
  sasl::SaslStart start =
      sasl::StartSasl(auth_, conn_, command.args[0].text);
  if (start.kind == sasl::SaslStart::kPlaintextRefused) {
    // With TLS to be had, encryption makes the mechanism usable; without,
    // the site refuses it outright.
    if (conn_.tls_available()) {
      No("Plaintext authentication needs TLS; use STARTTLS", "ENCRYPT-NEEDED");
    } else {
      No("Plaintext authentication is not allowed", "AUTH-TOO-WEAK");
    }
    co_return;
  }
  if (start.kind != sasl::SaslStart::kStarted) {
    No("Unsupported authentication mechanism");
    co_return;
  }
  // SASL-IR: a string, "" for an empty initial response.
  std::optional<std::string_view> initial_response;
  if (command.args.size() == 2) initial_response = command.args[1].text;
  SaslStringWire wire(*this);
  sasl::SaslResult result = co_await sasl::RunSaslExchange(
      *start.exchange, initial_response, sasl::InitialResponse::kBase64, wire,
      conn_);
  switch (result.kind) {
    case sasl::SaslResult::kSuccess:
      principal_ = *std::move(result.principal);
      state_ = State::kAuthenticated;
      Ok("Logged in");
      break;
    case sasl::SaslResult::kFailed:
    case sasl::SaslResult::kInvalid:
      No(result.text);
      break;
    case sasl::SaslResult::kCancelled:
      No("Authentication cancelled");
      break;
    case sasl::SaslResult::kBadBase64:
      No("Invalid base64 data");
      break;
    case sasl::SaslResult::kAnswered:
      break;
    case sasl::SaslResult::kClosed:
      state_ = State::kDone;
      break;
  }
}

void ManageSieveSession::HandleUnauthenticate(const Command& command) {
  if (!command.args.empty()) {
    No("UNAUTHENTICATE takes no arguments");
    return;
  }
  auth_.NoteLogout(conn_);
  principal_.reset();
  state_ = State::kNonAuthenticated;
  // A fresh login period, as for a new connection.
  login_deadline_ =
      std::chrono::steady_clock::now() + config_.unauthenticated_timeout;
  Ok("Unauthenticate completed");
}

}  // namespace mailroom::managesieve
