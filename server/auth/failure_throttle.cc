#include "server/auth/failure_throttle.h"

#include <algorithm>
#include <cmath>

#include "server/absl_view.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace mailroom::server::auth {
namespace {
std::string AddressKey(std::string_view address) {
  return absl::StrCat("a:", Av(address));
}
std::string UserKey(std::string_view user) {
  return absl::StrCat("u:", absl::AsciiStrToLower(Av(user)));
}
}  // namespace

FailureThrottle::FailureThrottle(ThrottleOptions options,
                                 std::function<absl::Time()> clock)
    : options_(options), clock_(std::move(clock)) {}

double FailureThrottle::DecayedFailures(const Entry& e, absl::Time now) const {
  const double steps = absl::FDivDuration(now - e.last, options_.decay);
  return std::max(0.0, e.failures - std::max(0.0, steps));
}

absl::Duration FailureThrottle::DelayFor(double failures) const {
  if (failures < 1) return absl::ZeroDuration();
  // 2^(failures-1) * base, computed in floating point to avoid overflow.
  const double factor = std::pow(2.0, std::min(failures - 1, 30.0));
  return std::min(options_.cap, options_.base * factor);
}

absl::Duration FailureThrottle::RecordFailure(std::string_view address,
                                              std::string_view user) {
  const absl::Time now = clock_();
  absl::MutexLock lock(&mu_);
  if (entries_.size() >= options_.max_entries) Prune(now);
  double worst = 0;
  for (const std::string& key : {AddressKey(address), UserKey(user)}) {
    Entry& e = entries_[key];
    e.failures = DecayedFailures(e, now) + 1;
    e.last = now;
    worst = std::max(worst, e.failures);
  }
  return DelayFor(worst);
}

void FailureThrottle::RecordSuccess(std::string_view user) {
  absl::MutexLock lock(&mu_);
  entries_.erase(UserKey(user));
}

absl::Duration FailureThrottle::PendingDelay(std::string_view address,
                                             std::string_view user) {
  const absl::Time now = clock_();
  absl::MutexLock lock(&mu_);
  double worst = 0;
  for (const std::string& key : {AddressKey(address), UserKey(user)}) {
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      worst = std::max(worst, DecayedFailures(it->second, now));
    }
  }
  return DelayFor(worst);
}

void FailureThrottle::Prune(absl::Time now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (DecayedFailures(it->second, now) <= 0) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  // Under a flood of distinct keys, forget everything rather than grow.
  if (entries_.size() >= options_.max_entries) entries_.clear();
}

}  // namespace mailroom::server::auth
