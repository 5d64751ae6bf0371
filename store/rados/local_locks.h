// In-process locks on the rows transactions read with GetForUpdate. Across
// nodes the commit guards decide (optimistically); within one node,
// transactions that lock the same row (a busy mailbox's state, an owner's
// quota) queue up here like RocksDB's pessimistic row locks, instead of
// invalidating each other's guards until one gives up after its retries.
//
// Deadlocks (deliveries locking recipients in opposite orders) are found
// when a transaction is about to wait; the youngest transaction of the
// cycle is aborted (kAborted from its Lock), so the one that has run
// longest finishes. Ages are given by the caller (see RadosTransaction: a
// retry keeps the age of the attempt it repeats).
//
// Thread-safety: thread-safe.
#ifndef MAILROOM_STORE_RADOS_LOCAL_LOCKS_H_
#define MAILROOM_STORE_RADOS_LOCAL_LOCKS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "store/internal/sync.h"

namespace mailroom::store::rados {

class LocalLocks {
 public:
  // Holds `row` for transaction `txn` (at once when it already does),
  // waiting while another holds it. `age`: smaller is older. kAborted
  // after `timeout`, or when `txn` is the youngest of a deadlock.
  absl::Status Lock(uint64_t txn, int64_t age, const std::string& row,
                    absl::Duration timeout);
  // Releases every row `txn` holds.
  void UnlockAll(uint64_t txn);

 private:
  // The transactions on the cycle of waits that `txn` would close by
  // waiting for `holder` (txn included); empty when there is none.
  std::vector<uint64_t> Cycle(uint64_t txn, uint64_t holder) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable internal::Mutex mu_;
  internal::CondVar changed_;
  absl::flat_hash_map<std::string, uint64_t> holder_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, std::vector<std::string>> held_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, int64_t> age_ ABSL_GUARDED_BY(mu_);
  // Waiting transaction -> the row it waits for.
  absl::flat_hash_map<uint64_t, std::string> waiting_ ABSL_GUARDED_BY(mu_);
  // Chosen as deadlock victims; their next check returns kAborted.
  absl::flat_hash_set<uint64_t> victims_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mailroom::store::rados

#endif  // MAILROOM_STORE_RADOS_LOCAL_LOCKS_H_
