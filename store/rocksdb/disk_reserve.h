// Keeps a reserve of free space on the store's file system: a write is
// refused (the store's NOSPACE status, store/no_space.h) while less than
// `min_free_bytes` is free. RocksDB stops taking writes for good once it
// has hit ENOSPC itself (it waits for more free space than a small disk may
// ever have, or for a restart); refusing before that point keeps the store
// writable again as soon as space returns, with no restart.
#ifndef MAILROOM_STORE_ROCKSDB_DISK_RESERVE_H_
#define MAILROOM_STORE_ROCKSDB_DISK_RESERVE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace mailroom::store::rocksdb_engine {

// Thread-safe. Looks at the file system on every call, so writes resume as
// soon as there is room.
class DiskReserve {
 public:
  // `min_free_bytes` 0 turns the check off.
  DiskReserve(std::string dir, uint64_t min_free_bytes);

  // OK, or kResourceExhausted "NOSPACE ..." while less than the reserve is
  // free; a write that only deletes needs a quarter of it.
  absl::Status Check(bool deletes_only = false) const;

 private:
  const std::string dir_;
  const uint64_t min_free_bytes_;
};

}  // namespace mailroom::store::rocksdb_engine

#endif  // MAILROOM_STORE_ROCKSDB_DISK_RESERVE_H_
