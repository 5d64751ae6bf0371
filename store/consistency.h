// Consistency check of a store opened with OpenStore() (for tests and the
// admin CLI): recounts status counters, quota usage, blob reference counts
// and the change log, and compares them with what is stored.
#ifndef MAILROOM_STORE_CONSISTENCY_H_
#define MAILROOM_STORE_CONSISTENCY_H_

#include "absl/status/status.h"
#include "store/store.h"

namespace mailroom::store {

// kDataLoss describing the first difference found; kUnimplemented when
// `store` is not the RocksDB store.
absl::Status CheckConsistency(Store& store);

// Applies every queued full-text index work item now (no-op without a text
// index). kUnimplemented when `store` is not the RocksDB store.
absl::Status CatchUpIndex(Store& store);

}  // namespace mailroom::store

#endif  // MAILROOM_STORE_CONSISTENCY_H_
