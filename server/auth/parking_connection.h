// A test connection whose RunBlocking() parks each job until the test
// releases it, so work handed off the network thread stays in flight as
// long as the test wants, and the test's own thread (standing in for the
// network thread) goes on meanwhile. No timing involved.
#ifndef MAILROOM_SERVER_AUTH_PARKING_CONNECTION_H_
#define MAILROOM_SERVER_AUTH_PARKING_CONNECTION_H_

#include <coroutine>
#include <string>
#include <utility>
#include <vector>

#include "protocols/api/plugin.h"

namespace mailroom::server::auth::testing {

// Not thread-safe: one test thread drives it.
class ParkingConnection final : public plugin::Connection {
 public:
  explicit ParkingConnection(uint64_t id = 1) : id_(id) {}

  plugin::Task<absl::StatusOr<std::string>> ReadLine(
      size_t, std::chrono::milliseconds) override {
    co_return absl::UnavailableError("closed");
  }
  plugin::Task<absl::StatusOr<std::string>> ReadExactly(
      size_t, std::chrono::milliseconds) override {
    co_return absl::UnavailableError("closed");
  }
  void Write(std::string_view) override {}
  size_t buffered_output() const override { return 0; }
  plugin::Task<absl::Status> Flush() override { co_return absl::OkStatus(); }
  plugin::Task<absl::Status> StartTls() override {
    co_return absl::FailedPreconditionError("no TLS");
  }
  bool tls_active() const override { return true; }
  bool tls_available() const override { return true; }
  plugin::Task<WaitResult> WaitForInput(std::chrono::milliseconds) override {
    co_return WaitResult::kClosed;
  }
  void Wake() override {}
  plugin::Task<void> RunBlocking(std::function<void()> fn) override {
    struct Park {
      ParkingConnection* self;
      bool await_ready() const noexcept { return false; }
      void await_suspend(std::coroutine_handle<> h) {
        self->parked_.push_back(h);
      }
      void await_resume() const noexcept {}
    };
    co_await Park{this};
    fn();
  }
  plugin::Task<void> Sleep(std::chrono::milliseconds) override { co_return; }
  bool shutting_down() const override { return false; }
  uint64_t id() const override { return id_; }
  std::string peer_address() const override { return "192.0.2.1"; }
  void Log(std::string_view) override {}

  size_t parked() const { return parked_.size(); }
  // Runs every parked job (each resumes its coroutine on this thread).
  void ReleaseAll() {
    std::vector<std::coroutine_handle<>> parked;
    parked.swap(parked_);
    for (std::coroutine_handle<> h : parked) h.resume();
  }

 private:
  const uint64_t id_;
  std::vector<std::coroutine_handle<>> parked_;
};

}  // namespace mailroom::server::auth::testing

#endif  // MAILROOM_SERVER_AUTH_PARKING_CONNECTION_H_
