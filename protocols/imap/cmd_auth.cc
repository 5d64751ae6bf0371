// STARTTLS, LOGIN and AUTHENTICATE (SASL through the host's Authenticator,
// with SASL-IR of RFC 4959), and UNAUTHENTICATE (RFC 8437).
#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "protocols/imap/response.h"
#include "protocols/imap/session.h"
#include "protocols/imap/strings.h"
#include "protocols/sasl/sasl_driver.h"

namespace mailroom::imap {

std::string Session::LoggedIn(store::Principal principal) {
  principal_ = std::move(principal);
  state_ = State::kAuthenticated;
  conn_.Log(absl::StrCat("imap: logged in as ", principal_.user()));
  return absl::StrCat("OK [CAPABILITY ", Capabilities(), "] Logged in");
}

Task<std::string> Session::HandleStartTls(Command& c) {
  if (conn_.tls_active()) co_return "BAD TLS is already active";
  if (!conn_.tls_available()) co_return "NO [CANNOT] TLS is not available";
  if (conn_.compression_active()) {
    // Reachable after UNAUTHENTICATE: TLS would have to sit inside DEFLATE,
    // the wrong order (RFC 4978 section 3).
    co_return "NO [CANNOT] STARTTLS is not possible once COMPRESS is active";
  }
  Tagged(c.tag, "OK Begin TLS negotiation now");
  if (!(co_await conn_.Flush()).ok()) {
    state_ = State::kLogout;
    co_return "";
  }
  const absl::Status s = co_await conn_.StartTls();
  if (!s.ok()) {
    // Either the handshake failed or plaintext was injected after the
    // command: the stream can no longer be trusted.
    conn_.Log(absl::StrCat("imap: STARTTLS failed: ", s.ToString()));
    state_ = State::kLogout;
  }
  co_return "";
}

Task<std::string> Session::HandleLogin(Command& c) {
  if (!auth_.PlaintextAllowed(conn_)) {
    co_return "NO [PRIVACYREQUIRED] LOGIN is disabled, use STARTTLS first";
  }
  absl::StatusOr<store::Principal> who =
      co_await auth_.CheckPassword(c.args[0], c.args[1], conn_);
  if (!who.ok()) {
    if (who.status().code() == absl::StatusCode::kUnavailable) {
      co_return "NO [UNAVAILABLE] Authentication is temporarily unavailable";
    }
    co_return "NO [AUTHENTICATIONFAILED] Authentication failed";
  }
  co_return LoggedIn(std::move(*who));
}

Task<std::string> Session::HandleUnauthenticate(Command& c) {
  (void)c;
  // RFC 8437: as if the connection were new, except that TLS and COMPRESS
  // stay on. The mailbox closes without expunging (like UNSELECT), NOTIFY
  // and everything ENABLEd end, and the host forgets the user.
  Deselect();
  StopNotify();
  rev2_ = false;
  utf8_accept_ = false;
  condstore_ = false;
  qresync_ = false;
  changed_->store(false);
  auth_.NoteLogout(conn_);
  conn_.Log(absl::StrCat("imap: ", principal_.user(), " unauthenticated"));
  principal_ = store::Principal();
  state_ = State::kNotAuthenticated;
  // A fresh login period, as for a new connection.
  login_deadline_ =
      std::chrono::steady_clock::now() + config_.unauthenticated_timeout;
  co_return absl::StrCat("OK [CAPABILITY ", Capabilities(),
                         "] Not authenticated any more");
}

Task<std::string> Session::HandleAuthenticate(Command& c) {
  std::unique_ptr<plugin::SaslExchange> exchange = auth_.Start(c.args[0], conn_);
  if (!exchange) co_return "NO [CANNOT] Unsupported authentication mechanism";
  std::optional<std::string_view> initial_response;
  if (c.initial_response) initial_response = *c.initial_response;
  // SASL responses arrive before login: the pre-login bound applies.
  sasl::LineSaslWire wire(
      conn_, std::min(config_.max_line_bytes, config_.max_preauth_command_bytes),
      [this] { return ReadTimeout(); }, "[TOOBIG] Response too long");
  sasl::SaslResult result = co_await sasl::RunSaslExchange(
      *exchange, initial_response, sasl::InitialResponse::kBase64OrEquals,
      wire, conn_);
  switch (result.kind) {
    case sasl::SaslResult::kSuccess:
      co_return LoggedIn(*std::move(result.principal));
    case sasl::SaslResult::kFailed:
      co_return absl::StrCat("NO [AUTHENTICATIONFAILED] ", result.text);
    case sasl::SaslResult::kInvalid:
      co_return absl::StrCat("BAD ", result.text);
    case sasl::SaslResult::kCancelled:
      co_return "BAD Authentication cancelled";
    case sasl::SaslResult::kBadBase64:
      co_return "BAD Invalid base64 data";
    case sasl::SaslResult::kAnswered:
    case sasl::SaslResult::kClosed:
      break;
  }
  state_ = State::kLogout;
  co_return "";
}

}  // namespace mailroom::imap
