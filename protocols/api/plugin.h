// The protocol plugin ABI. Each protocol (IMAP, POP3, LMTP, ...) is a shared
// object loaded with dlopen(RTLD_NOW | RTLD_LOCAL) from the plugin directory.
// It exports exactly one extern "C" function, kEntryPoint, returning a
// PluginDescriptor. The host refuses a plugin whose abi_version differs from
// its own kAbiVersion.
//
// Host and plugins are built by the same build and toolchain, so the
// interfaces below are C++ abstract classes. kAbiVersion is a hash of the
// headers that cross the boundary (this file, task.h, the store API and
// mime/message.h); a test recomputes it, so any change to them bumps it.
//
// The host owns sockets, TLS, limits, timeouts and auth mechanisms; a plugin
// sees a byte stream (Connection), an Authenticator, its Config and the
// store API. A plugin catches every exception at its boundary.
#ifndef MAILROOM_PROTOCOLS_API_PLUGIN_H_
#define MAILROOM_PROTOCOLS_API_PLUGIN_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "protocols/api/task.h"
#include "store/store.h"

namespace mailroom::plugin {

// Hash of the ABI headers (see plugin_abi_test). Do not edit by hand: the
// test prints the value to put here.
inline constexpr uint32_t kAbiVersion = 1908070696u;

inline constexpr char kEntryPoint[] = "mailroom_plugin_descriptor";

// One client connection as a plugin sees it. Owned by the host; valid until
// the session's Task finishes. Not thread-safe, except Wake().
class Connection {
 public:
  virtual ~Connection() = default;

  // Reads one line ending in LF (CRLF or bare LF) and returns it without the
  // line end. Errors:
  //   kResourceExhausted: longer than max_bytes; the whole line was read and
  //                       discarded, the connection stays usable.
  //   kDeadlineExceeded:  nothing complete arrived within `timeout`.
  //   kCancelled:         the server is shutting down (say goodbye, return).
  //   kUnavailable:       the peer closed the connection or an I/O error.
  virtual Task<absl::StatusOr<std::string>> ReadLine(
      size_t max_bytes, std::chrono::milliseconds timeout) = 0;
  // Reads exactly n bytes (literals, BDAT chunks). Same errors.
  virtual Task<absl::StatusOr<std::string>> ReadExactly(
      size_t n, std::chrono::milliseconds timeout) = 0;

  // Queues bytes; nothing is sent until Flush(). Plugins flush before
  // waiting for input and whenever buffered_output() grows large.
  virtual void Write(std::string_view bytes) = 0;
  virtual size_t buffered_output() const = 0;
  virtual Task<absl::Status> Flush() = 0;

  // STARTTLS/STLS: the plugin flushes its OK first. Fails with
  // kFailedPrecondition if TLS is active, unavailable, or input is already
  // buffered past the command (a plaintext injection attempt).
  virtual Task<absl::Status> StartTls() = 0;
  virtual bool tls_active() const = 0;
  virtual bool tls_available() const = 0;

  // COMPRESS=DEFLATE (RFC 4978): from the next byte on, both directions are
  // raw DEFLATE, inside TLS when TLS is on. The plugin flushes its OK first;
  // input already buffered past the command is taken as compressed (the
  // client compresses from its next command on). Every read limit applies
  // to the decompressed bytes. Fails with kFailedPrecondition when
  // compression is active already, not offered by the host, or output is
  // still queued. STARTTLS is refused once compression is on.
  virtual absl::Status StartCompression() {
    return absl::FailedPreconditionError("compression is not available");
  }
  virtual bool compression_active() const { return false; }
  virtual bool compression_available() const { return false; }

  // IDLE: waits until input is readable, Wake() is called, or the timeout.
  enum class WaitResult { kInput, kWoken, kTimeout, kClosed };
  virtual Task<WaitResult> WaitForInput(std::chrono::milliseconds timeout) = 0;
  // Safe from any thread (store notification callbacks). A Wake() before
  // WaitForInput() makes the next wait return kWoken at once.
  virtual void Wake() = 0;

  // Runs `fn` on the host's worker pool (store calls block on disk) and
  // resumes the session on its network thread afterwards.
  virtual Task<void> RunBlocking(std::function<void()> fn) = 0;
  virtual Task<void> Sleep(std::chrono::milliseconds duration) = 0;

