// The commit protocol of layout.h: the single-object fast path and the
// multi-object protocol (record, lock, commit point, apply, delete).
//
// Thread-safety: thread-safe (no mutable state); each Commit call drives
// one transaction.
#ifndef MAILROOM_STORE_RADOS_COMMIT_H_
#define MAILROOM_STORE_RADOS_COMMIT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "store/rados/blobs.h"
#include "store/rados/rados_io.h"
#include "store/rados/resolver.h"
#include "store/rados/txn_record.h"

namespace mailroom::store::rados {

// What one transaction writes and guards, object by object.
struct CommitPlan {
  uint64_t txn = 0;
  std::vector<Participant> participants;  // ascending object names
  struct BlobPut {
    std::string object;  // blob.<hex>
    std::string data;
  };
  std::vector<BlobPut> blob_puts;
  std::vector<BlobRemoval> blob_removals;
};

class Committer {
 public:
  // `stop_after_step` (testing): the multi-object protocol returns
  // kUnavailable right after that step, as if the process died there
  // (1 record written, 2 primary locked, 3 all locked, 4 committed,
  // 5 applied but record kept); 0 never.
  Committer(RadosIo* io, Resolver* resolver, BlobStore* blobs,
            int stop_after_step)
      : io_(io),
        resolver_(resolver),
        blobs_(blobs),
        stop_after_step_(stop_after_step) {}

  // OK: committed (and durable). kAborted: a guard failed or another
  // transaction held a lock; nothing was committed. kUnavailable: the
  // cluster failed; if the failure hit the commit point's reply, the
  // transaction may have committed.
  absl::Status Commit(const CommitPlan& plan);

 private:
  absl::Status CommitOneObject(const CommitPlan& plan);
  absl::Status CommitMany(const CommitPlan& plan);
  // Writes the bodies; with `record`, creates it in parallel (step 1).
  absl::Status WriteBodies(const CommitPlan& plan, const TxnRecord* record);
  void RemoveBodies(const std::vector<BlobRemoval>& removals);
  // Gives up a transaction that did not reach its commit point; only its
  // first `maybe_locked` participants may hold its locks.
  void Abandon(const TxnRecord& record, size_t maybe_locked);
  bool StopsAfter(int step) const { return stop_after_step_ == step; }

  RadosIo* const io_;
  Resolver* const resolver_;
  BlobStore* const blobs_;
  const int stop_after_step_;
};

}  // namespace mailroom::store::rados

#endif  // MAILROOM_STORE_RADOS_COMMIT_H_
