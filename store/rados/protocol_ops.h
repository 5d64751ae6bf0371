// The RADOS operations of the commit protocol (layout.h), one builder per
// step, so that the committer and the lock resolver build exactly the same
// guarded ops.
#ifndef MAILROOM_STORE_RADOS_PROTOCOL_OPS_H_
#define MAILROOM_STORE_RADOS_PROTOCOL_OPS_H_

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include <rados/librados.hpp>

#include "store/rados/txn_record.h"

namespace mailroom::store::rados {

using WriteOp = std::unique_ptr<librados::ObjectWriteOperation>;

// Fast path: checks the guards and that no row is locked, then writes
// (stamping the object's data version with `txn`).
WriteOp SingleObjectCommitOp(const Participant& p, uint64_t txn);
// Step 2: the same checks, then locks every row for `txn`.
WriteOp LockOp(const Participant& p, uint64_t txn);
// Step 4: if the rows are still locked by `txn`, writes them and unlocks.
WriteOp ApplyOp(const Participant& p, uint64_t txn);
// Roll back: if the rows are still locked by `txn`, unlocks them.
WriteOp UnlockOp(const Participant& p, uint64_t txn);
// Removes the given lock keys if each is still held by `txn`.
WriteOp RemoveLocksOp(const std::set<std::string>& lock_keys, uint64_t txn);

// Step 1: creates the record, pending.
WriteOp CreateRecordOp(const TxnRecord& record);
// Step 3 (state = 'C') or a roll back's first step (state = 'A'): flips a
// pending record.
WriteOp FlipRecordOp(char state);
// Step 5.
WriteOp DeleteRecordOp();

// Removes a body's data object if it still carries `gen`.
WriteOp RemoveBlobOp(uint64_t gen);

}  // namespace mailroom::store::rados

#endif  // MAILROOM_STORE_RADOS_PROTOCOL_OPS_H_
