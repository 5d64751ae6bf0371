#include "server/auth/hash_executor.h"

#include <coroutine>
#include <vector>

#include "gtest/gtest.h"

namespace mailroom::server::auth {
namespace {

// A connection whose RunBlocking() parks the job until the test releases
// it, so jobs stay in flight as long as the test wants.
class ParkingConnection final : public plugin::Connection {
 public:
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
  bool tls_active() const override { return false; }
  bool tls_available() const override { return false; }
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
  uint64_t id() const override { return 1; }
  std::string peer_address() const override { return "192.0.2.1"; }
  void Log(std::string_view) override {}

  size_t parked() const { return parked_.size(); }
  void ReleaseAll() {
    std::vector<std::coroutine_handle<>> parked;
    parked.swap(parked_);
    for (std::coroutine_handle<> h : parked) h.resume();
  }

 private:
  std::vector<std::coroutine_handle<>> parked_;
};

TEST(HashExecutor, FullQueueFailsFastWithUnavailable) {
  HashExecutor executor({/*threads=*/1, /*queue=*/2});
  ParkingConnection conn;
  std::vector<absl::Status> results;
  int ran = 0;
  auto start = [&] {
    plugin::Spawn([](HashExecutor& executor, ParkingConnection& conn,
                     std::vector<absl::Status>& results,
                     int& ran) -> plugin::Task<void> {
      results.push_back(co_await executor.Run(conn, [&ran] { ++ran; }));
    }(executor, conn, results, ran));
  };
  for (int i = 0; i < 5; ++i) start();
  // One running plus two queued are in flight; the other two were turned
  // away at once, without running.
  EXPECT_EQ(conn.parked(), 3u);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(absl::IsUnavailable(results[0]));
  EXPECT_TRUE(absl::IsUnavailable(results[1]));
  EXPECT_EQ(executor.jobs_rejected(), 2u);

  conn.ReleaseAll();
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(ran, 3);
  for (size_t i = 2; i < results.size(); ++i) EXPECT_TRUE(results[i].ok());
  // Slots are free again.
  start();
  EXPECT_EQ(conn.parked(), 1u);
  conn.ReleaseAll();
  EXPECT_EQ(ran, 4);
  EXPECT_EQ(executor.jobs_run(), 4u);
}

}  // namespace
}  // namespace mailroom::server::auth
