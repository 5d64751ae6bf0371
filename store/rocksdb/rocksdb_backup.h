// Backups of the embedded engine's store with RocksDB's BackupEngine. A
// backup directory holds any number of backups; table and blob files are
// shared between them (named by checksum and size), so a backup copies only
// the files the previous ones lack, and every file's checksum is recorded
// and verified before a restore. A backup cut short leaves no listed
// backup; the next backup into the directory reclaims its files.
//
// Listing and restoring need no open store (mailroomctl runs them with the
// daemon stopped).
#ifndef MAILROOM_STORE_ROCKSDB_ROCKSDB_BACKUP_H_
#define MAILROOM_STORE_ROCKSDB_ROCKSDB_BACKUP_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/engine/engine.h"

namespace rocksdb {
class DB;
}  // namespace rocksdb

namespace mailroom::store::rocksdb_engine {

struct RocksDbBackup {
  uint32_t id = 0;
  int64_t created_unix = 0;
  uint64_t bytes = 0;  // its files, shared ones included
  uint32_t files = 0;
  std::string metadata;  // what the writer kept with it
};

// Writes a backup of `db` into `dir` (created 0700 if missing), flushing
// first so that every write acknowledged before the call is in it.
// `progress(done, total)` reports bytes copied of about `total`.
absl::StatusOr<engine::EngineBackup> BackUpRocksDb(
    rocksdb::DB& db, const std::string& dir, const std::string& metadata,
    const std::function<void(uint64_t, uint64_t)>& progress);

// The backups in `dir`, oldest first; kNotFound when it holds none.
absl::StatusOr<std::vector<RocksDbBackup>> ListRocksDbBackups(
    const std::string& dir);

// Verifies the checksums of backup `id` in `dir`, then restores it into
// `target_dir` (which should be empty: a restore replaces the files there).
absl::Status RestoreRocksDbBackup(const std::string& dir, uint32_t id,
                                  const std::string& target_dir);

}  // namespace mailroom::store::rocksdb_engine

#endif  // MAILROOM_STORE_ROCKSDB_ROCKSDB_BACKUP_H_
