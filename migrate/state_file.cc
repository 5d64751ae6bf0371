#include "migrate/state_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/crypto.h"
#include "nlohmann/json.hpp"

namespace mailroom::migrate {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kFormatVersion = 1;

std::string Hex(const std::string& raw) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// A file name part that keeps letters, digits, '.', '-' and '_'.
std::string Safe(absl::string_view s) {
  std::string out;
  for (char c : s) {
    out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '.' ||
                          c == '-' || c == '_'
                      ? c
                      : '_');
  }
  return out;
}

json PendingToJson(const PendingBatch& p) {
  json hashes = json::array();
  for (const auto& [key, hash] : p.hashes) hashes.push_back({key, hash});
  return {{"local_uidnext", p.local_uidnext}, {"hashes", hashes}};
}

PendingBatch PendingFromJson(const json& j) {
  PendingBatch p;
  p.local_uidnext = j.at("local_uidnext").get<uint32_t>();
  for (const json& pair : j.at("hashes")) {
    p.hashes.emplace_back(pair.at(0).get<std::string>(),
                          pair.at(1).get<std::string>());
  }
  return p;
}

// The map as runs [source, local, count] of consecutive UIDs: a migration
// that keeps UIDs is one run per gap-free stretch.
json MapToJson(const std::map<uint32_t, uint32_t>& map) {
  json runs = json::array();
  uint32_t start_src = 0, start_local = 0, count = 0;
  for (const auto& [src, local] : map) {
    if (count > 0 && src == start_src + count && local == start_local + count) {
      ++count;
      continue;
    }
    if (count > 0) runs.push_back({start_src, start_local, count});
    start_src = src;
    start_local = local;
    count = 1;
  }
  if (count > 0) runs.push_back({start_src, start_local, count});
  return runs;
}

std::map<uint32_t, uint32_t> MapFromJson(const json& runs) {
  std::map<uint32_t, uint32_t> map;
  for (const json& run : runs) {
    const uint32_t src = run.at(0), local = run.at(1), count = run.at(2);
    for (uint32_t i = 0; i < count; ++i) map.emplace(src + i, local + i);
  }
  return map;
}

absl::Status WriteAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::InternalError(strerror(errno));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

}  // namespace

std::string HexSha256(absl::string_view data) {
  return Hex(crypto::Sha256(std::string_view(data.data(), data.size())));
}

std::string StatePath(const std::string& state_dir, const std::string& kind,
                      const std::string& local_user, const std::string& host,
                      const std::string& remote_user) {
  const std::string source = absl::StrCat(host, "/", remote_user);
  return (fs::path(state_dir) /
          absl::StrCat(kind, "-", Safe(local_user), "-",
                       HexSha256(source).substr(0, 16), ".json"))
      .string();
}

absl::StatusOr<std::unique_ptr<AccountLock>> AccountLock::Acquire(
    const std::string& state_path) {
  std::error_code ec;
  fs::create_directories(fs::path(state_path).parent_path(), ec);
  const std::string path = state_path + ".lock";
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot open ", path, ": ", strerror(errno)));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return absl::FailedPreconditionError(
        "a migration of this account is already running");
  }
  return std::unique_ptr<AccountLock>(new AccountLock(fd));
}

AccountLock::~AccountLock() { close(fd_); }

absl::StatusOr<AccountState> LoadState(const std::string& path) {
  AccountState state;
  std::ifstream in(path, std::ios::binary);
  if (!in) return state;
  std::stringstream text;
  text << in.rdbuf();
  try {
    const json doc = json::parse(text.str());
    if (doc.value("version", 0) != kFormatVersion) {
      return absl::FailedPreconditionError(
          absl::StrCat("unknown migration state format in ", path));
    }
    for (const auto& [name, f] : doc.at("folders").items()) {
      FolderState folder;
      folder.source_uidvalidity = f.at("uidvalidity").get<uint32_t>();
      folder.local_name = f.at("local_name").get<std::string>();
      folder.uids_kept = f.value("uids_kept", false);
      folder.uid_map = MapFromJson(f.at("map"));
      if (f.contains("pending")) folder.pending = PendingFromJson(f["pending"]);
      state.folders.emplace(name, std::move(folder));
    }
    for (const auto& [uidl, hash] : doc.at("pop3").items()) {
      state.pop3_copied.emplace(uidl, hash.get<std::string>());
    }
    if (doc.contains("pop3_pending")) {
      state.pop3_pending = PendingFromJson(doc["pop3_pending"]);
    }
  } catch (const json::exception& e) {
    return absl::DataLossError(
        absl::StrCat("unreadable migration state ", path, ": ", e.what()));
  }
  return state;
}

absl::Status SaveState(const std::string& path, const AccountState& state) {
  json folders = json::object();
  for (const auto& [name, f] : state.folders) {
    json folder = {{"uidvalidity", f.source_uidvalidity},
                   {"local_name", f.local_name},
                   {"uids_kept", f.uids_kept},
                   {"map", MapToJson(f.uid_map)}};
    if (f.pending) folder["pending"] = PendingToJson(*f.pending);
    folders[name] = folder;
  }
  json doc = {{"version", kFormatVersion},
              {"folders", folders},
              {"pop3", state.pop3_copied}};
  if (state.pop3_pending) doc["pop3_pending"] = PendingToJson(*state.pop3_pending);
  const std::string text = doc.dump();

  const fs::path target(path);
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  const std::string temp = path + ".tmp";
  const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot write ", temp, ": ", strerror(errno)));
  }
  absl::Status status = WriteAll(fd, text);
  if (status.ok() && fsync(fd) != 0) status = absl::InternalError(strerror(errno));
  close(fd);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot write ", temp, ": ", status.message()));
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    return absl::InternalError(
        absl::StrCat("cannot rename ", temp, ": ", strerror(errno)));
  }
  const int dir = open(target.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
  return absl::OkStatus();
}

}  // namespace mailroom::migrate
