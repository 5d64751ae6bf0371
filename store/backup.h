// Listing and restoring the backups Store::CreateBackup writes (embedded
// RocksDB store). Both work with no store open: a restore creates a new
// data directory that mailroomd then starts on.
#ifndef MAILROOM_STORE_BACKUP_H_
#define MAILROOM_STORE_BACKUP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/types.h"

namespace mailroom::store {

struct StoredBackup {
  BackupInfo info;  // new_bytes is not known afterwards: 0
  // The backup holds the full-text index as of the same moment; without it
  // a restore queues every message for indexing.
  bool has_index = false;
};

// The backups in `dir`, oldest first. kNotFound when it holds none.
absl::StatusOr<std::vector<StoredBackup>> ListBackups(const std::string& dir);

struct RestoreRequest {
  std::string backup_dir;
  uint32_t id = 0;  // 0: the latest backup
  // The new store's data directory: must be missing or empty.
  std::string data_dir;
  // Where the store's full-text index lives (mailroomd: data_dir + "/index").
  std::string index_dir;
};

struct RestoreResult {
  uint32_t id = 0;
  bool index_restored = false;  // false: every message was queued for indexing
};

// Checks every file's checksum, then writes the store (and its index) of
// backup `id` into an empty data directory, private to its owner.
// kFailedPrecondition when data_dir is not empty, kNotFound for an unknown
// id, kDataLoss for a damaged backup.
absl::StatusOr<RestoreResult> RestoreBackup(const RestoreRequest& request);

}  // namespace mailroom::store

#endif  // MAILROOM_STORE_BACKUP_H_
