#include "server/auth/failure_throttle.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "server/absl_view.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/auth/client_group.h"

namespace mailroom::server::auth {
namespace {
std::string AddressKey(std::string_view address) {
  return absl::StrCat("a:", ClientGroup(address));
}
std::string UserKey(std::string_view user) {
  return absl::StrCat("u:", absl::AsciiStrToLower(Av(user)));
}
// One more failure fits in a bucket at `level`. The epsilon absorbs the
// rounding of the drain computation.
bool HasRoom(double level, double limit) { return level + 1 <= limit + 1e-9; }

ThrottleOptions Sane(ThrottleOptions options) {
  options.failures_per_address = std::max(1, options.failures_per_address);
  options.failures_per_user = std::max(1, options.failures_per_user);
  options.max_entries = std::max<size_t>(2, options.max_entries);
  if (options.window <= absl::ZeroDuration()) options.window = absl::Seconds(1);
  return options;
}
}  // namespace

FailureThrottle::FailureThrottle(ThrottleOptions options,
                                 std::function<absl::Time()> clock)
    : options_(Sane(options)), clock_(std::move(clock)) {}

double FailureThrottle::LevelAt(const Entry& e, absl::Time now) const {
  // The whole bucket drains in one window.
  const double drained =
      std::max(0.0, absl::FDivDuration(now - e.updated, options_.window)) *
      e.limit;
  return std::max(0.0, e.level - drained);
}

absl::Duration FailureThrottle::DelayFor(double failures) const {
  if (failures < 1) return absl::ZeroDuration();
  // 2^(failures-1) * base, in floating point to avoid overflow.
  const double factor = std::pow(2.0, std::min(failures - 1, 30.0));
  return std::min(options_.cap, options_.base * factor);
}

FailureThrottle::Entry& FailureThrottle::Touch(const std::string& key,
                                               double limit, absl::Time now) {
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return it->second.entry;
  }
  while (entries_.size() >= options_.max_entries && !lru_.empty()) {
    entries_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(key);
  Slot& slot = entries_[key];
  slot.lru = lru_.begin();
  slot.entry.updated = now;
  slot.entry.limit = limit;
  return slot.entry;
}

const FailureThrottle::Entry* FailureThrottle::Find(
    const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second.entry;
}

void FailureThrottle::Charge(Entry& e, absl::Time now) const {
  // Capped at the limit: a long attack must not keep the bucket full for
  // long after it stops.
  e.level = std::min(e.limit, LevelAt(e, now) + 1);
  e.updated = now;
}

FailureThrottle::Decision FailureThrottle::Admit(std::string_view address,
                                                 std::string_view user) {
  const absl::Time now = clock_();
  const std::string address_key = AddressKey(address);
  const std::string user_key = UserKey(user);
  absl::MutexLock lock(&mu_);
  const Entry* group = Find(address_key);
  const Entry* account = Find(user_key);
  const double group_level = group ? LevelAt(*group, now) : 0;
  const double account_level = account ? LevelAt(*account, now) : 0;
  const bool group_failed_recently =
      group != nullptr && now - group->last_failure < options_.window;
  const bool refuse =
      !HasRoom(group_level, options_.failures_per_address) ||
      (group_failed_recently &&
       !HasRoom(account_level, options_.failures_per_user));
  if (!refuse) {
    ++stats_.admitted;
    Charge(Touch(address_key, options_.failures_per_address, now), now);
    Charge(Touch(user_key, options_.failures_per_user, now), now);
    return Decision{};
  }
  ++stats_.refused;
  // Still hammering: the group stays "recently failed" for closed accounts.
  Touch(address_key, options_.failures_per_address, now).last_failure = now;
  return Decision{false, DelayFor(std::max(group_level, account_level) + 1)};
}

absl::Duration FailureThrottle::RecordFailure(std::string_view address,
                                              std::string_view user) {
  const absl::Time now = clock_();
  const std::string address_key = AddressKey(address);
  const std::string user_key = UserKey(user);
  absl::MutexLock lock(&mu_);
  ++stats_.failures;
  // Admit() charged the attempt already; the entries exist unless evicted
  // meanwhile, in which case the failure is charged again.
  double worst = 0;
  for (const auto& [key, limit] :
       {std::pair<const std::string&, int>{address_key,
                                           options_.failures_per_address},
        std::pair<const std::string&, int>{user_key,
                                           options_.failures_per_user}}) {
    const bool known = entries_.count(key) > 0;
    Entry& e = Touch(key, limit, now);
    if (!known) Charge(e, now);
    e.last_failure = now;
    worst = std::max(worst, LevelAt(e, now));
  }
  return DelayFor(worst);
}

void FailureThrottle::Release(std::string_view address,
                              std::string_view user) {
  const absl::Time now = clock_();
  absl::MutexLock lock(&mu_);
  for (const std::string& key : {AddressKey(address), UserKey(user)}) {
    auto it = entries_.find(key);
    if (it == entries_.end()) continue;
    Entry& e = it->second.entry;
    e.level = std::max(0.0, LevelAt(e, now) - 1);
    e.updated = now;
  }
}

absl::Duration FailureThrottle::RecordAddressFailure(
    std::string_view address) {
  const absl::Time now = clock_();
  const std::string address_key = AddressKey(address);
  absl::MutexLock lock(&mu_);
  ++stats_.failures;
  Entry& group = Touch(address_key, options_.failures_per_address, now);
  Charge(group, now);
  group.last_failure = now;
  return DelayFor(group.level);
}

FailureThrottle::Stats FailureThrottle::stats() const {
  absl::MutexLock lock(&mu_);
  Stats stats = stats_;
  stats.entries = entries_.size();
  return stats;
}

}  // namespace mailroom::server::auth
