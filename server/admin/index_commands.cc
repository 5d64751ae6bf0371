#include "server/admin/index_commands.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "index/index_stats.h"

namespace mailroom::server::admin {
namespace {

std::string FormatBytes(uint64_t bytes) {
  if (bytes < 1024) return absl::StrCat(bytes, " B");
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = -1;
  while (value >= 1024 && unit < 3) {
    value /= 1024;
    ++unit;
  }
  return absl::StrFormat("%.1f %s", value, kUnits[unit]);
}

std::string FormatTime(const std::optional<int64_t>& unix_seconds) {
  if (!unix_seconds.has_value()) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                          absl::FromUnixSeconds(*unix_seconds),
                          absl::UTCTimeZone());
}

// Per user: queued index work, index size on disk, last commit. Users with
// neither mail queued nor an index are left out unless named.
int IndexStatus(const AdminContext& ctx, const ParsedArgs& a) {
  store::Store& store = ctx.store;
  const std::vector<std::string>& p = a.positional;
  const std::string only = p.size() > 2 ? absl::AsciiStrToLower(p[2]) : "";
  auto backlog = store.IndexBacklog();
  if (!backlog.ok()) return Fail(ctx, a, backlog.status());
  std::map<std::string, uint64_t> queued;
  for (const auto& [user, count] : *backlog) queued[user] += count;
  std::vector<std::string> users;
  if (!only.empty()) {
    users.push_back(only);
  } else {
    absl::StatusOr<std::vector<std::string>> all = store.ListUsers();
    if (!all.ok()) return Fail(ctx, a, all.status());
    std::set<std::string> names(all->begin(), all->end());
    for (const auto& [user, count] : queued) names.insert(user);
    users.assign(names.begin(), names.end());
  }
  const std::string root = index::OpenedIndexRoot();
  const bool plain = a.Get("format") == "plain";
  std::string text;
  if (!plain) {
    text += absl::StrFormat("%-24s %10s %12s  %s\n", "user", "queued",
                            "index size", "last commit");
  }
  nlohmann::json rows = nlohmann::json::array();
  uint64_t total = 0;
  for (const std::string& user : users) {
    const uint64_t count = queued.count(user) ? queued[user] : 0;
    total += count;
    index::OwnerIndexStats stats;
    if (!root.empty()) stats = index::StatOwnerIndex(root, user);
    rows.push_back({{"user", user},
                    {"queued", count},
                    {"index_exists", stats.exists},
                    {"index_bytes", stats.bytes},
                    {"last_commit_unix",
                     stats.last_commit_unix
                         ? nlohmann::json(*stats.last_commit_unix)
                         : nlohmann::json(nullptr)}});
    if (plain) {
      // One line per user for scripts: name, queued, bytes, unix time or -.
      text += absl::StrCat(user, " ", count, " ", stats.bytes, " ",
                           stats.last_commit_unix
                               ? absl::StrCat(*stats.last_commit_unix)
                               : "-",
                           "\n");
      continue;
    }
    text += absl::StrFormat("%-24s %10d %12s  %s\n", user, count,
                            stats.exists ? FormatBytes(stats.bytes) : "none",
                            FormatTime(stats.last_commit_unix));
  }
  if (!plain) {
    text += absl::StrFormat("%-24s %10d\n", "total", total);
    if (root.empty()) text += "(no full-text index is configured)\n";
  }
  return Reply(ctx, a,
               {{"ok", true},
                {"users", rows},
                {"total_queued", total},
                {"index_configured", !root.empty()}},
               text);
}

}  // namespace

int IndexCommand(const AdminContext& ctx, const ParsedArgs& a) {
  store::Store& store = ctx.store;
  const std::vector<std::string>& p = a.positional;
  if (p[0] == "reindex") {
    if (p.size() > 2) return Usage(ctx, a, "reindex [USER]");
    const std::string user = p.size() > 1 ? absl::AsciiStrToLower(p[1]) : "";
    if (!user.empty()) {
      // The store accepts any name (nothing to queue); a typo deserves an
      // error. An owner without an account but with an index is fine.
      absl::StatusOr<std::vector<std::string>> users = store.ListUsers();
      if (!users.ok()) return Fail(ctx, a, users.status());
      const std::string root = index::OpenedIndexRoot();
      if (std::find(users->begin(), users->end(), user) == users->end() &&
          (root.empty() || !index::StatOwnerIndex(root, user).exists)) {
        return Fail(ctx, a, absl::NotFoundError("no such user: " + user));
      }
    }
    absl::Status status = store.Reindex(user);
    if (!status.ok()) return Fail(ctx, a, status);
    // With --json mailroomctl does not wait: the document says the work is
    // queued; "index status --json" shows how far it got.
    return Reply(ctx, a,
                 {{"ok", true},
                  {"queued", true},
                  {"user", user.empty() ? nlohmann::json(nullptr)
                                        : nlohmann::json(user)}},
                 "reindex queued for " +
                     (user.empty() ? std::string("every user") : user) + "\n");
  }
  // "backlog" is the older name of "status".
  if (p.size() >= 2 && p.size() <= 3 &&
      (p[1] == "status" || p[1] == "backlog")) {
    return IndexStatus(ctx, a);
  }
  return Usage(ctx, a, "index status [USER] | reindex [USER]");
}

}  // namespace mailroom::server::admin
