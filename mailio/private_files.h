// Files and directories only their owner may read: exports hold mail.
//
// Thread-safety: pure functions over the file system.
#ifndef MAILROOM_MAILIO_PRIVATE_FILES_H_
#define MAILROOM_MAILIO_PRIVATE_FILES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace mailroom::mailio {

// Creates `dir` (mode 0700) and missing parents; an existing directory is
// fine.
absl::Status MakePrivateDir(const std::string& dir);

// Makes `dir` the empty root of an export: creates it (0700), or accepts it
// when it exists and is empty. kFailedPrecondition when it holds anything,
// so an export never mixes with older files.
absl::Status PrepareExportRoot(const std::string& dir);

// Writes `data` to `path` (mode 0600, replaced if present) and sets its
// modification time when given. kUnavailable on an I/O error.
absl::Status WritePrivateFile(const std::string& path, std::string_view data,
                              std::optional<int64_t> mtime = std::nullopt);

}  // namespace mailroom::mailio

#endif  // MAILROOM_MAILIO_PRIVATE_FILES_H_
