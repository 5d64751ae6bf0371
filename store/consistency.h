// Consistency check of a store opened with OpenStore() (for tests and the
// admin CLI): recounts status counters, quota usage, blob reference counts
// and the change log, and compares them with what is stored.
#ifndef MAILROOM_STORE_CONSISTENCY_H_
#define MAILROOM_STORE_CONSISTENCY_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/store.h"

namespace mailroom::store {

// kDataLoss describing the first difference found; kUnimplemented when
// `store` is not the RocksDB store.
absl::Status CheckConsistency(Store& store);

struct StoreStats {
  uint64_t blobs = 0;        // distinct message bodies stored
  uint64_t blob_bytes = 0;   // their total size
  uint64_t index_queue = 0;  // queued full-text index work items
};
// kUnimplemented when `store` is not the RocksDB store.
absl::StatusOr<StoreStats> GetStoreStats(Store& store);

// Applies every queued full-text index work item now (no-op without a text
// index). kUnimplemented when `store` is not the RocksDB store.
absl::Status CatchUpIndex(Store& store);

}  // namespace mailroom::store

#endif  // MAILROOM_STORE_CONSISTENCY_H_
