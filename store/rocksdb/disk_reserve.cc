#include "store/rocksdb/disk_reserve.h"

#include <sys/statvfs.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "store/no_space.h"

namespace mailroom::store::rocksdb_engine {

DiskReserve::DiskReserve(std::string dir, uint64_t min_free_bytes)
    : dir_(std::move(dir)), min_free_bytes_(min_free_bytes) {}

absl::Status DiskReserve::Check(bool deletes_only) const {
  if (min_free_bytes_ == 0) return absl::OkStatus();
  const uint64_t needed = deletes_only ? min_free_bytes_ / 4 : min_free_bytes_;
  // One statvfs per write commit: a few microseconds next to the commit's
  // fsync, and never a stale answer.
  struct statvfs fs;
  if (statvfs(dir_.c_str(), &fs) != 0) {
    return absl::OkStatus();  // cannot tell: RocksDB's own errors remain
  }
  const uint64_t free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  if (free_bytes >= needed) return absl::OkStatus();
  return absl::ResourceExhaustedError(
      absl::StrCat(kNoSpacePrefix, ": less than ", needed,
                   " bytes free on the store's file system"));
}

}  // namespace mailroom::store::rocksdb_engine
