// Small file-tree helpers for backups: what a directory holds, keeping it
// private to its owner, and whether it is free to restore into.
#ifndef MAILROOM_BASE_FILE_TREE_H_
#define MAILROOM_BASE_FILE_TREE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mailroom {

struct TreeUsage {
  uint64_t bytes = 0;  // sizes of the regular files
  uint32_t files = 0;
};

// The regular files under `root`, recursively, a file linked several times
// counted once; zero when it is missing.
TreeUsage MeasureTree(const std::string& root);

// Creates `dir` (and its parents) if missing and gives it mode 0700.
absl::Status CreatePrivateDirectory(const std::string& dir);

// Gives every directory under `root` (itself included) mode 0700 and every
// regular file 0600: backups hold every user's mail.
absl::Status MakeTreePrivate(const std::string& root);

// Copies the file `from` to `to` (which must not exist) with mode 0600 and
// syncs it.
absl::Status CopyFilePrivate(const std::string& from, const std::string& to);

// Copies the regular files and directories under `from` into `to` (which
// must not exist), privately (0700/0600), syncing each file.
absl::Status CopyTreePrivate(const std::string& from, const std::string& to);

// Makes `to` (which must not exist, mode 0700) hold hard links to the
// regular files directly in `from` (a flat directory of immutable files).
absl::Status LinkTree(const std::string& from, const std::string& to);

// True when `dir` is missing or an empty directory.
absl::StatusOr<bool> IsMissingOrEmpty(const std::string& dir);

// Syncs the directory entry list of `dir` (after a rename into it).
absl::Status SyncDirectory(const std::string& dir);

}  // namespace mailroom

#endif  // MAILROOM_BASE_FILE_TREE_H_
