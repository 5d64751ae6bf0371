#include "server/connection.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <coroutine>
#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"

namespace mailroom::server {
namespace {

using plugin::Task;
using Clock = std::chrono::steady_clock;

constexpr size_t kReadChunk = 4096;
constexpr size_t kBigReadChunk = 64 * 1024;
// How long a compressed session waits for its next command before its
// compressor is freed (DeflateStream::ReleaseCompressor).
constexpr std::chrono::seconds kCompressorIdleGrace{2};

// A plugin may pass an enormous timeout; keep the deadline representable.
Clock::time_point DeadlineAfter(std::chrono::milliseconds timeout) {
  constexpr auto kMax = std::chrono::hours(24 * 365);
  return Clock::now() + std::min<std::chrono::milliseconds>(
                            std::max(timeout, std::chrono::milliseconds(0)),
                            kMax);
}

// Starts an Asio operation from await_suspend and resumes the awaiting
// coroutine from the completion handler, which runs on the connection's
// strand. The handler keeps the connection alive until it has run.
template <typename Initiate>
struct AsioOpAwaiter {
  std::shared_ptr<AsioConnection> self;
  Initiate initiate;
  AsioConnection::IoResult result;

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    initiate(asio::bind_executor(
        self->strand(),
        [this, h, keep = self](asio::error_code ec, size_t n = 0) {
          result.ec = ec;
          result.bytes = n;
          h.resume();
        }));
  }
  AsioConnection::IoResult await_resume() { return result; }
};

}  // namespace

struct AsioConnection::PendingWait {
  std::coroutine_handle<> handle;
  WaitResult result = WaitResult::kTimeout;
  bool done = false;
};

AsioConnection::AsioConnection(Socket socket, Strand strand, uint64_t id,
                               std::string peer, const ConnectionEnv* env)
    : socket_(std::move(socket)),
      strand_(std::move(strand)),
      id_(id),
      peer_(std::move(peer)),
      env_(env),
      timer_(strand_),
      deadline_timer_(strand_) {}

AsioConnection::~AsioConnection() = default;

template <typename Initiate>
Task<AsioConnection::IoResult> AsioConnection::Timed(
    Clock::time_point deadline, Initiate initiate) {
  op_timed_out_ = false;
  op_deadline_ = deadline;
  op_in_flight_ = true;
  ArmDeadlineTimer();
  // Named, not a temporary: g++ 12 may destroy a brace-initialised
  // temporary awaiter twice inside a co_await expression.
  AsioOpAwaiter<Initiate> awaiter{shared_from_this(), std::move(initiate), {}};
  IoResult r = co_await awaiter;
  op_in_flight_ = false;
  co_return r;
}

void AsioConnection::ArmDeadlineTimer() {
  // Setting a timer costs a system call and cancelling one a handler run;
  // a command/reply exchange used to do both twice.
  if (deadline_timer_armed_ && deadline_timer_.expiry() <= op_deadline_) {
    return;
  }
  deadline_timer_armed_ = true;
  const uint64_t generation = ++deadline_timer_generation_;
  deadline_timer_.expires_at(op_deadline_);  // drops an earlier wait
  // A weak reference: the timer may outlive the session's last operation.
  deadline_timer_.async_wait(asio::bind_executor(
      strand_, [weak = weak_from_this(), generation](asio::error_code ec) {
        std::shared_ptr<AsioConnection> self = weak.lock();
        if (ec || self == nullptr ||
            self->deadline_timer_generation_ != generation) {
          return;
        }
        self->deadline_timer_armed_ = false;
        if (!self->op_in_flight_) return;
        if (Clock::now() < self->op_deadline_) {
          self->ArmDeadlineTimer();  // set for an earlier operation
          return;
        }
        self->op_timed_out_ = true;
        self->CancelSocketOps();
      }));
}

