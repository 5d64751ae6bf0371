// StoreImpl::CreateBackup: a point-in-time copy of the store and of its
// full-text index that agree with each other.
//
// The index is fed from the index queue kept in the store: the indexer
// applies queued items to the index and then deletes them from the queue
// (CatchUpIndex, under index_apply_mu_). A backup pauses that loop
// (index_paused_: nothing is applied or acknowledged) and, while paused,
// copies the index and has the engine copy the store. With the loop paused:
//   - every item the index copy lacks is still in the queue when the
//     engine's copy is cut: items are acknowledged only after being applied,
//     and none is applied or acknowledged during the pause;
//   - everything in the index copy was committed to the store before the
//     pause, so it is in the store copy (index ⊆ store); a message expunged
//     since has its removal item in the copied queue.
// So after a restore the indexer applies the copied queue to the copied
// index and searches are exact again, with no reindex. (An item applied but
// not yet acknowledged is applied again: applying is idempotent.) Searches
// during the pause scan messages instead of asking the index, so they stay
// exact; deliveries go on and only queue up.
//
// An owner's index database unchanged since the previous backup is linked
// to that backup's copy instead of copied again (the index part is
// incremental per owner; the engine's part per file).
//
// The index copy is written to a partial directory first and named after
// the engine's backup id once that backup exists; a crash in between leaves
// a backup without index, which a restore rebuilds by reindexing.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <system_error>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/file_tree.h"
#include "base/status_macros.h"
#include "store/internal/backup_layout.h"
#include "store/internal/store_impl.h"

namespace mailroom::store::internal {
namespace {

namespace fs = std::filesystem;

// Index copies whose backup does not exist (partial ones, or of backups
// that a crash cut short) are removed before a new backup.
void RemoveStrayIndexCopies(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(BackupIndexRoot(dir), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kPartialIndexPrefix, 0) == 0) {
      fs::remove_all(entry.path(), ec);
    }
  }
}

// The index copy of the newest backup in `dir` ("" when none): owners'
// databases unchanged since are linked to it rather than copied again.
std::string LatestIndexCopy(const std::string& dir) {
  uint32_t latest = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(BackupIndexRoot(dir), ec)) {
    uint32_t id = 0;
    if (absl::SimpleAtoi(entry.path().filename().string(), &id)) {
      latest = std::max(latest, id);
    }
  }
  return latest == 0 ? "" : BackupIndexCopy(dir, latest);
}

std::string PartialName() {
  std::random_device random;
  return absl::StrCat(std::string(kPartialIndexPrefix), getpid(), ".",
                      random());
}

}  // namespace

absl::StatusOr<BackupInfo> StoreImpl::CreateBackup(
    std::string_view dir_view,
    const std::function<void(uint64_t, uint64_t)>& progress) {
  if (shared_) {
    return absl::UnimplementedError(
        "a store shared by several nodes (RADOS) has no online backup: "
        "export the accounts instead");
  }
  const std::string dir(dir_view);
  if (dir.empty()) return absl::InvalidArgumentError("no backup directory");
  bool idle = false;
  if (!backup_running_.compare_exchange_strong(idle, true)) {
    return absl::FailedPreconditionError("a backup is already running");
  }
  struct Running {
    std::atomic<bool>& flag;
    ~Running() { flag = false; }
  } running{backup_running_};

  MR_RETURN_IF_ERROR(CreatePrivateDirectory(dir));
  RemoveStrayIndexCopies(dir);
  const TreeUsage before = MeasureTree(dir);
  const auto started = std::chrono::system_clock::now();

  const bool with_index = options_.text_index != nullptr;
  const std::string partial =
      absl::StrCat(BackupIndexRoot(dir), "/", PartialName());
  absl::StatusOr<engine::EngineBackup> backup;
  {
    MutexLock lock(&index_apply_mu_);
    index_paused_ = true;
  }
  absl::Status copied = absl::OkStatus();
  if (with_index) {
    copied = CreatePrivateDirectory(BackupIndexRoot(dir));
    if (copied.ok()) {
      copied = options_.text_index->CopyTo(partial, LatestIndexCopy(dir));
    }
  }
  if (copied.ok()) {
    backup = engine_->CreateBackup(dir, BackupMetadata(with_index), progress);
  }
  {
    MutexLock lock(&index_apply_mu_);
    index_paused_ = false;
  }
  WakeIndexer();
  if (!copied.ok()) {
    std::error_code ec;
    fs::remove_all(partial, ec);
    return absl::Status(copied.code(),
                        absl::StrCat("copying the full-text index failed: ",
                                     copied.message()));
  }
  if (!backup.ok()) {
    std::error_code ec;
    fs::remove_all(partial, ec);
    return backup.status();
  }

  BackupInfo info{.id = backup->id,
                  .created_unix = std::chrono::duration_cast<std::chrono::seconds>(
                                      started.time_since_epoch())
                                      .count(),
                  .bytes = backup->bytes,
                  .files = backup->files};
  if (with_index) {
    const std::string final_copy = BackupIndexCopy(dir, backup->id);
    std::error_code ec;
    fs::remove_all(final_copy, ec);  // left by a backup a crash cut short
    fs::rename(partial, final_copy, ec);
    if (ec) {
      return absl::UnavailableError(absl::StrCat(
          "backup ", backup->id, " written but its index copy could not be "
          "named (a restore of it reindexes): ", ec.message()));
    }
    MR_RETURN_IF_ERROR(SyncDirectory(BackupIndexRoot(dir)));
    const TreeUsage index_usage = MeasureTree(final_copy);
    info.bytes += index_usage.bytes;
    info.files += index_usage.files;
  }
  MR_RETURN_IF_ERROR(MakeTreePrivate(dir));
  const TreeUsage after = MeasureTree(dir);
  info.new_bytes = after.bytes > before.bytes ? after.bytes - before.bytes : 0;
  return info;
}

}  // namespace mailroom::store::internal
