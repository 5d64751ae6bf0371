// Finishing other transactions: what a reader or writer does when it meets
// a lock (layout.h, "Lock resolution"), and the apply / roll-back steps the
// committer shares with it.
//
// Thread-safety: thread-safe (no mutable state; every step is a guarded,
// idempotent RADOS op, so several resolvers may race on one transaction).
#ifndef MAILROOM_STORE_RADOS_RESOLVER_H_
#define MAILROOM_STORE_RADOS_RESOLVER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "store/rados/rados_io.h"
#include "store/rados/txn_record.h"

namespace mailroom::store::rados {

class Resolver {
 public:
  // `txn_timeout`: a pending transaction older than this is presumed dead.
  Resolver(RadosIo* io, absl::Duration txn_timeout)
      : io_(io), txn_timeout_(txn_timeout) {}

  enum class Outcome {
    kAlive,          // pending and young: its locks stay, its writes are not
                     // committed
    kRolledForward,  // it was committed; its writes are now applied
    kRolledBack,     // it was aborted (or expired); its locks are gone
    kMissing,        // no record: it can never commit
  };
  // Drives transaction `txn` (met as a lock holder) as far as it can.
  absl::StatusOr<Outcome> Resolve(uint64_t txn);

  // What resolving the locks met in one read means for that read.
  struct LockReport {
    bool reread = false;          // rows may have changed: read them again
    bool object_changed = false;  // the object's version changed
    std::set<std::string> alive;  // omap keys still locked by live txns
  };
  // `locks`: lock omap key -> its value, as read from `object`.
  absl::StatusOr<LockReport> ResolveLocks(
      const std::string& object,
      const std::map<std::string, std::string>& locks);
  // Reads the locks of `rows` (omap keys) in `object` and resolves them;
  // for a committer whose guard failed, so that its retry finds them gone.
  absl::Status ResolveLocksOn(const std::string& object,
                              const std::set<std::string>& rows);

  // Step 4 for every participant, and the body removals. OK when every
  // object is applied (by this call or before).
  absl::Status ApplyAll(const TxnRecord& record);
  // Removes the record's locks everywhere. OK when none is left.
  absl::Status UnlockAll(const TxnRecord& record);
  // Step 5, in the background.
  void DeleteRecord(uint64_t txn);

  // The record and its state; std::nullopt when it does not exist.
  struct StoredRecord {
    char state = 0;
    TxnRecord record;
  };
  absl::StatusOr<std::optional<StoredRecord>> ReadRecord(uint64_t txn);

 private:
  RadosIo* const io_;
  const absl::Duration txn_timeout_;
};

}  // namespace mailroom::store::rados

#endif  // MAILROOM_STORE_RADOS_RESOLVER_H_