size_t AsioConnection::SendNow(std::string_view data, asio::error_code& ec) {
  ec.clear();
  if (!socket_.non_blocking()) {
    socket_.non_blocking(true, ec);
    if (ec) return 0;
  }
  size_t sent = 0;
  while (sent < data.size()) {
    sent += socket_.send(
        asio::buffer(data.data() + sent, data.size() - sent), 0, ec);
    if (ec) break;
  }
  return sent;
}

size_t AsioConnection::ReceiveNow(char* dst, size_t n, asio::error_code& ec) {
  ec.clear();
  if (!socket_.non_blocking()) {
    socket_.non_blocking(true, ec);
    if (ec) return 0;
  }
  return socket_.receive(asio::buffer(dst, n), 0, ec);
}

void AsioConnection::CancelSocketOps() {
  asio::error_code ignored;
  socket_.cancel(ignored);
}

bool AsioConnection::shutting_down() const {
  if (kicked_.load()) return true;
  return env_->shutting_down != nullptr && env_->shutting_down->load();
}

bool AsioConnection::tls_available() const {
  return env_->tls_context && env_->tls_context() != nullptr;
}

void AsioConnection::Log(std::string_view message) {
  if (env_->logger != nullptr) env_->logger->SessionLog(id_, message);
}

void AsioConnection::CompactInput() {
  if (in_pos_ == in_.size()) {
    in_.clear();
    in_pos_ = 0;
    // An idle connection should not keep a large buffer alive.
    if (in_.capacity() > kBigReadChunk) in_.shrink_to_fit();
  } else if (in_pos_ > kReadChunk) {
    in_.erase(0, in_pos_);
    in_pos_ = 0;
  }
}

bool AsioConnection::input_pending() const {
  // Besides a decrypted record not read yet (SSL_pending), whole records
  // may wait in the TLS engine's input BIO: read from the socket together
  // with an earlier record, they never make the socket readable again.
  return (tls_ != nullptr && (SSL_pending(tls_->native_handle()) > 0 ||
                              BIO_ctrl_pending(SSL_get_rbio(
                                  tls_->native_handle())) > 0)) ||
         (deflate_ != nullptr && deflate_->HasPendingInput());
}

AsioConnection::FillOutcome AsioConnection::ClassifyReadError() {
  if (cancelled_by_shutdown_) {
    cancelled_by_shutdown_ = false;
    return FillOutcome::kCancelled;
  }
  if (op_timed_out_) return FillOutcome::kTimeout;
  return FillOutcome::kClosed;
}

Task<AsioConnection::IoResult> AsioConnection::ReadSome(
    Clock::time_point deadline, char* dst, size_t n) {
  co_return co_await Timed(deadline, [this, dst, n](auto handler) {
    auto buffer = asio::buffer(dst, n);
    if (tls_ != nullptr) {
      tls_->async_read_some(buffer, std::move(handler));
    } else {
      socket_.async_read_some(buffer, std::move(handler));
    }
  });
}

