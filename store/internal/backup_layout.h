// What a backup directory holds besides the engine's own files (written by
// StoreImpl::CreateBackup, read by RestoreBackup in store/backup.h):
//
//   DIR/                       the engine's backups (RocksDB BackupEngine)
//   DIR/mailroom_index/ID/     the full-text index as of backup ID
//   DIR/mailroom_index/partial.*   an index copy whose backup is not done
//
// Each engine backup carries metadata "mailroom-backup 1 index=0|1": index=1
// says an index copy belongs to it (its directory may still be missing after
// a crash between the two; a restore then reindexes).
#ifndef MAILROOM_STORE_INTERNAL_BACKUP_LAYOUT_H_
#define MAILROOM_STORE_INTERNAL_BACKUP_LAYOUT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace mailroom::store::internal {

inline constexpr std::string_view kBackupIndexDir = "mailroom_index";
inline constexpr std::string_view kPartialIndexPrefix = "partial.";

inline std::string BackupIndexRoot(const std::string& dir) {
  return absl::StrCat(dir, "/", std::string(kBackupIndexDir));
}
inline std::string BackupIndexCopy(const std::string& dir, uint32_t id) {
  return absl::StrCat(BackupIndexRoot(dir), "/", id);
}

inline std::string BackupMetadata(bool with_index) {
  return absl::StrCat("mailroom-backup 1 index=", with_index ? 1 : 0);
}
inline bool MetadataHasIndex(std::string_view metadata) {
  return metadata.find(" index=1") != std::string_view::npos;
}

}  // namespace mailroom::store::internal

#endif  // MAILROOM_STORE_INTERNAL_BACKUP_LAYOUT_H_
