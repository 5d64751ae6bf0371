// The host's outbound relay worker: claims the store's due outbound
// messages (Store::ClaimOutbound, so several nodes share one queue without
// sending a message twice), hands each to the SMTP relay, and removes it
// on success or on a permanent refusal (logged with the relay's reason),
// or defers it with exponential back-off on a temporary failure until it
// is older than max_age (then it is dropped, logged).
//
// Thread-safety: Start and Stop from one thread; the work runs on the
// worker's own thread.
#ifndef MAILROOM_SERVER_OUTBOUND_RELAY_WORKER_H_
#define MAILROOM_SERVER_OUTBOUND_RELAY_WORKER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "server/outbound/smtp_client.h"
#include "store/store.h"

namespace mailroom::server::outbound {

struct RelayWorkerOptions {
  SmtpRelay relay;
  // How often the queue is looked at: a message queued on this node waits
  // at most this long, and so does one queued on another node.
  int64_t poll_ms = 500;
  int64_t retry_seconds = 60;        // first back-off after a failure
  int64_t max_retry_seconds = 3600;  // back-off ceiling
  int64_t max_age_seconds = 5 * 86400;
  size_t batch = 16;  // messages claimed at once
};

// The back-off before attempt `attempts` + 1: retry_seconds doubled per
// failed attempt, at most max_retry_seconds.
int64_t RetryDelay(const RelayWorkerOptions& options, uint32_t attempts);

class RelayWorker {
 public:
  // `store` and `log` must outlive the worker.
  RelayWorker(store::Store* store, RelayWorkerOptions options,
              std::function<void(std::string_view)> log);
  ~RelayWorker();  // Stop()
  void Start();
  // Finishes the message in hand (bounded by the relay timeouts) and joins.
  void Stop();

  // One pass: claims and sends what is due now. Returns how many were
  // claimed. (The thread's body; tests and benchmarks call it directly.)
  size_t RunOnce();

 private:
  void Loop();
  void Handle(const store::OutboundMessage& message, int64_t now);
  // Gives claimed messages not sent back to the queue, due now.
  void Release(absl::Span<const store::OutboundMessage> unsent);
  bool Stopping();
  int64_t ClaimSeconds() const;

  store::Store* const store_;
  const RelayWorkerOptions options_;
  const std::function<void(std::string_view)> log_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  // The last store error logged, so a lasting failure is logged once.
  std::string last_store_error_;
  std::thread thread_;
};

}  // namespace mailroom::server::outbound

#endif  // MAILROOM_SERVER_OUTBOUND_RELAY_WORKER_H_
