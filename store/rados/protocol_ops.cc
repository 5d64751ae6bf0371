#include "store/rados/protocol_ops.h"

#include <map>
#include <utility>

#include "store/rados/layout.h"
#include "store/rados/rados_io.h"

namespace mailroom::store::rados {

namespace {

using Assertions = std::map<std::string, std::pair<librados::bufferlist, int>>;

// No row is locked, every guarded row still has its guarded value.
Assertions FreeAndUnchanged(const Participant& p) {
  Assertions a;
  for (const Row& row : p.rows) {
    a[LockKey(row.key)] = {librados::bufferlist(), LIBRADOS_CMPXATTR_OP_EQ};
    if (row.guard.has_value()) {
      a[row.key] = {ToBufferlist(*row.guard), LIBRADOS_CMPXATTR_OP_EQ};
    }
  }
  return a;
}

// Still locked by txn. All of a transaction's locks on one object are set
// and removed by single ops, so one of them stands for all.
Assertions HeldBy(const Participant& p, uint64_t txn) {
  Assertions a;
  if (!p.rows.empty()) {
    a[LockKey(p.rows.front().key)] = {ToBufferlist(EncodeId(txn)),
                                      LIBRADOS_CMPXATTR_OP_EQ};
  }
  return a;
}

// The rows' writes, and the object's data version when there are any.
void AddWrites(const Participant& p, uint64_t txn,
               librados::ObjectWriteOperation* op) {
  std::map<std::string, librados::bufferlist> puts;
  std::set<std::string> deletes;
  for (const Row& row : p.rows) {
    if (row.write == Row::Write::kPut) {
      puts[row.key] = ToBufferlist(row.value);
    } else if (row.write == Row::Write::kDelete) {
      deletes.insert(row.key);
    }
  }
  if (!puts.empty()) op->omap_set(puts);
  if (!deletes.empty()) op->omap_rm_keys(deletes);
  if (!puts.empty() || !deletes.empty()) {
    op->setxattr(kDataVersionXattr, ToBufferlist(EncodeId(txn)));
  }
}

std::set<std::string> LockKeys(const Participant& p) {
  std::set<std::string> keys;
  for (const Row& row : p.rows) keys.insert(LockKey(row.key));
  return keys;
}

}  // namespace

WriteOp SingleObjectCommitOp(const Participant& p, uint64_t txn) {
  auto op = std::make_unique<librados::ObjectWriteOperation>();
  // create(false) first: a guard on a new object then compares against an
  // empty omap instead of failing with -ENOENT.
  op->create(false);
  op->omap_cmp(FreeAndUnchanged(p), nullptr);
  AddWrites(p, txn, op.get());
  return op;
}

WriteOp LockOp(const Participant& p, uint64_t txn) {
  auto op = std::make_unique<librados::ObjectWriteOperation>();
  op->create(false);
  op->omap_cmp(FreeAndUnchanged(p), nullptr);
  std::map<std::string, librados::bufferlist> locks;
  for (const Row& row : p.rows) {
    locks[LockKey(row.key)] = ToBufferlist(EncodeId(txn));
  }
  op->omap_set(locks);
  return op;
}

WriteOp ApplyOp(const Participant& p, uint64_t txn) {
  auto op = std::make_unique<librados::ObjectWriteOperation>();
  op->omap_cmp(HeldBy(p, txn), nullptr);
  AddWrites(p, txn, op.get());
  op->omap_rm_keys(LockKeys(p));
  return op;
}

WriteOp UnlockOp(const Participant& p, uint64_t txn) {
  auto op = std::make_unique<librados::ObjectWriteOperation>();
  op->omap_cmp(HeldBy(p, txn), nullptr);
  op->omap_rm_keys(LockKeys(p));
  return op;
}

WriteOp RemoveLocksOp(const std::set<std::string>& lock_keys, uint64_t txn) {
  auto op = std::make_unique<librados::ObjectWriteOperation>();
  Assertions a;
  for (const std::string& key : lock_keys) {
    a[key] = {ToBufferlist(EncodeId(txn)), LIBRADOS_CMPXATTR_OP_EQ};
  }
  op->omap_cmp(a, nullptr);
  op->omap_rm_keys(lock_keys);
  return op;
}

WriteOp CreateRecordOp(const TxnRecord& record) {
  auto op = std::make_unique<librados::ObjectWriteOperation>();
  op->create(true);
  op->write_full(ToBufferlist(EncodeRecord(record)));
  op->setxattr(kStateXattr, ToBufferlist(std::string(1, kStatePending)));
  return op;
}

WriteOp FlipRecordOp(char state) {
  auto op = std::make_unique<librados::ObjectWriteOperation>();
  op->assert_exists();
  op->cmpxattr(kStateXattr, LIBRADOS_CMPXATTR_OP_EQ,
               ToBufferlist(std::string(1, kStatePending)));
  op->setxattr(kStateXattr, ToBufferlist(std::string(1, state)));
  return op;
}

WriteOp DeleteRecordOp() {
  auto op = std::make_unique<librados::ObjectWriteOperation>();
  op->remove();
  return op;
}

WriteOp RemoveBlobOp(uint64_t gen) {
  auto op = std::make_unique<librados::ObjectWriteOperation>();
  op->cmpxattr(kGenXattr, LIBRADOS_CMPXATTR_OP_EQ, ToBufferlist(EncodeId(gen)));
  op->remove();
  return op;
}

}  // namespace mailroom::store::rados
