#include "store/rados/commit.h"

#include <algorithm>
#include <cerrno>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/status_macros.h"
#include "store/rados/layout.h"
#include "store/rados/protocol_ops.h"
#include "store/rados/rados_status.h"

namespace mailroom::store::rados {

namespace {

std::set<std::string> RowKeys(const Participant& p) {
  std::set<std::string> keys;
  for (const Row& row : p.rows) keys.insert(row.key);
  return keys;
}

absl::Status Conflict(const std::string& object) {
  return absl::AbortedError(absl::StrCat("rados: conflict on ", object,
                                         "; run the transaction again"));
}

absl::Status Stopped(int step) {
  return absl::UnavailableError(
      absl::StrCat("commit stopped after step ", step, " (testing)"));
}

}  // namespace

absl::Status Committer::Commit(const CommitPlan& plan) {
  if (plan.participants.empty()) return absl::OkStatus();
  if (plan.participants.size() == 1) return CommitOneObject(plan);
  return CommitMany(plan);
}

absl::Status Committer::WriteBodies(const CommitPlan& plan,
                                    const TxnRecord* record) {
  RadosIo::Batch batch(io_);
  if (record != nullptr) {
    batch.Write(TxnObject(plan.txn), CreateRecordOp(*record));
  }
  for (const CommitPlan::BlobPut& put : plan.blob_puts) {
    batch.Write(put.object, BlobStore::FirstChunkOp(put.data, plan.txn));
  }
  std::vector<RadosIo::Result> results = batch.Wait();
  absl::Status status;
  for (size_t i = 0; i < results.size() && status.ok(); ++i) {
    if (results[i].rc < 0) {
      status = FromRados(results[i].rc,
                         i == 0 && record != nullptr
                             ? absl::StrCat("create ", TxnObject(plan.txn))
                             : "write a body");
    }
  }
  for (size_t i = 0; i < plan.blob_puts.size() && status.ok(); ++i) {
    const CommitPlan::BlobPut& put = plan.blob_puts[i];
    status = blobs_->WriteRest(put.object, put.data, plan.txn);
  }
  if (!status.ok() && record != nullptr && results[0].rc >= 0) {
    resolver_->DeleteRecord(plan.txn);
  }
  return status;
}

void Committer::RemoveBodies(const std::vector<BlobRemoval>& removals) {
  if (removals.empty()) return;
  // A failed removal only leaks the body (layout.h, "Bodies").
  RadosIo::Batch batch(io_);
  for (const BlobRemoval& removal : removals) {
    batch.Write(removal.object, RemoveBlobOp(removal.gen));
  }
  batch.Wait();
}

absl::Status Committer::CommitOneObject(const CommitPlan& plan) {
  // Bodies before the presence rows that point at them.
  if (!plan.blob_puts.empty()) MR_RETURN_IF_ERROR(WriteBodies(plan, nullptr));
  const Participant& p = plan.participants.front();
  WriteOp op = SingleObjectCommitOp(p, plan.txn);
  RadosIo::Result r = io_->Write(p.object, op.get());
  if (r.rc >= 0) {
    RemoveBodies(plan.blob_removals);
    return absl::OkStatus();
  }
  if (IsGuardFailure(r.rc)) {
    // A lock of a dead or committed transaction would fail every retry:
    // finish it now.
    resolver_->ResolveLocksOn(p.object, RowKeys(p)).IgnoreError();
    return Conflict(p.object);
  }
  return FromRados(r.rc, absl::StrCat("commit to ", p.object));
}

void Committer::Abandon(const TxnRecord& record, size_t maybe_locked) {
  // Not committed, and never will be (only this committer flips to "C"):
  // remove the locks, then the record. If that fails, the locks expire.
  TxnRecord locked;
  locked.id = record.id;
  locked.participants.assign(
      record.participants.begin(),
      record.participants.begin() +
          std::min(maybe_locked, record.participants.size()));
  if (resolver_->UnlockAll(locked).ok()) resolver_->DeleteRecord(record.id);
}

absl::Status Committer::CommitMany(const CommitPlan& plan) {
  TxnRecord record;
  record.id = plan.txn;
  record.start_micros = absl::ToUnixMicros(absl::Now());
  record.participants = plan.participants;
  record.blob_removals = plan.blob_removals;

  // (1) The record, and the bodies in parallel.
  MR_RETURN_IF_ERROR(WriteBodies(plan, &record));
  if (StopsAfter(1)) return Stopped(1);

  // (2) Locks: the primary alone first, so that transactions contending
  // for the same objects fail before they hold anything, then the rest.
  const Participant& primary = plan.participants.front();
  {
    WriteOp op = LockOp(primary, plan.txn);
    RadosIo::Result r = io_->Write(primary.object, op.get());
    if (r.rc < 0) {
      // A guard failure locked nothing; another error may have.
      Abandon(record, IsGuardFailure(r.rc) ? 0 : 1);
      if (!IsGuardFailure(r.rc)) {
        return FromRados(r.rc, absl::StrCat("lock ", primary.object));
      }
      resolver_->ResolveLocksOn(primary.object, RowKeys(primary)).IgnoreError();
      return Conflict(primary.object);
    }
  }
  if (StopsAfter(2)) return Stopped(2);
  {
    RadosIo::Batch batch(io_);
    for (size_t i = 1; i < plan.participants.size(); ++i) {
      batch.Write(plan.participants[i].object,
                  LockOp(plan.participants[i], plan.txn));
    }
    std::vector<RadosIo::Result> results = batch.Wait();
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].rc >= 0) continue;
      const Participant& failed = plan.participants[i + 1];
      Abandon(record, plan.participants.size());
      if (!IsGuardFailure(results[i].rc)) {
        return FromRados(results[i].rc, absl::StrCat("lock ", failed.object));
      }
      resolver_->ResolveLocksOn(failed.object, RowKeys(failed)).IgnoreError();
      return Conflict(failed.object);
    }
  }
  if (StopsAfter(3)) return Stopped(3);

  // (3) The commit point.
  {
    WriteOp flip = FlipRecordOp(kStateCommitted);
    RadosIo::Result r = io_->Write(TxnObject(plan.txn), flip.get());
    if (r.rc == -ECANCELED || r.rc == -ENOENT) {
      // Another node found the transaction expired and rolled it back.
      Abandon(record, plan.participants.size());
      return absl::AbortedError(
          "rados: transaction rolled back by another client; run it again");
    }
    if (r.rc < 0) {
      // The flip may or may not have happened. Settle it: aborting it
      // ourselves succeeds only if it did not (ops on one object apply in
      // order), and otherwise the record says what did happen.
      WriteOp abort = FlipRecordOp(kStateAborted);
      RadosIo::Result a = io_->Write(TxnObject(plan.txn), abort.get());
      if (a.rc >= 0) {
        Abandon(record, plan.participants.size());
        return FromRados(r.rc, "commit point");
      }
      absl::StatusOr<std::optional<Resolver::StoredRecord>> stored =
          resolver_->ReadRecord(plan.txn);
      const char state =
          stored.ok() && stored->has_value() ? (*stored)->state : 0;
      if (state == kStateAborted) {
        Abandon(record, plan.participants.size());
        return absl::AbortedError(
            "rados: transaction rolled back by another client; run it again");
      }
      if (state != kStateCommitted) {
        return absl::UnavailableError(absl::StrCat(
            "rados: the outcome of transaction ", TxnObject(plan.txn),
            " is unknown: ", FromRados(r.rc, "commit point").message()));
      }
    }
  }
  if (StopsAfter(4)) return Stopped(4);

  // (4) Apply. Committed already: a failure here is finished by the next
  // reader of the object, so the commit stands.
  absl::Status applied = resolver_->ApplyAll(record);
  if (StopsAfter(5)) return Stopped(5);
  // (5)
  if (applied.ok()) resolver_->DeleteRecord(plan.txn);
  return absl::OkStatus();
}

}  // namespace mailroom::store::rados
