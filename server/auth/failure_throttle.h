// Rate-limits password guessing before any password work is done.
//
// Two leaky buckets of failed logins: one per client group (an IPv4 address
// or an IPv6 /64, see client_group.h) and one per account. A bucket holds at
// most its limit and drains completely in `window` (so a group earns back one
// failure every window / failures_per_address).
//
//  - A group whose bucket is full is refused outright, whatever the account.
//  - An account whose bucket is full is closed only to groups that failed
//    (on any account) within the last `window`. A group with no recent
//    failure is still let through to the password check, so the owner logging
//    in from home is not locked out by an attack from elsewhere; each
//    attacking group gets at most one guess per window on a closed account,
//    which is what bounds a botnet that spreads guesses over many groups.
//
// Refusals are decided by Admit() before the hash runs; the caller answers
// a refusal exactly like a wrong password (after the same delay), so a
// client learns neither that it was throttled nor whether the user exists.
//
// Every failure is also answered after a delay that doubles per recent
// failure (from `base` up to `cap`). The table of buckets is bounded: past
// `max_entries` the least recently used entries are dropped one by one.
//
// Thread-safe.
#ifndef MAILROOM_SERVER_AUTH_FAILURE_THROTTLE_H_
#define MAILROOM_SERVER_AUTH_FAILURE_THROTTLE_H_

#include <cstdint>
#include <functional>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace mailroom::server::auth {

struct ThrottleOptions {
  int failures_per_address = 10;
  int failures_per_user = 30;
  absl::Duration window = absl::Minutes(5);
  absl::Duration base = absl::Milliseconds(250);
  absl::Duration cap = absl::Seconds(4);
  size_t max_entries = 100000;
};

class FailureThrottle {
 public:
  explicit FailureThrottle(ThrottleOptions options = {},
                           std::function<absl::Time()> clock = absl::Now);

  struct Decision {
    bool allowed = true;
    // For a refusal: how long to wait before answering.
    absl::Duration delay;
  };
  // Whether a login attempt of `user` from `address` may go on to the
  // password check. An admitted attempt is charged as a failure at once
  // (so that many parallel attempts cannot all pass while their checks are
  // still running); Release() refunds it, RecordFailure() confirms it. A
  // refusal counts as recent activity of the group (it keeps a closed
  // account closed to it) but not as a failure.
  Decision Admit(std::string_view address, std::string_view user);

  // The admitted attempt failed; returns how long to wait before answering.
  absl::Duration RecordFailure(std::string_view address,
                               std::string_view user);
  // The admitted attempt succeeded: its charge is refunded. (An attempt
  // turned away by a full hashing queue keeps its charge.)
  void Release(std::string_view address, std::string_view user);
  // A failure that names no account worth tracking (an over-long user
  // name), without Admit(): charged to the group only.
  absl::Duration RecordAddressFailure(std::string_view address);

  struct Stats {
    uint64_t admitted = 0;
    uint64_t refused = 0;
    uint64_t failures = 0;
    size_t entries = 0;
  };
  Stats stats() const;

 private:
  struct Entry {
    double level = 0;  // failures still in the bucket at `updated`
    absl::Time updated;
    absl::Time last_failure = absl::InfinitePast();  // confirmed failures
    double limit = 0;
  };
  struct Slot {
    Entry entry;
    std::list<std::string>::iterator lru;  // position in lru_
  };

  double LevelAt(const Entry& e, absl::Time now) const;
  absl::Duration DelayFor(double failures) const;
  // The entry for `key`, created empty if missing; marks it most recently
  // used and evicts the least recently used entries beyond max_entries.
  Entry& Touch(const std::string& key, double limit, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  const Entry* Find(const std::string& key) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void Charge(Entry& e, absl::Time now) const;

  const ThrottleOptions options_;
  const std::function<absl::Time()> clock_;
  mutable absl::Mutex mu_;
  std::unordered_map<std::string, Slot> entries_ ABSL_GUARDED_BY(mu_);
  std::list<std::string> lru_ ABSL_GUARDED_BY(mu_);  // most recent first
  Stats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mailroom::server::auth

#endif  // MAILROOM_SERVER_AUTH_FAILURE_THROTTLE_H_
