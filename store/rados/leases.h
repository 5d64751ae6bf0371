// AcquireLease (engine.h) with cls_lock: a lease on `name` is the exclusive
// lock "lease" on the object lease.<name>, taken for the lease's ttl and
// renewed every third of it by one keeper thread per engine while the
// lease object lives; if the node dies, the lock lapses after the ttl.
//
// Thread-safety: thread-safe.
#ifndef MAILROOM_STORE_RADOS_LEASES_H_
#define MAILROOM_STORE_RADOS_LEASES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "store/engine/engine.h"
#include "store/internal/sync.h"
#include "store/rados/rados_io.h"

namespace mailroom::store::rados {

class LeaseKeeper {
 public:
  explicit LeaseKeeper(RadosIo* io);
  // REQUIRES: every lease it handed out is destroyed.
  ~LeaseKeeper();

  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  // kFailedPrecondition when another holder (of any node) has it.
  absl::StatusOr<std::unique_ptr<engine::EngineLease>> Acquire(
      std::string_view name, int ttl_seconds);

 private:
  class Held;
  struct Lease {
    std::string object;
    std::string cookie;
    int ttl_seconds = 0;
    absl::Time renew_at;
  };
  // Renews the leases that are due, until stopped.
  void Run();
  void Release(uint64_t id);
  // lock_exclusive of `lease` (a renewal when `renew`).
  int Lock(const Lease& lease, bool renew);

  RadosIo* const io_;
  internal::Mutex mu_;
  internal::CondVar changed_;
  absl::flat_hash_map<uint64_t, Lease> leases_ ABSL_GUARDED_BY(mu_);
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;  // bumped by Acquire
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread keeper_;
};

}  // namespace mailroom::store::rados

#endif  // MAILROOM_STORE_RADOS_LEASES_H_
