#include "index/index_stats.h"

#include <chrono>
#include <filesystem>
#include <system_error>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace mailroom::index {

namespace {

namespace fs = std::filesystem;

absl::Mutex root_mu(absl::kConstInit);
std::string* opened_root ABSL_GUARDED_BY(root_mu) = nullptr;

// Owner names become directory names: keep [a-z0-9@_+-], escape the rest
// (so no name is "." or "..", holds '/', or ends in ".known").
std::string OwnerDirName(std::string_view owner) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : owner) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                       c == '@' || c == '_' || c == '+' || c == '-';
    if (plain) {
      out.push_back(c);
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 15]);
    }
  }
  return out.empty() ? "%" : out;
}

}  // namespace

std::string OwnerDirectory(std::string_view root, std::string_view owner) {
  return std::string(root).append("/").append(OwnerDirName(owner));
}

OwnerIndexStats StatOwnerIndex(std::string_view root, std::string_view owner) {
  OwnerIndexStats stats;
  const fs::path dir = OwnerDirectory(root, owner);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return stats;
  stats.exists = true;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::error_code size_ec;
    const uintmax_t size = entry.file_size(size_ec);
    if (!size_ec) stats.bytes += size;
  }
  // Glass rewrites its version file at every commit.
  const fs::file_time_type written =
      fs::last_write_time(dir / "iamglass", ec);
  if (!ec) {
    const auto system = std::chrono::file_clock::to_sys(written);
    stats.last_commit_unix = std::chrono::duration_cast<std::chrono::seconds>(
                                 system.time_since_epoch())
                                 .count();
  }
  return stats;
}

std::string OpenedIndexRoot() {
  absl::MutexLock lock(&root_mu);
  return opened_root == nullptr ? "" : *opened_root;
}

void RememberOpenedIndexRoot(std::string root) {
  absl::MutexLock lock(&root_mu);
  if (opened_root == nullptr) opened_root = new std::string;
  *opened_root = std::move(root);
}

}  // namespace mailroom::index
