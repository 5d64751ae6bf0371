#include "store/rocksdb/rocksdb_backup.h"

#include <algorithm>
#include <atomic>
#include <memory>

#include "absl/strings/str_cat.h"
#include "base/file_tree.h"
#include "base/status_macros.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/utilities/backup_engine.h"
#include "store/rocksdb/rocks_status.h"

namespace mailroom::store::rocksdb_engine {
namespace {

// Progress is reported every this many bytes copied.
constexpr uint64_t kProgressBytes = 1 << 20;

rocksdb::BackupEngineOptions EngineOptions(const std::string& dir) {
  rocksdb::BackupEngineOptions options(dir);
  options.share_table_files = true;          // incremental
  options.share_files_with_checksum = true;  // shared files named by content
  options.sync = true;                       // a finished backup is durable
  options.backup_log_files = true;
  // Two cores serve mail meanwhile: copy with one thread.
  options.max_background_operations = 1;
  options.callback_trigger_interval_size = kProgressBytes;
  return options;
}

absl::Status FromRocksIo(const rocksdb::IOStatus& s) {
  return FromRocks(rocksdb::Status(s));
}

RocksDbBackup FromInfo(const rocksdb::BackupInfo& info) {
  return RocksDbBackup{.id = info.backup_id,
                       .created_unix = info.timestamp,
                       .bytes = info.size,
                       .files = info.number_files,
                       .metadata = info.app_metadata};
}

absl::StatusOr<std::unique_ptr<rocksdb::BackupEngineReadOnly>> OpenReadOnly(
    const std::string& dir) {
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  rocksdb::IOStatus s = rocksdb::BackupEngineReadOnly::Open(
      EngineOptions(dir), rocksdb::Env::Default(), &raw);
  if (!s.ok()) {
    return absl::Status(
        FromRocksIo(s).code(),
        absl::StrCat("cannot read the backups in ", dir, ": ", s.ToString()));
  }
  return std::unique_ptr<rocksdb::BackupEngineReadOnly>(raw);
}

}  // namespace

absl::StatusOr<engine::EngineBackup> BackUpRocksDb(
    rocksdb::DB& db, const std::string& dir, const std::string& metadata,
    const std::function<void(uint64_t, uint64_t)>& progress) {
  MR_RETURN_IF_ERROR(CreatePrivateDirectory(dir));
  rocksdb::BackupEngine* raw = nullptr;
  rocksdb::IOStatus s = rocksdb::BackupEngine::Open(
      EngineOptions(dir), rocksdb::Env::Default(), &raw);
  if (!s.ok()) {
    return absl::Status(FromRocksIo(s).code(),
                        absl::StrCat("cannot open the backup directory ", dir,
                                     ": ", s.ToString()));
  }
  std::unique_ptr<rocksdb::BackupEngine> backups(raw);
  // Files of a backup cut short (a crash) are reclaimed here.
  s = backups->GarbageCollect();
  if (!s.ok()) return FromRocksIo(s);

  // The store's files bound what is copied (shared files already in the
  // directory are skipped, so the bar may finish early).
  const uint64_t total = MeasureTree(db.GetName()).bytes;
  std::atomic<uint64_t> done{0};
  rocksdb::CreateBackupOptions options;
  // Flushing first puts every acknowledged write into table files; the
  // WAL files still live are copied too.
  options.flush_before_backup = true;
  options.progress_callback = [&] {
    const uint64_t now = done.fetch_add(kProgressBytes) + kProgressBytes;
    if (progress) progress(std::min(now, total), total);
  };
  rocksdb::BackupID id = 0;
  s = backups->CreateNewBackupWithMetadata(options, &db, metadata, &id);
  if (!s.ok()) {
    return absl::Status(FromRocksIo(s).code(),
                        absl::StrCat("backup failed: ", s.ToString()));
  }
  rocksdb::BackupInfo info;
  rocksdb::Status found = backups->GetBackupInfo(id, &info);
  if (!found.ok()) return FromRocks(found);
  if (progress) progress(total, total);
  return engine::EngineBackup{.id = info.backup_id,
                              .created_unix = info.timestamp,
                              .bytes = info.size,
                              .files = info.number_files};
}

absl::StatusOr<std::vector<RocksDbBackup>> ListRocksDbBackups(
    const std::string& dir) {
  MR_ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngineReadOnly> backups,
                      OpenReadOnly(dir));
  std::vector<rocksdb::BackupInfo> infos;
  backups->GetBackupInfo(&infos);
  if (infos.empty()) {
    return absl::NotFoundError(absl::StrCat("no backup in ", dir));
  }
  std::vector<RocksDbBackup> out;
  for (const rocksdb::BackupInfo& info : infos) out.push_back(FromInfo(info));
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

absl::Status RestoreRocksDbBackup(const std::string& dir, uint32_t id,
                                  const std::string& target_dir) {
  MR_ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngineReadOnly> backups,
                      OpenReadOnly(dir));
  rocksdb::IOStatus s = backups->VerifyBackup(id, /*verify_with_checksum=*/true);
  if (!s.ok()) {
    return absl::DataLossError(
        absl::StrCat("backup ", id, " in ", dir, " is damaged or incomplete: ",
                     s.ToString()));
  }
  s = backups->RestoreDBFromBackup(rocksdb::RestoreOptions(), id, target_dir,
                                   target_dir);
  if (!s.ok()) {
    return absl::Status(FromRocksIo(s).code(),
                        absl::StrCat("restoring backup ", id, " failed: ",
                                     s.ToString()));
  }
  return absl::OkStatus();
}

}  // namespace mailroom::store::rocksdb_engine
