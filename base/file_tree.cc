#include "base/file_tree.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <utility>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace mailroom {
namespace {

namespace fs = std::filesystem;

absl::Status FsError(const char* what, const std::string& path,
                     const std::error_code& ec) {
  return absl::UnavailableError(
      absl::StrCat(what, " ", path, ": ", ec.message()));
}

absl::Status ErrnoError(const char* what, const std::string& path) {
  return absl::UnavailableError(
      absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

}  // namespace

absl::Status CopyFilePrivate(const std::string& from, const std::string& to) {
  const int in = open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return ErrnoError("cannot read", from);
  const int out =
      open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0) {
    close(in);
    return ErrnoError("cannot create", to);
  }
  absl::Status status;
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = read(in, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = ErrnoError("cannot read", from);
      break;
    }
    if (n == 0) break;
    for (ssize_t written = 0; written < n;) {
      ssize_t w = write(out, buffer + written, n - written);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        status = ErrnoError("cannot write", to);
        break;
      }
      written += w;
    }
    if (!status.ok()) break;
  }
  if (status.ok() && fsync(out) != 0) status = ErrnoError("cannot sync", to);
  close(in);
  if (close(out) != 0 && status.ok()) status = ErrnoError("cannot write", to);
  return status;
}

TreeUsage MeasureTree(const std::string& root) {
  TreeUsage usage;
  std::set<std::pair<dev_t, ino_t>> linked;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end;
       it.increment(ec)) {
    struct stat st;
    if (lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      continue;  // removed meanwhile, or not a file
    }
    if (st.st_nlink > 1 && !linked.insert({st.st_dev, st.st_ino}).second) {
      continue;
    }
    usage.bytes += static_cast<uint64_t>(st.st_size);
    ++usage.files;
  }
  return usage;
}

absl::Status LinkTree(const std::string& from, const std::string& to) {
  if (mkdir(to.c_str(), 0700) != 0) return ErrnoError("cannot create", to);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(from, ec)) {
    std::error_code entry_ec;
    if (!entry.is_regular_file(entry_ec)) {
      return absl::FailedPreconditionError(
          absl::StrCat(entry.path().string(), " is not a plain file"));
    }
    fs::create_hard_link(entry.path(), fs::path(to) / entry.path().filename(),
                         entry_ec);
    if (entry_ec) return FsError("cannot link", entry.path().string(), entry_ec);
  }
  if (ec) return FsError("cannot list", from, ec);
  return absl::OkStatus();
}

absl::Status CreatePrivateDirectory(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return FsError("cannot create", dir, ec);
  if (chmod(dir.c_str(), 0700) != 0) return ErrnoError("cannot chmod", dir);
  return absl::OkStatus();
}

absl::Status MakeTreePrivate(const std::string& root) {
  if (chmod(root.c_str(), 0700) != 0) return ErrnoError("cannot chmod", root);
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code entry_ec;
    const fs::file_status status = it->symlink_status(entry_ec);
    if (entry_ec) continue;
    const std::string path = it->path().string();
    if (fs::is_directory(status)) {
      if (chmod(path.c_str(), 0700) != 0) return ErrnoError("cannot chmod", path);
    } else if (fs::is_regular_file(status)) {
      if (chmod(path.c_str(), 0600) != 0 && errno != ENOENT) {
        return ErrnoError("cannot chmod", path);
      }
    }
  }
  if (ec) return FsError("cannot list", root, ec);
  return absl::OkStatus();
}

absl::Status CopyTreePrivate(const std::string& from, const std::string& to) {
  std::error_code ec;
  if (fs::exists(to, ec)) {
    return absl::FailedPreconditionError(absl::StrCat(to, " already exists"));
  }
  if (mkdir(to.c_str(), 0700) != 0) return ErrnoError("cannot create", to);
  for (fs::recursive_directory_iterator it(from, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code entry_ec;
    const fs::file_status status = it->symlink_status(entry_ec);
    if (entry_ec) continue;
    const fs::path relative = fs::relative(it->path(), from, entry_ec);
    if (entry_ec) return FsError("cannot copy", it->path().string(), entry_ec);
    const std::string target = (fs::path(to) / relative).string();
    if (fs::is_directory(status)) {
      if (mkdir(target.c_str(), 0700) != 0) {
        return ErrnoError("cannot create", target);
      }
    } else if (fs::is_regular_file(status)) {
      absl::Status copied = CopyFilePrivate(it->path().string(), target);
      if (!copied.ok()) return copied;
    }
  }
  if (ec) return FsError("cannot copy", from, ec);
  return absl::OkStatus();
}

absl::StatusOr<bool> IsMissingOrEmpty(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    if (ec) return FsError("cannot read", dir, ec);
    return true;
  }
  if (!fs::is_directory(dir, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir, " is not a directory"));
  }
  const bool empty = fs::is_empty(dir, ec);
  if (ec) return FsError("cannot read", dir, ec);
  return empty;
}

absl::Status SyncDirectory(const std::string& dir) {
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open", dir);
  const int rc = fsync(fd);
  close(fd);
  if (rc != 0) return ErrnoError("cannot sync", dir);
  return absl::OkStatus();
}

}  // namespace mailroom
