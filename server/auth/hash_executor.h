// Runs password hashing (PBKDF2, 100,000 iterations per check) on a few
// threads of its own, apart from the worker pool that serves store calls, so
// a flood of login attempts cannot stall deliveries or other sessions.
//
// At most `threads` checks run and `queue` more wait; beyond that Run()
// fails at once with kUnavailable instead of queueing without bound, and the
// client is told to try again later.
//
// Thread-safe.
#ifndef MAILROOM_SERVER_AUTH_HASH_EXECUTOR_H_
#define MAILROOM_SERVER_AUTH_HASH_EXECUTOR_H_

#include <asio.hpp>
#include <atomic>
#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "protocols/api/plugin.h"

namespace mailroom::server::auth {

struct HashExecutorOptions {
  int threads = 2;
  int queue = 32;
};

class HashExecutor {
 public:
  explicit HashExecutor(HashExecutorOptions options = {});
  // Waits for the jobs in flight.
  ~HashExecutor();

  HashExecutor(const HashExecutor&) = delete;
  HashExecutor& operator=(const HashExecutor&) = delete;

  // Runs `fn` on a hashing thread and resumes the session on its own
  // executor afterwards. kUnavailable, without running `fn`, when the
  // threads and the queue are all taken. A connection that is not the
  // host's (a test double) runs `fn` through its RunBlocking().
  plugin::Task<absl::Status> Run(plugin::Connection& conn,
                                 std::function<void()> fn);

  // Jobs started since construction (hashes computed), and jobs turned
  // away because the queue was full.
  uint64_t jobs_run() const { return jobs_run_.load(); }
  uint64_t jobs_rejected() const { return jobs_rejected_.load(); }

 private:
  const int capacity_;  // threads + queue
  asio::thread_pool pool_;
  std::atomic<int> admitted_{0};
  std::atomic<uint64_t> jobs_run_{0};
  std::atomic<uint64_t> jobs_rejected_{0};
};

}  // namespace mailroom::server::auth

#endif  // MAILROOM_SERVER_AUTH_HASH_EXECUTOR_H_
