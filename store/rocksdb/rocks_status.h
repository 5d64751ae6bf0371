// Mapping of RocksDB statuses onto the store's absl::Status codes, keeping
// their retry meaning (Busy/TryAgain/TimedOut -> kAborted; a full disk ->
// kResourceExhausted "NOSPACE ...", a temporary condition).
#ifndef MAILROOM_STORE_ROCKSDB_ROCKS_STATUS_H_
#define MAILROOM_STORE_ROCKSDB_ROCKS_STATUS_H_

#include "absl/status/status.h"
#include "store/no_space.h"
#include "rocksdb/status.h"

namespace mailroom::store::rocksdb_engine {

absl::Status FromRocks(const rocksdb::Status& s);

// True for conflicts a fresh transaction may resolve.
bool IsRetryable(const rocksdb::Status& s);

// True when the file system is full (ENOSPC) or a space limit was hit.
bool IsOutOfSpace(const rocksdb::Status& s);

}  // namespace mailroom::store::rocksdb_engine

#endif  // MAILROOM_STORE_ROCKSDB_ROCKS_STATUS_H_
