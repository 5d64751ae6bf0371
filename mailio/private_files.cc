#include "mailio/private_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "base/file_tree.h"

namespace mailroom::mailio {
namespace {

absl::Status ErrnoError(std::string_view what, const std::string& path) {
  return absl::UnavailableError(
      absl::StrCat("cannot ", std::string(what), " ", path, ": ", std::strerror(errno)));
}

}  // namespace

absl::Status MakePrivateDir(const std::string& dir) {
  const std::filesystem::path path(dir);
  if (path.has_parent_path() && path.parent_path() != path) {
    std::error_code ec;
    if (!std::filesystem::is_directory(path.parent_path(), ec)) {
      absl::Status parent = MakePrivateDir(path.parent_path().string());
      if (!parent.ok()) return parent;
    }
  }
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return ErrnoError("create", dir);
  }
  return absl::OkStatus();
}

absl::Status PrepareExportRoot(const std::string& dir) {
  absl::StatusOr<bool> free = IsMissingOrEmpty(dir);
  if (!free.ok()) return free.status();
  if (!*free) {
    return absl::FailedPreconditionError(absl::StrCat(
        dir, " is not empty: export into a new or empty directory"));
  }
  return CreatePrivateDirectory(dir);
}

absl::Status WritePrivateFile(const std::string& path, std::string_view data,
                              std::optional<int64_t> mtime) {
  const int fd =
      open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoError("create", path);
  size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const absl::Status status = ErrnoError("write", path);
      close(fd);
      return status;
    }
    written += static_cast<size_t>(n);
  }
  if (mtime.has_value()) {
    const timespec times[2] = {{*mtime, 0}, {*mtime, 0}};
    if (futimens(fd, times) != 0) {
      const absl::Status status = ErrnoError("set the time of", path);
      close(fd);
      return status;
    }
  }
  if (close(fd) != 0) return ErrnoError("close", path);
  return absl::OkStatus();
}

}  // namespace mailroom::mailio