Task<AsioConnection::FillOutcome> AsioConnection::FillBuffer(
    Clock::time_point deadline, bool waiting_for_command) {
  if (closed_) co_return FillOutcome::kClosed;
  if (waiting_for_command) {
    if (shutting_down()) co_return FillOutcome::kCancelled;
    if (!input_pending()) {
      // Wait for readability first so an idle session holds no read buffer;
      // the buffers' capacity goes too (4 KB and more a connection).
      if (in_pos_ == in_.size()) {
        std::string().swap(in_);
        in_pos_ = 0;
      }
      if (out_.empty()) std::string().swap(out_);
      waiting_for_command_ = true;
      cancelled_by_shutdown_ = false;
      auto wait_read = [this](auto handler) {
        socket_.async_wait(Socket::wait_read, std::move(handler));
      };
      IoResult r;
      if (deflate_ != nullptr && deflate_->holds_compressor() &&
          Clock::now() + kCompressorIdleGrace < deadline) {
        // A compressed session idle past the grace gives its compressor
        // back (tens of KiB); a busy one keeps the history that makes its
        // next responses smaller.
        r = co_await Timed(Clock::now() + kCompressorIdleGrace, wait_read);
        if (r.ec && op_timed_out_ && !cancelled_by_shutdown_) {
          deflate_->ReleaseCompressor();
          r = co_await Timed(deadline, wait_read);
        }
      } else {
        r = co_await Timed(deadline, wait_read);
      }
      waiting_for_command_ = false;
      if (r.ec) co_return ClassifyReadError();
    }
  }
  if (deflate_ != nullptr) co_return co_await FillDecompressed(deadline);
  const size_t old_size = in_.size();
  const size_t want = in_.capacity() - old_size >= kReadChunk
                          ? in_.capacity() - old_size
                          : kReadChunk;
  in_.resize(old_size + want);
  if (plain()) {
    // Usually the bytes are there (the socket was readable, or the rest of
    // a line follows its start): read them without a trip through the
    // event loop.
    asio::error_code ec;
    const size_t n = ReceiveNow(in_.data() + old_size, want, ec);
    in_.resize(old_size + n);
    if (n > 0) co_return FillOutcome::kOk;
    if (ec != asio::error::would_block && ec != asio::error::try_again) {
      co_return FillOutcome::kClosed;
    }
    in_.resize(old_size + want);
  }
  IoResult r = co_await ReadSome(deadline, in_.data() + old_size, want);
  in_.resize(old_size + r.bytes);
  if (r.bytes == 0) {
    co_return r.ec ? ClassifyReadError() : FillOutcome::kClosed;
  }
  co_return FillOutcome::kOk;
}

Task<AsioConnection::FillOutcome> AsioConnection::FillDecompressed(
    Clock::time_point deadline) {
  for (;;) {
    if (deflate_->HasPendingInput()) {
      // At most the room in_ already has (a literal reserves its size), so
      // decompressed bytes never outgrow what the reader asked for.
      const size_t old_size = in_.size();
      const size_t want = in_.capacity() - old_size >= kReadChunk
                              ? in_.capacity() - old_size
                              : kReadChunk;
      in_.resize(old_size + want);
      absl::StatusOr<size_t> n =
          deflate_->Inflate(in_.data() + old_size, want);
      in_.resize(old_size + (n.ok() ? *n : 0));
      if (!n.ok()) {
        Log(absl::StrCat("closing the connection: ", n.status().message()));
        Close();
        co_return FillOutcome::kClosed;
      }
      if (*n > 0) co_return FillOutcome::kOk;
    }
    std::string chunk(kReadChunk, '\0');
    IoResult r = co_await ReadSome(deadline, chunk.data(), chunk.size());
    if (r.bytes == 0) {
      co_return r.ec ? ClassifyReadError() : FillOutcome::kClosed;
    }
    deflate_->AddInput(std::string_view(chunk.data(), r.bytes));
  }
}

namespace {
absl::Status OutcomeToStatus(int outcome) {
  switch (outcome) {
    case 1:
      return absl::DeadlineExceededError("timed out waiting for input");
    case 2:
      return absl::CancelledError("server shutting down");
    default:
      return absl::UnavailableError("connection closed");
  }
}
}  // namespace