  // True once the server started shutting down.
  virtual bool shutting_down() const = 0;
  virtual uint64_t id() const = 0;
  virtual std::string peer_address() const = 0;
  // Logs with the session id.
  virtual void Log(std::string_view message) = 0;
};

// Runs `fn()` on the worker pool and returns its result.
template <typename F>
Task<std::invoke_result_t<F>> Blocking(Connection& conn, F fn) {
  using R = std::invoke_result_t<F>;
  if constexpr (std::is_void_v<R>) {
    co_await conn.RunBlocking(std::move(fn));
  } else {
    std::optional<R> result;
    co_await conn.RunBlocking([&] { result.emplace(fn()); });
    co_return std::move(*result);
  }
}

// One SASL exchange (RFC 4422). Challenges and responses are raw bytes; the
// protocol base64-encodes them.
class SaslExchange {
 public:
  struct Step {
    enum State { kContinue, kSuccess, kFailure } state = kFailure;
    std::string challenge;                 // kContinue: send to the client
    std::optional<store::Principal> principal;  // kSuccess
    std::string error;  // kFailure: user-safe text
  };
  virtual ~SaslExchange() = default;
  // First call: the initial response, if the client sent one (SASL-IR),
  // else std::nullopt. Then one call per client response. A mechanism whose
  // last server message carries data (SCRAM's server-final) returns it as a
  // kContinue, and kSuccess on the client's empty reply.
  virtual Task<Step> Next(std::optional<std::string> response) = 0;
};

// Auth mechanisms, owned by the host. Failed attempts are slowed down per
// address and per user inside these calls.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // Mechanisms to announce on this connection (PLAIN and LOGIN only over
  // TLS unless plaintext auth is allowed).
  virtual std::vector<std::string> Mechanisms(const Connection& conn) const = 0;
  // Whether USER/PASS, LOGIN and the like may be used on this connection.
  virtual bool PlaintextAllowed(const Connection& conn) const = 0;
  // nullptr for an unknown or (on this connection) disallowed mechanism.
  virtual std::unique_ptr<SaslExchange> Start(std::string_view mechanism,
                                              Connection& conn) = 0;
  // Password check for LOGIN / USER+PASS. kPermissionDenied on failure.
  virtual Task<absl::StatusOr<store::Principal>> CheckPassword(
      std::string_view user, std::string_view password, Connection& conn) = 0;
  // The session on `conn` no longer acts for the user it authenticated
  // (IMAP UNAUTHENTICATE): the host forgets it for who/kick.
  virtual void NoteLogout(const Connection& conn) { (void)conn; }
};

// Settings a plugin may read. Limits are explicit; the host fills defaults.
struct Config {
  std::string hostname = "localhost";
  bool allow_plaintext_auth = false;
  size_t max_line_bytes = 64 * 1024;
  size_t max_literal_bytes = 50 * 1024 * 1024;  // also the message size limit
  // A whole command with its literals. Commands that carry messages (IMAP
  // APPEND, also with MULTIAPPEND) may reach max_append_bytes; the host
  // keeps that at least max_literal_bytes plus one line.
  size_t max_command_bytes = 1024 * 1024;
  size_t max_append_bytes = 64 * 1024 * 1024;
  // Before login, a command and each of its literals stay this small, so an
  // unauthenticated connection holds little memory.
  size_t max_preauth_command_bytes = 64 * 1024;
  size_t max_preauth_literal_bytes = 4096;
  std::chrono::milliseconds idle_timeout = std::chrono::minutes(30);
  // The whole unauthenticated phase, counted from the connection's start:
  // commands sent meanwhile do not extend it.
  std::chrono::milliseconds unauthenticated_timeout = std::chrono::seconds(60);
  // LMTP: from the connection's start to LHLO, and each read of a message
  // body (DATA lines, BDAT chunks).
  std::chrono::milliseconds lmtp_lhlo_timeout = std::chrono::seconds(30);
  std::chrono::milliseconds lmtp_data_timeout = std::chrono::seconds(60);
  size_t lmtp_max_recipients = 1000;  // per transaction (RFC 5321: >= 100)
  std::vector<std::string> local_domains = {"localhost"};
  // Protocol-specific settings, "pop3.expire_days" and the like.
  std::map<std::string, std::string> options;
};

// Everything a session gets. Owned by the host; outlives the session's Task.
struct SessionContext {
  Connection* connection = nullptr;
  store::MailStore* store = nullptr;
  Authenticator* auth = nullptr;
  const Config* config = nullptr;
  bool implicit_tls = false;  // accepted on a TLS port (TLS already active)
  // LMTP only (null for other plugins): the host's own principal acting in
  // `user`'s namespace ("" for none), for what delivery does on a user's
  // behalf (Sieve scripts, marks, filing checks, the outbound queue).
  store::Principal (*delivery_principal)(std::string_view user) = nullptr;
};

struct PluginDescriptor {
  uint32_t abi_version = 0;
  const char* name = nullptr;     // "imap", "pop3", "lmtp"
  uint16_t default_port = 0;      // plaintext/STARTTLS port
  uint16_t default_tls_port = 0;  // implicit TLS port, 0 if none
  // Runs one session to its end. Must not throw.
  Task<void> (*run_session)(SessionContext* context) = nullptr;
};

}  // namespace mailroom::plugin

// The one required entry point of every plugin.
extern "C" {
using MailroomPluginEntry = const mailroom::plugin::PluginDescriptor* (*)();
}

#endif  // MAILROOM_PROTOCOLS_API_PLUGIN_H_
