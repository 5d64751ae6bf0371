#include "server/auth/hash_executor.h"

#include <algorithm>
#include <coroutine>
#include <exception>
#include <memory>
#include <utility>

#include "server/connection.h"

namespace mailroom::server::auth {
namespace {

// Hops to the hashing pool and back to the connection's strand, like
// AsioConnection::RunBlocking does with the main worker pool.
struct HopAwaiter {
  asio::thread_pool* pool;
  std::shared_ptr<AsioConnection> conn;
  std::function<void()>* fn;
  std::exception_ptr error;

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    asio::post(*pool, [this, h] {
      try {
        (*fn)();
      } catch (...) {
        error = std::current_exception();
      }
      std::shared_ptr<AsioConnection> keep = conn;
      asio::post(keep->strand(), [h, keep] { h.resume(); });
    });
  }
  void await_resume() {
    if (error) std::rethrow_exception(error);
  }
};

// Releases an admission slot however the job ends.
class Slot {
 public:
  explicit Slot(std::atomic<int>* admitted) : admitted_(admitted) {}
  ~Slot() { admitted_->fetch_sub(1); }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

 private:
  std::atomic<int>* admitted_;
};

}  // namespace

HashExecutor::HashExecutor(HashExecutorOptions options)
    : capacity_(std::max(1, options.threads) + std::max(0, options.queue)),
      pool_(static_cast<size_t>(std::max(1, options.threads))) {}

HashExecutor::~HashExecutor() { pool_.join(); }

plugin::Task<absl::Status> HashExecutor::Run(plugin::Connection& conn,
                                             std::function<void()> fn) {
  if (admitted_.fetch_add(1) >= capacity_) {
    admitted_.fetch_sub(1);
    jobs_rejected_.fetch_add(1);
    co_return absl::UnavailableError("Password checks are overloaded");
  }
  Slot slot(&admitted_);
  jobs_run_.fetch_add(1);
  auto* host_conn = dynamic_cast<AsioConnection*>(&conn);
  if (host_conn == nullptr) {
    co_await conn.RunBlocking(std::move(fn));
    co_return absl::OkStatus();
  }
  HopAwaiter hop{&pool_, host_conn->shared_from_this(), &fn, nullptr};
  co_await hop;
  co_return absl::OkStatus();
}

}  // namespace mailroom::server::auth