Task<absl::StatusOr<std::string>> AsioConnection::ReadLine(
    size_t max_bytes, std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = DeadlineAfter(timeout);
  bool discarding = false;  // the line is too long: drop until its end
  size_t scanned = 0;       // bytes after in_pos_ known to hold no LF
  for (;;) {
    const size_t nl = in_.find('\n', in_pos_ + scanned);
    if (nl != std::string::npos) {
      size_t end = nl;
      if (end > in_pos_ && in_[end - 1] == '\r') --end;
      const size_t length = end - in_pos_;
      std::string line;
      const bool too_long = discarding || length > max_bytes;
      if (!too_long) line.assign(in_, in_pos_, length);
      in_pos_ = nl + 1;
      CompactInput();
      if (too_long) {
        co_return absl::ResourceExhaustedError(
            absl::StrCat("line longer than ", max_bytes, " bytes"));
      }
      co_return line;
    }
    // No line end yet. One extra byte allows for the CR of a CRLF.
    if (buffered_input() > max_bytes + 1) {
      discarding = true;
      in_.clear();
      in_pos_ = 0;
      scanned = 0;
    } else {
      scanned = buffered_input();
    }
    const bool waiting_for_command = buffered_input() == 0 && !discarding;
    const FillOutcome outcome =
        co_await FillBuffer(deadline, waiting_for_command);
    if (outcome != FillOutcome::kOk) {
      co_return OutcomeToStatus(static_cast<int>(outcome));
    }
  }
}

Task<absl::StatusOr<std::string>> AsioConnection::ReadExactly(
    size_t n, std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = DeadlineAfter(timeout);
  if (buffered_input() < n) {
    // Large literals: one allocation, big reads.
    in_.reserve(in_pos_ + std::min(n, size_t{64} * 1024 * 1024) + kReadChunk);
  }
  while (buffered_input() < n) {
    const FillOutcome outcome = co_await FillBuffer(deadline, false);
    if (outcome != FillOutcome::kOk) {
      co_return OutcomeToStatus(static_cast<int>(outcome));
    }
  }
  std::string data(in_, in_pos_, n);
  in_pos_ += n;
  CompactInput();
  co_return data;
}

void AsioConnection::Write(std::string_view bytes) { out_.append(bytes); }

Task<absl::Status> AsioConnection::Flush() {
  if (out_.empty()) co_return absl::OkStatus();
  if (closed_) co_return absl::UnavailableError("connection closed");
  std::string data;
  if (deflate_ != nullptr) {
    const absl::Status compressed = deflate_->Compress(out_, &data);
    std::string().swap(out_);  // an idle session keeps no output buffer
    if (!compressed.ok()) {
      Log(absl::StrCat("closing the connection: ", compressed.message()));
      Close();
      co_return absl::UnavailableError("compression failed");
    }
  } else {
    data.swap(out_);
  }
  size_t sent = 0;
  if (tls_ == nullptr) {
    // What fits in the socket buffer goes now; only the rest waits on the
    // event loop (and the write timeout).
    asio::error_code ec;
    sent = SendNow(data, ec);
    if (sent == data.size()) {
      // A long reply (FETCH 1:*) is written in many rounds: keep the
      // buffer's capacity instead of growing a new one each time. Waiting
      // for the next command drops it (FillBuffer).
      if (out_.empty()) {
        data.clear();
        out_.swap(data);
      }
      co_return absl::OkStatus();
    }
    if (ec != asio::error::would_block && ec != asio::error::try_again) {
      co_return absl::UnavailableError("connection closed");
    }
  }
  IoResult r = co_await Timed(
      DeadlineAfter(env_->write_timeout), [this, &data, sent](auto handler) {
        const auto rest = asio::buffer(data.data() + sent, data.size() - sent);
        if (tls_ != nullptr) {
          asio::async_write(*tls_, rest, std::move(handler));
        } else {
          asio::async_write(socket_, rest, std::move(handler));
        }
      });
  if (r.ec) {
    co_return absl::UnavailableError(op_timed_out_ ? "write timed out"
                                                   : "connection closed");
  }
  co_return absl::OkStatus();
}

