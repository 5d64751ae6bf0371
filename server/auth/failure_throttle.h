// Slows down failed logins per client address and per user name: each
// failure doubles the delay (from `base` up to `cap`); the failure count
// decays by one every `decay` without failures, so a legitimate user who
// mistyped once is barely slowed and a guesser is held to one try per `cap`.
#ifndef MAILROOM_SERVER_AUTH_FAILURE_THROTTLE_H_
#define MAILROOM_SERVER_AUTH_FAILURE_THROTTLE_H_

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace mailroom::server::auth {

struct ThrottleOptions {
  absl::Duration base = absl::Milliseconds(250);
  absl::Duration cap = absl::Seconds(4);
  absl::Duration decay = absl::Seconds(30);
  size_t max_entries = 100000;  // oldest entries go first beyond this
};

// Thread-safe.
class FailureThrottle {
 public:
  explicit FailureThrottle(ThrottleOptions options = {},
                           std::function<absl::Time()> clock = absl::Now);

  // Records a failed attempt; returns how long to wait before answering.
  absl::Duration RecordFailure(std::string_view address,
                               std::string_view user);
  // A successful login clears the user's record (not the address's).
  void RecordSuccess(std::string_view user);
  // The delay the current record of this address/user carries.
  absl::Duration PendingDelay(std::string_view address, std::string_view user);

 private:
  struct Entry {
    double failures = 0;
    absl::Time last;
  };
  double DecayedFailures(const Entry& e, absl::Time now) const;
  absl::Duration DelayFor(double failures) const;
  void Prune(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const ThrottleOptions options_;
  const std::function<absl::Time()> clock_;
  absl::Mutex mu_;
  std::unordered_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mailroom::server::auth

#endif  // MAILROOM_SERVER_AUTH_FAILURE_THROTTLE_H_
