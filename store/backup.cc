#include "store/backup.h"

#include <filesystem>
#include <memory>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "base/file_tree.h"
#include "base/status_macros.h"
#include "store/internal/backup_layout.h"
#include "store/rocksdb/rocksdb_backup.h"
#include "store/store.h"

namespace mailroom::store {
namespace {

namespace fs = std::filesystem;

bool IndexCopyExists(const std::string& dir, uint32_t id) {
  std::error_code ec;
  return fs::is_directory(internal::BackupIndexCopy(dir, id), ec);
}

// Queues every message of the restored store for indexing (a backup
// without its index copy).
absl::Status QueueFullReindex(const std::string& data_dir) {
  StoreOptions options;
  options.data_dir = data_dir;  // no text index: only the queue is written
  MR_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore(options));
  return store->Reindex("");
}

// The files of backup result.id, then its index (or a reindex).
absl::Status RestoreInto(const RestoreRequest& request,
                         const RestoreResult& result) {
  MR_RETURN_IF_ERROR(rocksdb_engine::RestoreRocksDbBackup(
      request.backup_dir, result.id, request.data_dir));
  if (result.index_restored) {
    MR_RETURN_IF_ERROR(CopyTreePrivate(
        internal::BackupIndexCopy(request.backup_dir, result.id),
        request.index_dir));
  } else {
    MR_RETURN_IF_ERROR(QueueFullReindex(request.data_dir));
  }
  return MakeTreePrivate(request.data_dir);
}

}  // namespace

absl::StatusOr<std::vector<StoredBackup>> ListBackups(const std::string& dir) {
  MR_ASSIGN_OR_RETURN(std::vector<rocksdb_engine::RocksDbBackup> backups,
                      rocksdb_engine::ListRocksDbBackups(dir));
  std::vector<StoredBackup> out;
  for (const rocksdb_engine::RocksDbBackup& backup : backups) {
    StoredBackup stored;
    stored.info = BackupInfo{.id = backup.id,
                             .created_unix = backup.created_unix,
                             .bytes = backup.bytes,
                             .files = backup.files};
    stored.has_index = internal::MetadataHasIndex(backup.metadata) &&
                       IndexCopyExists(dir, backup.id);
    if (stored.has_index) {
      const TreeUsage index =
          MeasureTree(internal::BackupIndexCopy(dir, backup.id));
      stored.info.bytes += index.bytes;
      stored.info.files += index.files;
    }
    out.push_back(stored);
  }
  return out;
}

absl::StatusOr<RestoreResult> RestoreBackup(const RestoreRequest& request) {
  if (request.backup_dir.empty() || request.data_dir.empty() ||
      request.index_dir.empty()) {
    return absl::InvalidArgumentError(
        "a restore needs a backup directory and a target data directory");
  }
  MR_ASSIGN_OR_RETURN(bool empty, IsMissingOrEmpty(request.data_dir));
  if (!empty) {
    return absl::FailedPreconditionError(
        absl::StrCat(request.data_dir,
                     " is not empty: restore into a new or empty directory"));
  }
  MR_ASSIGN_OR_RETURN(std::vector<StoredBackup> backups,
                      ListBackups(request.backup_dir));
  const StoredBackup* chosen = &backups.back();
  if (request.id != 0) {
    chosen = nullptr;
    for (const StoredBackup& b : backups) {
      if (b.info.id == request.id) chosen = &b;
    }
    if (chosen == nullptr) {
      return absl::NotFoundError(absl::StrCat("no backup ", request.id,
                                              " in ", request.backup_dir));
    }
  }
  RestoreResult result{.id = chosen->info.id,
                       .index_restored = chosen->has_index};
  MR_RETURN_IF_ERROR(CreatePrivateDirectory(request.data_dir));
  absl::Status status = RestoreInto(request, result);
  if (!status.ok()) {
    // The directory was empty: what is there now is this restore's, and a
    // retry needs it empty again.
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(request.data_dir, ec)) {
      fs::remove_all(entry.path(), ec);
    }
  }
  if (!status.ok()) return status;
  return result;
}

}  // namespace mailroom::store