Task<absl::Status> AsioConnection::Handshake() {
  std::shared_ptr<asio::ssl::context> context =
      env_->tls_context ? env_->tls_context() : nullptr;
  if (context == nullptr) {
    co_return absl::FailedPreconditionError("TLS is not configured");
  }
  tls_context_ = std::move(context);
  tls_ = std::make_unique<asio::ssl::stream<Socket&>>(socket_, *tls_context_);
  IoResult r = co_await Timed(
      DeadlineAfter(env_->handshake_timeout), [this](auto handler) {
        tls_->async_handshake(asio::ssl::stream_base::server,
                              std::move(handler));
      });
  if (r.ec) {
    closed_ = true;
    co_return absl::UnavailableError(
        absl::StrCat("TLS handshake failed: ",
                     op_timed_out_ ? "timed out" : r.ec.message()));
  }
  co_return absl::OkStatus();
}

Task<absl::Status> AsioConnection::StartTls() {
  if (tls_ != nullptr) {
    co_return absl::FailedPreconditionError("TLS is already active");
  }
  if (deflate_ != nullptr) {
    // TLS must wrap the compressed stream (RFC 4978 section 3), not sit
    // inside it.
    co_return absl::FailedPreconditionError("compression is active");
  }
  if (!tls_available()) {
    co_return absl::FailedPreconditionError("TLS is not available");
  }
  if (buffered_input() > 0) {
    co_return absl::FailedPreconditionError(
        "input arrived after the STARTTLS command");
  }
  absl::Status flushed = co_await Flush();
  if (!flushed.ok()) co_return flushed;
  co_return co_await Handshake();
}

absl::Status AsioConnection::StartCompression() {
  if (deflate_ != nullptr) {
    return absl::FailedPreconditionError("compression is already active");
  }
  if (!env_->compression.enabled) {
    return absl::FailedPreconditionError("compression is not offered");
  }
  if (!out_.empty()) {
    return absl::FailedPreconditionError("output is still queued");
  }
  absl::StatusOr<std::unique_ptr<DeflateStream>> stream =
      DeflateStream::Create(env_->compression);
  if (!stream.ok()) return stream.status();
  deflate_ = std::move(*stream);
  if (buffered_input() > 0) {
    // Sent after the command: the client's first compressed bytes.
    deflate_->AddInput(std::string_view(in_).substr(in_pos_));
    in_.clear();
    in_pos_ = 0;
  }
  Log(absl::StrCat("compression on: DEFLATE level ", env_->compression.level,
                   ", window bits ", env_->compression.window_bits,
                   ", memory level ", env_->compression.memory_level));
  return absl::OkStatus();
}

Task<absl::Status> AsioConnection::StartImplicitTls() {
  co_return co_await Handshake();
}

void AsioConnection::Wake() {
  wake_pending_.store(true);
  asio::post(strand_, [self = shared_from_this()] {
    const std::shared_ptr<PendingWait> wait = self->pending_wait_;
    if (wait == nullptr || wait->done) return;
    if (!self->wake_pending_.exchange(false)) return;
    wait->done = true;
    wait->result = WaitResult::kWoken;
    self->pending_wait_.reset();
    ++self->op_generation_;
    self->timer_.cancel();
    self->CancelSocketOps();
    wait->handle.resume();
  });
}

