// The protocol-neutral half of a SASL login (RFC 4422) that every front end
// repeats: refusing plaintext mechanisms without TLS, finding the mechanism,
// decoding the initial response, and the challenge/response loop with its
// cancel and base64 rules. The mechanisms themselves and the failed-login
// throttle live in the host, behind plugin::Authenticator. A protocol
// supplies only its framing (a SaslWire) and turns a SaslResult into its
// own response text, so each keeps its exact wire behaviour.
//
// Thread-safety: functions are stateless; a SaslWire belongs to one session.
#ifndef MAILROOM_PROTOCOLS_SASL_SASL_DRIVER_H_
#define MAILROOM_PROTOCOLS_SASL_SASL_DRIVER_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocols/api/plugin.h"
#include "protocols/api/task.h"
#include "store/store.h"

namespace mailroom::sasl {

// PLAIN and LOGIN send the password itself.
bool IsPlaintextMechanism(std::string_view mechanism);

// Whether a password may cross this connection: over TLS, or where the site
// allows plaintext logins.
bool PlaintextAllowed(const plugin::Authenticator& auth,
                      const plugin::Connection& conn);

struct SaslStart {
  enum Kind {
    kStarted,           // `exchange` is set
    kPlaintextRefused,  // a plaintext mechanism on a connection without TLS
    kUnsupported,       // not offered on this connection, or unknown
  } kind = kUnsupported;
  std::unique_ptr<plugin::SaslExchange> exchange;
};

// Starts `mechanism` (matched case-insensitively against what `auth` offers
// on `conn`).
SaslStart StartSasl(plugin::Authenticator& auth, plugin::Connection& conn,
                    std::string_view mechanism);

// A client's answer to one challenge, as the protocol's framing read it.
struct SaslReply {
  enum Kind {
    kResponse,  // `text` holds the base64 response
    kCancel,    // the client cancelled the exchange
    kInvalid,   // refused (too long, malformed): `text` says why
    kAnswered,  // the wire refused it and already told the client
    kClosed,    // the connection ended or failed
  } kind = kClosed;
  std::string text;
};

// How one protocol frames challenges and responses.
class SaslWire {
 public:
  virtual ~SaslWire() = default;
  // Queues `challenge` (raw bytes: the wire base64-encodes and frames them).
  // The driver flushes.
  virtual void WriteChallenge(std::string_view challenge) = 0;
  virtual plugin::Task<SaslReply> ReadReply() = 0;
};

// IMAP's and POP3's framing: "+ <base64>" challenges, a response per line,
// "*" cancels (RFC 3501 section 6.2.2, RFC 5034 section 4).
class LineSaslWire : public SaslWire {
 public:
  // `max_line_bytes` bounds a response (a longer one is kInvalid with
  // `too_long_text`); `timeout` is asked before each read.
  LineSaslWire(plugin::Connection& conn, size_t max_line_bytes,
               std::function<std::chrono::milliseconds()> timeout,
               std::string too_long_text)
      : conn_(conn),
        max_line_bytes_(max_line_bytes),
        timeout_(std::move(timeout)),
        too_long_text_(std::move(too_long_text)) {}

  void WriteChallenge(std::string_view challenge) override;
  plugin::Task<SaslReply> ReadReply() override;

 private:
  plugin::Connection& conn_;
  const size_t max_line_bytes_;
  const std::function<std::chrono::milliseconds()> timeout_;
  const std::string too_long_text_;
};

struct SaslResult {
  enum Kind {
    kSuccess,    // `principal` is set
    kFailed,     // the mechanism refused: `text` is its user-safe reason
    kCancelled,  // the client cancelled
    kBadBase64,  // a response (or the initial one) was not base64
    kInvalid,    // the wire refused a reply: `text` is the wire's reason
    kAnswered,   // the wire refused a reply and answered it already
    kClosed,     // the connection is gone: end the session
  } kind = kClosed;
  std::optional<store::Principal> principal;
  std::string text;
};

// How a client's initial response (SASL-IR) is written.
enum class InitialResponse {
  kBase64OrEquals,  // IMAP, POP3: base64, "=" for an empty one
  kBase64,          // ManageSieve: a string, "" for an empty one
};

// Runs `exchange` to its end: the initial response first when the client
// sent one (`initial_response`, still encoded), then a challenge for each
// kContinue step and the client's reply to it.
plugin::Task<SaslResult> RunSaslExchange(
    plugin::SaslExchange& exchange,
    std::optional<std::string_view> initial_response,
    InitialResponse initial_format, SaslWire& wire, plugin::Connection& conn);

}  // namespace mailroom::sasl

#endif  // MAILROOM_PROTOCOLS_SASL_SASL_DRIVER_H_
