// The embedded engine: one RocksDB TransactionDB in one directory, one
// column family per key space (named by engine::SpaceName), message bodies
// in RocksDB's blob files. Transactions are pessimistic: GetForUpdate takes
// a row lock (waiting up to 2 s, then kAborted), and a commit with
// durable = true syncs the WAL, so concurrent writers share one fsync.
//
// A full disk: a write fails with kResourceExhausted "NOSPACE ..." (see
// store/no_space.h) and RocksDB stops taking writes; reads go on. Nothing
// acknowledged is lost: a write is acknowledged only after its WAL record
// was written and synced. RocksDB 7.8 does not take writes again by itself
// once a WAL append hit ENOSPC, and DB::Resume() is not passed on by the
// TransactionDB wrapper: writes keep failing cleanly until the daemon is
// restarted with room on the disk.
//
// Thread-safety: thread-safe (see engine.h).
#ifndef MAILROOM_STORE_ROCKSDB_ROCKSDB_ENGINE_H_
#define MAILROOM_STORE_ROCKSDB_ROCKSDB_ENGINE_H_

#include <memory>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "store/engine/engine.h"

namespace mailroom::store::rocksdb_engine {

struct RocksDbOptions {
  std::string dir;
  // Sync the WAL before a durable commit returns. Only tests turn it off.
  bool sync_writes = true;
  // Writes are refused (NOSPACE, store/no_space.h) while less than this is
  // free on the directory's file system; 0 turns the reserve off.
  uint64_t min_free_bytes = 0;
};

// Opens (creating if missing) the store in options.dir. Fails with
// kFailedPrecondition when another process holds it, kDataLoss when it has
// a column family this build does not know.
absl::StatusOr<std::unique_ptr<engine::Engine>> OpenRocksDbEngine(
    const RocksDbOptions& options);

}  // namespace mailroom::store::rocksdb_engine

#endif  // MAILROOM_STORE_ROCKSDB_ROCKSDB_ENGINE_H_
