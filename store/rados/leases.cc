#include "store/rados/leases.h"

#include <sys/time.h>

#include <cerrno>
#include <chrono>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "store/rados/layout.h"
#include "store/rados/rados_status.h"

namespace mailroom::store::rados {

namespace {

constexpr const char* kLockName = "lease";

}  // namespace

// Released (unlocked) when destroyed.
class LeaseKeeper::Held : public engine::EngineLease {
 public:
  Held(LeaseKeeper* keeper, uint64_t id) : keeper_(keeper), id_(id) {}
  ~Held() override { keeper_->Release(id_); }

 private:
  LeaseKeeper* const keeper_;
  const uint64_t id_;
};

LeaseKeeper::LeaseKeeper(RadosIo* io) : io_(io) {
  keeper_ = std::thread([this] { Run(); });
}

LeaseKeeper::~LeaseKeeper() {
  {
    internal::MutexLock lock(&mu_);
    stop_ = true;
  }
  changed_.SignalAll();
  keeper_.join();
}

int LeaseKeeper::Lock(const Lease& lease, bool renew) {
  struct timeval duration = {lease.ttl_seconds, 0};
  return io_->ioctx().lock_exclusive(lease.object, kLockName, lease.cookie,
                                     "mailroom engine lease", &duration,
                                     renew ? LIBRADOS_LOCK_FLAG_MAY_RENEW : 0);
}

absl::StatusOr<std::unique_ptr<engine::EngineLease>> LeaseKeeper::Acquire(
    std::string_view name, int ttl_seconds) {
  if (ttl_seconds <= 0) {
    return absl::InvalidArgumentError("rados: a lease needs a positive ttl");
  }
  Lease lease;
  lease.object = LeaseObject(name);
  lease.cookie = Hex(EncodeId(absl::Uniform<uint64_t>(absl::BitGen())));
  lease.ttl_seconds = ttl_seconds;
  int rc = Lock(lease, /*renew=*/false);
  if (rc == -EBUSY || rc == -EEXIST) {
    return absl::FailedPreconditionError(
        absl::StrCat("rados: lease ", lease.object, " is held"));
  }
  if (rc < 0) return FromRados(rc, absl::StrCat("lock ", lease.object));
  lease.renew_at = absl::Now() + absl::Seconds(ttl_seconds) / 3;
  uint64_t id;
  {
    internal::MutexLock lock(&mu_);
    id = next_id_++;
    leases_.emplace(id, std::move(lease));
    ++generation_;
  }
  changed_.SignalAll();
  return std::unique_ptr<engine::EngineLease>(new Held(this, id));
}

void LeaseKeeper::Release(uint64_t id) {
  Lease lease;
  {
    internal::MutexLock lock(&mu_);
    auto it = leases_.find(id);
    if (it == leases_.end()) return;
    lease = std::move(it->second);
    leases_.erase(it);
  }
  // Failing to unlock only leaves the lock to lapse after its ttl.
  io_->ioctx().unlock(lease.object, kLockName, lease.cookie);
}

void LeaseKeeper::Run() {
  internal::MutexLock lock(&mu_);
  while (!stop_) {
    absl::Time now = absl::Now();
    absl::Time next = now + absl::Seconds(60);
    std::vector<std::pair<uint64_t, Lease>> due;
    for (auto& [id, lease] : leases_) {
      if (lease.renew_at <= now) {
        due.emplace_back(id, lease);
        lease.renew_at = now + absl::Seconds(lease.ttl_seconds) / 3;
      }
      next = std::min(next, lease.renew_at);
    }
    if (!due.empty()) {
      // Renew without the lock held: Acquire and Release go on meanwhile.
      // MAY_RENEW also takes a lock that lapsed (its node was cut off longer
      // than the ttl) if it is free again; its holder cannot be told.
      mu_.Unlock();
      for (const auto& [id, lease] : due) Lock(lease, /*renew=*/true);
      mu_.Lock();
      // A lease released while it was being renewed may be locked again by
      // that renewal: unlock it once more.
      std::vector<Lease> released;
      for (auto& [id, lease] : due) {
        if (!leases_.contains(id)) released.push_back(std::move(lease));
      }
      if (!released.empty()) {
        mu_.Unlock();
        for (const Lease& lease : released) {
          io_->ioctx().unlock(lease.object, kLockName, lease.cookie);
        }
        mu_.Lock();
      }
      continue;
    }
    const uint64_t generation = generation_;
    changed_.WaitFor(&mu_,
                     std::chrono::milliseconds(std::max<int64_t>(
                         1, absl::ToInt64Milliseconds(next - now))),
                     [this, generation]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
                       return stop_ || generation_ != generation;
                     });
  }
}

}  // namespace mailroom::store::rados
