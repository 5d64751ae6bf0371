// A scripted plugin::Connection for protocol unit tests: the client's bytes
// are queued up front, the server's flushed output is collected. Every
// operation completes at once, so a session Task run with plugin::Spawn()
// finishes before Spawn returns.
//
// Thread-safety: not thread-safe.
#ifndef MAILROOM_PROTOCOLS_POP3_TESTING_FAKE_CONNECTION_H_
#define MAILROOM_PROTOCOLS_POP3_TESTING_FAKE_CONNECTION_H_

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "protocols/api/plugin.h"

namespace mailroom::testing {

class FakeConnection : public plugin::Connection {
 public:
  // Bytes the client sends.
  void AddInput(std::string_view bytes) { input_.append(bytes); }
  // What reads return once the input is used up (default: the peer closed).
  void set_end_of_input(absl::StatusCode code) { end_code_ = code; }
  // Called with each line just before ReadLine returns it: lets a test act
  // as another session between two commands.
  void set_line_hook(std::function<void(std::string_view)> hook) {
    line_hook_ = std::move(hook);
  }
  void set_tls_available(bool available) { tls_available_ = available; }
  void set_tls_active(bool active) { tls_active_ = active; }

  // Everything flushed so far.
  const std::string& output() const { return output_; }
  // Queued but never flushed.
  const std::string& unflushed() const { return pending_; }
  int tls_starts() const { return tls_starts_; }
  std::chrono::milliseconds last_timeout() const { return last_timeout_; }

  plugin::Task<absl::StatusOr<std::string>> ReadLine(
      size_t max_bytes, std::chrono::milliseconds timeout) override;
  plugin::Task<absl::StatusOr<std::string>> ReadExactly(
      size_t n, std::chrono::milliseconds timeout) override;
  void Write(std::string_view bytes) override { pending_.append(bytes); }
  size_t buffered_output() const override { return pending_.size(); }
  plugin::Task<absl::Status> Flush() override;
  plugin::Task<absl::Status> StartTls() override;
  bool tls_active() const override { return tls_active_; }
  bool tls_available() const override { return tls_available_; }
  plugin::Task<WaitResult> WaitForInput(
      std::chrono::milliseconds timeout) override;
  void Wake() override {}
  plugin::Task<void> RunBlocking(std::function<void()> fn) override;
  plugin::Task<void> Sleep(std::chrono::milliseconds duration) override;
  bool shutting_down() const override { return false; }
  uint64_t id() const override { return 1; }
  std::string peer_address() const override { return "127.0.0.1:1"; }
  void Log(std::string_view message) override { log_.append(message); }
  const std::string& log() const { return log_; }

 private:
  absl::Status EndOfInput() const;

  std::string input_;
  size_t read_pos_ = 0;
  absl::StatusCode end_code_ = absl::StatusCode::kUnavailable;
  std::function<void(std::string_view)> line_hook_;
  std::string pending_;
  std::string output_;
  std::string log_;
  bool tls_available_ = false;
  bool tls_active_ = false;
  int tls_starts_ = 0;
  std::chrono::milliseconds last_timeout_{0};
};

}  // namespace mailroom::testing

#endif  // MAILROOM_PROTOCOLS_POP3_TESTING_FAKE_CONNECTION_H_