Task<plugin::Connection::WaitResult> AsioConnection::WaitForInput(
    std::chrono::milliseconds timeout) {
  if (buffered_input() > 0 || input_pending()) {
    co_return WaitResult::kInput;
  }
  if (wake_pending_.exchange(false)) co_return WaitResult::kWoken;
  if (closed_) co_return WaitResult::kClosed;
  // A session waiting here (IDLE) keeps no output buffer (see Flush).
  if (out_.empty()) std::string().swap(out_);
  if (shutting_down()) {
    // Once to let the session say goodbye, then the connection is over.
    if (!shutdown_seen_) {
      shutdown_seen_ = true;
      co_return WaitResult::kWoken;
    }
    co_return WaitResult::kClosed;
  }

  auto wait = std::make_shared<PendingWait>();
  pending_wait_ = wait;
  // Three sources race (input, timer, Wake/shutdown); the first one to run
  // on the strand marks the wait done and resumes the session.
  auto finish = [](const std::shared_ptr<AsioConnection>& self,
                   const std::shared_ptr<PendingWait>& w, WaitResult result) {
    w->done = true;
    w->result = result;
    if (self->pending_wait_ == w) self->pending_wait_.reset();
    ++self->op_generation_;
    self->timer_.cancel();
    self->CancelSocketOps();
    w->handle.resume();
  };
  struct Awaiter {
    AsioConnection* self;
    std::shared_ptr<PendingWait> wait;
    std::chrono::milliseconds timeout;
    decltype(finish) finish_fn;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      wait->handle = h;
      std::shared_ptr<AsioConnection> keep = self->shared_from_this();
      ++self->op_generation_;
      self->timer_.expires_at(DeadlineAfter(timeout));
      self->timer_.async_wait(asio::bind_executor(
          self->strand_, [keep, w = wait, f = finish_fn](asio::error_code ec) {
            if (ec || w->done) return;
            f(keep, w, WaitResult::kTimeout);
          }));
      self->socket_.async_wait(
          Socket::wait_read,
          asio::bind_executor(self->strand_, [keep, w = wait, f = finish_fn](
                                                 asio::error_code ec) {
            if (w->done) return;
            f(keep, w, ec ? WaitResult::kClosed : WaitResult::kInput);
          }));
    }
    WaitResult await_resume() const { return wait->result; }
  };
  Awaiter awaiter{this, wait, timeout, finish};
  WaitResult result = co_await awaiter;
  if (result == WaitResult::kWoken && shutting_down()) shutdown_seen_ = true;
  co_return result;
}

Task<void> AsioConnection::RunBlocking(std::function<void()> fn) {
  struct Awaiter {
    AsioConnection* self;
    std::function<void()> fn;
    std::exception_ptr error;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      asio::post(*self->env_->workers,
                 [this, h, keep = self->shared_from_this()] {
                   try {
                     fn();
                   } catch (...) {
                     error = std::current_exception();
                   }
                   // Resume on the session's own strand, never the worker.
                   asio::post(keep->strand_, [h, keep] { h.resume(); });
                 });
    }
    void await_resume() {
      if (error) std::rethrow_exception(error);
    }
  };
  Awaiter awaiter{this, std::move(fn), nullptr};
  co_await awaiter;
}

Task<void> AsioConnection::Sleep(std::chrono::milliseconds duration) {
  asio::steady_timer timer(strand_);
  timer.expires_at(DeadlineAfter(duration));
  AsioOpAwaiter awaiter{shared_from_this(),
                        [&timer](auto handler) {
                          timer.async_wait(std::move(handler));
                        },
                        {}};
  co_await awaiter;
}

void AsioConnection::NotifyShutdown() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->waiting_for_command_) {
      self->cancelled_by_shutdown_ = true;
      self->CancelSocketOps();
    }
  });
  // A session in IDLE wakes up, sees shutting_down() and says goodbye.
  Wake();
}

void AsioConnection::Close() {
  if (closed_) return;
  closed_ = true;
  if (deflate_ != nullptr) {
    Log(absl::StrCat("compressed output: ", deflate_->plain_out(), " -> ",
                     deflate_->compressed_out(), " bytes"));
  }
  asio::error_code ignored;
  socket_.shutdown(asio::socket_base::shutdown_both, ignored);
  socket_.close(ignored);
}

void AsioConnection::ForceClose() {
  asio::post(strand_, [self = shared_from_this()] { self->Close(); });
}

void AsioConnection::Kick(std::chrono::milliseconds grace) {
  kicked_.store(true);
  NotifyShutdown();
  auto timer = std::make_shared<asio::steady_timer>(strand_, grace);
  timer->async_wait([timer, self = shared_from_this()](const asio::error_code&) {
    self->Close();
  });
}

}  // namespace mailroom::server
