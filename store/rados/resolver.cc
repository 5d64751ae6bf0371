#include "store/rados/resolver.h"

#include <cerrno>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "store/rados/layout.h"
#include "store/rados/protocol_ops.h"
#include "store/rados/rados_status.h"

namespace mailroom::store::rados {

namespace {

// Results of guarded steps that mean "already done by someone".
bool DoneOrAlreadyDone(int rc) {
  return rc >= 0 || rc == -ECANCELED || rc == -ENOENT;
}

absl::Status FirstError(const std::vector<RadosIo::Result>& results,
                        std::string_view what) {
  for (const RadosIo::Result& r : results) {
    if (!DoneOrAlreadyDone(r.rc)) return FromRados(r.rc, what);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::optional<Resolver::StoredRecord>> Resolver::ReadRecord(
    uint64_t txn) {
  librados::ObjectReadOperation op;
  librados::bufferlist data, state;
  op.read(0, 0, &data, nullptr);
  op.getxattr(kStateXattr, &state, nullptr);
  RadosIo::Result r = io_->Read(TxnObject(txn), &op);
  if (r.rc == -ENOENT || r.rc == -ENODATA) {
    // -ENODATA: created without its state xattr, i.e. not by this engine's
    // one-op create; treat as never written.
    return std::optional<StoredRecord>();
  }
  if (r.rc < 0) return FromRados(r.rc, "read transaction record");
  StoredRecord stored;
  std::string s = state.to_str();
  if (s.size() != 1 || !DecodeRecord(data.to_str(), &stored.record) ||
      stored.record.id != txn) {
    return absl::DataLossError(
        absl::StrCat("undecodable transaction record ", TxnObject(txn)));
  }
  stored.state = s[0];
  return std::optional<StoredRecord>(std::move(stored));
}

absl::StatusOr<Resolver::Outcome> Resolver::Resolve(uint64_t txn) {
  // A pending record may flip under us; a few rounds settle it.
  for (int round = 0; round < 4; ++round) {
    MR_ASSIGN_OR_RETURN(std::optional<StoredRecord> stored, ReadRecord(txn));
    if (!stored.has_value()) return Outcome::kMissing;
    switch (stored->state) {
      case kStateCommitted:
        MR_RETURN_IF_ERROR(ApplyAll(stored->record));
        DeleteRecord(txn);
        return Outcome::kRolledForward;
      case kStateAborted:
        MR_RETURN_IF_ERROR(UnlockAll(stored->record));
        DeleteRecord(txn);
        return Outcome::kRolledBack;
      case kStatePending: {
        absl::Time start = absl::FromUnixMicros(stored->record.start_micros);
        if (absl::Now() - start < txn_timeout_) return Outcome::kAlive;
        WriteOp flip = FlipRecordOp(kStateAborted);
        RadosIo::Result r = io_->Write(TxnObject(txn), flip.get());
        if (r.rc == -ECANCELED) continue;  // it committed or was aborted
        if (r.rc == -ENOENT) return Outcome::kMissing;
        if (r.rc < 0) return FromRados(r.rc, "abort expired transaction");
        MR_RETURN_IF_ERROR(UnlockAll(stored->record));
        DeleteRecord(txn);
        return Outcome::kRolledBack;
      }
      default:
        return absl::DataLossError(absl::StrCat(
            "transaction record ", TxnObject(txn), " has an unknown state"));
    }
  }
  return absl::UnavailableError(
      absl::StrCat("transaction ", TxnObject(txn), " keeps changing state"));
}

absl::StatusOr<Resolver::LockReport> Resolver::ResolveLocks(
    const std::string& object,
    const std::map<std::string, std::string>& locks) {
  // Group the locks by holder.
  std::map<uint64_t, std::set<std::string>> by_holder;
  for (const auto& [lock_key, value] : locks) {
    if (value.size() != 8 || lock_key.empty()) {
      return absl::DataLossError(
          absl::StrCat("malformed lock row in ", object));
    }
    by_holder[DecodeId(value)].insert(lock_key);
  }
  LockReport report;
  for (const auto& [holder, lock_keys] : by_holder) {
    MR_ASSIGN_OR_RETURN(Outcome outcome, Resolve(holder));
    switch (outcome) {
      case Outcome::kAlive:
        for (const std::string& lock_key : lock_keys) {
          report.alive.insert(lock_key.substr(1));
        }
        break;
      case Outcome::kRolledForward:
        report.reread = true;
        report.object_changed = true;
        break;
      case Outcome::kRolledBack:
        report.object_changed = true;
        break;
      case Outcome::kMissing: {
        // Either a dead lock, or the holder finished and deleted its record
        // after we read the object; both ways the read is stale or the lock
        // is garbage. Removing it is guarded by its value, so a finished
        // holder's (already removed) lock is left alone.
        WriteOp op = RemoveLocksOp(lock_keys, holder);
        RadosIo::Result r = io_->Write(object, op.get());
        if (!DoneOrAlreadyDone(r.rc)) {
          return FromRados(r.rc, absl::StrCat("remove dead lock in ", object));
        }
        report.reread = true;
        report.object_changed = true;
        break;
      }
    }
  }
  return report;
}

absl::Status Resolver::ResolveLocksOn(const std::string& object,
                                      const std::set<std::string>& rows) {
  std::set<std::string> lock_keys;
  for (const std::string& row : rows) lock_keys.insert(LockKey(row));
  librados::ObjectReadOperation op;
  std::map<std::string, librados::bufferlist> found;
  op.omap_get_vals_by_keys(lock_keys, &found, nullptr);
  RadosIo::Result r = io_->Read(object, &op);
  if (r.rc == -ENOENT) return absl::OkStatus();
  if (r.rc < 0) return FromRados(r.rc, absl::StrCat("read locks of ", object));
  std::map<std::string, std::string> locks;
  for (auto& [key, value] : found) locks[key] = value.to_str();
  if (locks.empty()) return absl::OkStatus();
  return ResolveLocks(object, locks).status();
}

absl::Status Resolver::ApplyAll(const TxnRecord& record) {
  RadosIo::Batch batch(io_);
  for (const Participant& p : record.participants) {
    batch.Write(p.object, ApplyOp(p, record.id));
  }
  for (const BlobRemoval& removal : record.blob_removals) {
    batch.Write(removal.object, RemoveBlobOp(removal.gen));
  }
  return FirstError(batch.Wait(),
                    absl::StrCat("apply transaction ", TxnObject(record.id)));
}

absl::Status Resolver::UnlockAll(const TxnRecord& record) {
  RadosIo::Batch batch(io_);
  for (const Participant& p : record.participants) {
    batch.Write(p.object, UnlockOp(p, record.id));
  }
  return FirstError(batch.Wait(), absl::StrCat("roll back transaction ",
                                               TxnObject(record.id)));
}

void Resolver::DeleteRecord(uint64_t txn) {
  io_->Background(TxnObject(txn), DeleteRecordOp());
}

}  // namespace mailroom::store::rados
