// The host side of plugin::Connection: one client socket (TCP or UNIX),
// optionally wrapped in TLS, with raw DEFLATE between the session's bytes
// and TLS once a plugin asks (StartCompression), driven by Asio on a strand
// of the network io_context. Plugin coroutines (plugin::Task) await the awaiters defined in
// connection.cc, which start an Asio operation and resume the coroutine from
// its completion handler on the strand, so a session never owns a thread.
#ifndef MAILROOM_SERVER_CONNECTION_H_
#define MAILROOM_SERVER_CONNECTION_H_

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "protocols/api/plugin.h"
#include "server/deflate_stream.h"
#include "server/log.h"

namespace mailroom::server {

using Socket = asio::generic::stream_protocol::socket;
using Strand = asio::strand<asio::io_context::executor_type>;

// What a connection needs from the server. Owned by the server; outlives
// every connection.
struct ConnectionEnv {
  asio::thread_pool* workers = nullptr;   // runs RunBlocking()
  const std::atomic<bool>* shutting_down = nullptr;
  // The TLS context for new handshakes, or nullptr when TLS is not
  // configured. Called on the connection's strand.
  std::function<std::shared_ptr<asio::ssl::context>()> tls_context;
  // Upper bound for one Flush().
  std::chrono::milliseconds write_timeout = std::chrono::seconds(120);
  // Upper bound for a TLS handshake (a silent client must not hold a slot).
  std::chrono::milliseconds handshake_timeout = std::chrono::seconds(60);
  Logger* logger = nullptr;
  // COMPRESS=DEFLATE for plugins that ask (StartCompression()).
  DeflateSettings compression;
};

// Thread-safety: every method except Wake(), NotifyShutdown(), ForceClose()
// and the const accessors must run on strand() (the session coroutine does).
class AsioConnection final
    : public plugin::Connection,
      public std::enable_shared_from_this<AsioConnection> {
 public:
  AsioConnection(Socket socket, Strand strand, uint64_t id, std::string peer,
                 const ConnectionEnv* env);
  ~AsioConnection() override;

  AsioConnection(const AsioConnection&) = delete;
  AsioConnection& operator=(const AsioConnection&) = delete;

  // ---- plugin::Connection ------------------------------------------------
  plugin::Task<absl::StatusOr<std::string>> ReadLine(
      size_t max_bytes, std::chrono::milliseconds timeout) override;
  plugin::Task<absl::StatusOr<std::string>> ReadExactly(
      size_t n, std::chrono::milliseconds timeout) override;
  void Write(std::string_view bytes) override;
  size_t buffered_output() const override { return out_.size(); }
  plugin::Task<absl::Status> Flush() override;
  plugin::Task<absl::Status> StartTls() override;
  bool tls_active() const override { return tls_ != nullptr; }
  bool tls_available() const override;
  absl::Status StartCompression() override;
  bool compression_active() const override { return deflate_ != nullptr; }
  bool compression_available() const override {
    return env_->compression.enabled;
  }
  plugin::Task<WaitResult> WaitForInput(
      std::chrono::milliseconds timeout) override;
  void Wake() override;
  plugin::Task<void> RunBlocking(std::function<void()> fn) override;
  plugin::Task<void> Sleep(std::chrono::milliseconds duration) override;
  bool shutting_down() const override;
  uint64_t id() const override { return id_; }
  std::string peer_address() const override { return peer_; }
  void Log(std::string_view message) override;

  // ---- host side ---------------------------------------------------------
  // TLS handshake of an implicit-TLS listener, before the session starts.
  plugin::Task<absl::Status> StartImplicitTls();
  // Any thread: a ReadLine waiting for a command returns kCancelled and a
  // WaitForInput returns kWoken.
  void NotifyShutdown();
  // Any thread: closes the socket; pending operations fail.
  void ForceClose();
  // Any thread: this session alone is shut down (shutting_down() becomes
  // true, as in NotifyShutdown) and closed after `grace` if still open.
  void Kick(std::chrono::milliseconds grace);
  // On the strand: sends TLS close_notify if needed and closes the socket.
  void Close();

  Strand& strand() { return strand_; }

  // Result of one Asio operation (error and bytes transferred).
  struct IoResult {
    asio::error_code ec;
    size_t bytes = 0;
  };

 private:
  enum class FillOutcome { kOk, kTimeout, kCancelled, kClosed };

  template <typename Initiate>
  plugin::Task<IoResult> Timed(std::chrono::steady_clock::time_point deadline,
                               Initiate initiate);
  // Makes deadline_timer_ fire no later than op_deadline_. The timer is left
  // running between operations and only moved earlier, so most operations
  // start and finish without touching it.
  void ArmDeadlineTimer();
  // Plain sockets only: sends what the kernel takes without waiting. Returns
  // the bytes sent; `ec` is would_block when the socket buffer is full.
  size_t SendNow(std::string_view data, asio::error_code& ec);
  // Plain sockets only: one read of what has arrived, without waiting.
  size_t ReceiveNow(char* dst, size_t n, asio::error_code& ec);
  bool plain() const { return tls_ == nullptr && deflate_ == nullptr; }
  // Reads more bytes into in_. `waiting_for_command`: nothing of the next
  // command has arrived yet, so a shutdown may interrupt the wait.
  plugin::Task<FillOutcome> FillBuffer(
      std::chrono::steady_clock::time_point deadline,
      bool waiting_for_command);
  plugin::Task<absl::Status> Handshake();
  // One read from the socket (through TLS when on) into dst[0, n).
  plugin::Task<IoResult> ReadSome(std::chrono::steady_clock::time_point deadline,
                                  char* dst, size_t n);
  // FillBuffer's compressed path: decompresses queued input into in_, or
  // reads more compressed bytes first.
  plugin::Task<FillOutcome> FillDecompressed(
      std::chrono::steady_clock::time_point deadline);
  bool input_pending() const;
  // What a failed read means: shutdown, timeout or a closed peer.
  FillOutcome ClassifyReadError();
  void CompactInput();
  size_t buffered_input() const { return in_.size() - in_pos_; }
  void CancelSocketOps();

  Socket socket_;
  Strand strand_;
  const uint64_t id_;
  const std::string peer_;
  const ConnectionEnv* env_;

  std::shared_ptr<asio::ssl::context> tls_context_;  // keeps tls_ valid
  std::unique_ptr<asio::ssl::stream<Socket&>> tls_;

  std::string in_;
  size_t in_pos_ = 0;
  std::string out_;
  // Set by StartCompression(); between the session's bytes and TLS.
  std::unique_ptr<DeflateStream> deflate_;

  // WaitForInput's timer; op_generation_ tells a stale callback from the
  // current one.
  asio::steady_timer timer_;
  uint64_t op_generation_ = 0;
  // The deadline of the socket operation in flight (Timed), enforced by
  // deadline_timer_, which may be set to fire earlier than op_deadline_
  // (then it moves itself on) but never later.
  asio::steady_timer deadline_timer_;
  std::chrono::steady_clock::time_point op_deadline_;
  bool op_in_flight_ = false;
  bool deadline_timer_armed_ = false;
  uint64_t deadline_timer_generation_ = 0;
  bool op_timed_out_ = false;
  bool waiting_for_command_ = false;
  bool cancelled_by_shutdown_ = false;

  // WaitForInput state (strand only).
  struct PendingWait;
  std::shared_ptr<PendingWait> pending_wait_;
  // Set by Wake() from any thread; consumed by WaitForInput.
  std::atomic<bool> wake_pending_{false};
  bool shutdown_seen_ = false;
  std::atomic<bool> kicked_{false};
  bool closed_ = false;
};

}  // namespace mailroom::server

#endif  // MAILROOM_SERVER_CONNECTION_H_
