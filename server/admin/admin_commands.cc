#include "server/admin/admin_commands.h"


#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "index/index_stats.h"
#include "server/admin/admin_context.h"
#include "server/admin/backup_commands.h"
#include "server/admin/export_commands.h"
#include "server/admin/import_commands.h"
#include "server/admin/migrate_commands.h"
#include "server/admin/verify_commands.h"
#include "store/principal_issuer.h"

namespace mailroom::server::admin {
namespace {

// "none" (or "unlimited") removes a limit.
bool ParseLimit(const std::string& text, std::optional<uint64_t>* limit) {
  if (text == "none" || text == "unlimited") {
    limit->reset();
    return true;
  }
  uint64_t value = 0;
  if (!absl::SimpleAtoi(text, &value)) return false;
  *limit = value;
  return true;
}

std::string FormatLimit(const std::optional<uint64_t>& limit) {
  return limit.has_value() ? absl::StrCat(*limit) : "unlimited";
}

int UserCommand(const AdminContext& ctx, const ParsedArgs& a) {
  store::Store& store = ctx.store;
  std::ostream& out = ctx.out;
  const std::vector<std::string>& p = a.positional;
  const std::string verb = p.size() > 1 ? p[1] : "";
  if (verb == "list") {
    absl::StatusOr<std::vector<std::string>> users = store.ListUsers();
    if (!users.ok()) return Fail(ctx, a, users.status());
    for (const std::string& user : *users) out << user << "\n";
    return kExitOk;
  }
  if (p.size() != 3) return Usage(ctx, a, "user " + verb + " needs a NAME");
  const std::string& name = p[2];
  if (verb == "add" || verb == "passwd") {
    if (!a.Has("password") || a.Get("password").empty()) {
      return Usage(ctx, a, "--password=PW or --password_stdin is required");
    }
    absl::Status status = verb == "add"
                              ? store.CreateUser(name, a.Get("password"))
                              : store.SetPassword(name, a.Get("password"));
    if (!status.ok()) return Fail(ctx, a, status);
    out << (verb == "add" ? "user added: " : "password changed: ") << name
        << "\n";
    return kExitOk;
  }
  if (verb == "del" || verb == "delete") {
    absl::Status status = store.DeleteUser(name);
    if (!status.ok()) return Fail(ctx, a, status);
    out << "user deleted: " << name << "\n";
    return kExitOk;
  }
  return Usage(ctx, a, "unknown user command '" + verb + "'");
}

// mailbox seen-mode USER NAME [shared|per-user]: shows or sets where the
// mailbox keeps \Seen (store::SeenMode).
int SeenModeCommand(const AdminContext& ctx, const ParsedArgs& a) {
  store::Store& store = ctx.store;
  std::ostream& out = ctx.out;
  const std::vector<std::string>& p = a.positional;
  if (p.size() != 4 && p.size() != 5) {
    return Usage(ctx, a, "mailbox seen-mode USER NAME [shared|per-user]");
  }
  const store::Principal who = AdminFor(p[2]);
  const std::string& name = p[3];
  if (p.size() == 5) {
    store::SeenMode mode;
    if (p[4] == "shared") {
      mode = store::SeenMode::kShared;
    } else if (p[4] == "per-user") {
      mode = store::SeenMode::kPerUser;
    } else {
      return Usage(ctx, a, "seen mode must be 'shared' or 'per-user'");
    }
    absl::Status status = store.SetSeenMode(who, name, mode);
    if (!status.ok()) return Fail(ctx, a, status);
  }
  absl::StatusOr<store::MailboxStatus> s = store.GetStatus(who, name);
  if (!s.ok()) return Fail(ctx, a, s.status());
  out << name << ": \\Seen "
      << (s->seen_mode == store::SeenMode::kPerUser ? "per-user" : "shared")
      << "\n";
  return kExitOk;
}

// acl get USER MAILBOX | acl set USER MAILBOX IDENTIFIER RIGHTS |
// acl delete USER MAILBOX IDENTIFIER. MAILBOX is named as USER sees it
// (their own, "Other Users/...", or "Shared/..."); the admin may change
// any ACL, which is how mailboxes under Shared/ get their first rights.
int AclCommand(const AdminContext& ctx, const ParsedArgs& a) {
  store::Store& store = ctx.store;
  std::ostream& out = ctx.out;
  const std::vector<std::string>& p = a.positional;
  const std::string verb = p.size() > 1 ? p[1] : "";
  if (verb == "get" && p.size() == 4) {
    absl::StatusOr<std::vector<store::AclEntry>> acl =
        store.GetAcl(AdminFor(p[2]), p[3]);
    if (!acl.ok()) return Fail(ctx, a, acl.status());
    for (const store::AclEntry& entry : *acl) {
      out << entry.identifier << " " << entry.rights << "\n";
    }
    return kExitOk;
  }
  if (verb == "set" && p.size() == 6) {
    if (p[5].empty()) return Usage(ctx, a, "acl set needs RIGHTS (use acl delete)");
    absl::Status status = store.SetAcl(AdminFor(p[2]), p[3], p[4], p[5]);
    if (!status.ok()) return Fail(ctx, a, status);
    out << "acl set: " << p[3] << " " << p[4] << " " << p[5] << "\n";
    return kExitOk;
  }
  if ((verb == "delete" || verb == "del") && p.size() == 5) {
    absl::Status status = store.SetAcl(AdminFor(p[2]), p[3], p[4], "");
    if (!status.ok()) return Fail(ctx, a, status);
    out << "acl deleted: " << p[3] << " " << p[4] << "\n";
    return kExitOk;
  }
  return Usage(ctx, a,
               "acl get USER MAILBOX | acl set USER MAILBOX ID RIGHTS | "
               "acl delete USER MAILBOX ID");
}

int MailboxCommand(const AdminContext& ctx, const ParsedArgs& a) {
  store::Store& store = ctx.store;
  std::ostream& out = ctx.out;
  const std::vector<std::string>& p = a.positional;
  const std::string verb = p.size() > 1 ? p[1] : "";
  if (p.size() < 3) return Usage(ctx, a, "mailbox " + verb + " needs a USER");
  const store::Principal who = AdminFor(p[2]);
  if (verb == "list") {
    absl::StatusOr<std::vector<store::MailboxInfo>> boxes =
        store.ListMailboxes(who);
    if (!boxes.ok()) return Fail(ctx, a, boxes.status());
    for (const store::MailboxInfo& box : *boxes) {
      if (!box.owner.empty() && box.owner != who.user()) continue;
      out << box.name;
      if (box.special_use) out << " \\" << *box.special_use;
      if (box.noselect) out << " \\Noselect";
      out << "\n";
    }
    return kExitOk;
  }
  if (verb == "seen-mode") return SeenModeCommand(ctx, a);
  if (p.size() != 4) return Usage(ctx, a, "mailbox " + verb + " USER NAME");
  const std::string& name = p[3];
  if (verb == "create") {
    absl::Status status = store.CreateMailbox(who, name);
    if (!status.ok()) return Fail(ctx, a, status);
    out << "mailbox created: " << name << "\n";
    return kExitOk;
  }
  if (verb == "delete") {
    absl::Status status = store.DeleteMailbox(who, name);
    if (!status.ok()) return Fail(ctx, a, status);
    out << "mailbox deleted: " << name << "\n";
    return kExitOk;
  }
  if (verb == "status") {
    absl::StatusOr<store::MailboxStatus> s = store.GetStatus(who, name);
    if (!s.ok()) return Fail(ctx, a, s.status());
    out << "messages: " << s->messages << "\nunseen: " << s->unseen
        << "\ndeleted: " << s->deleted << "\nuidnext: " << s->uidnext
        << "\nuidvalidity: " << s->uidvalidity
        << "\nhighestmodseq: " << s->highestmodseq << "\nsize: " << s->size
        << "\n";
    return kExitOk;
  }
  return Usage(ctx, a, "unknown mailbox command '" + verb + "'");
}

int QuotaCommand(const AdminContext& ctx, const ParsedArgs& a) {
  store::Store& store = ctx.store;
  std::ostream& out = ctx.out;
  const std::vector<std::string>& p = a.positional;
  if (p.size() != 3) return Usage(ctx, a, "quota get|set USER");
  const std::string& user = p[2];
  if (p[1] == "get") {
    absl::StatusOr<store::QuotaUsage> q = store.GetQuota(AdminFor(user), user);
    if (!q.ok()) return Fail(ctx, a, q.status());
    out << "storage_bytes: " << q->storage_bytes << " / "
        << FormatLimit(q->storage_limit_bytes) << "\nmessages: "
        << q->messages << " / " << FormatLimit(q->message_limit) << "\n";
    return kExitOk;
  }
  if (p[1] == "set") {
    absl::StatusOr<store::QuotaUsage> current = store.GetQuota(AdminFor(user), user);
    if (!current.ok()) return Fail(ctx, a, current.status());
    std::optional<uint64_t> storage = current->storage_limit_bytes;
    std::optional<uint64_t> messages = current->message_limit;
    if (!a.Has("storage_bytes") && !a.Has("messages")) {
      return Usage(ctx, a, "quota set needs --storage_bytes and/or --messages");
    }
    if (a.Has("storage_bytes") &&
        !ParseLimit(a.Get("storage_bytes"), &storage)) {
      return Usage(ctx, a, "--storage_bytes takes a number or 'none'");
    }
    if (a.Has("messages") && !ParseLimit(a.Get("messages"), &messages)) {
      return Usage(ctx, a, "--messages takes a number or 'none'");
    }
    absl::Status status =
        store.SetQuota(AdminFor(user), user, storage, messages);
    if (!status.ok()) return Fail(ctx, a, status);
    out << "quota of " << user << ": storage_bytes " << FormatLimit(storage)
        << ", messages " << FormatLimit(messages) << "\n";
    return kExitOk;
  }
  return Usage(ctx, a, "unknown quota command '" + p[1] + "'");
}

int GroupCommand(const AdminContext& ctx, const ParsedArgs& a) {
  store::Store& store = ctx.store;
  std::ostream& out = ctx.out;
  const std::vector<std::string>& p = a.positional;
  if (p.size() < 3 || p[1] != "set") return Usage(ctx, a, "group set GROUP USER...");
  std::vector<std::string> users(p.begin() + 3, p.end());
  absl::Status status = store.SetGroupMembers(p[2], users);
  if (!status.ok()) return Fail(ctx, a, status);
  out << "group " << p[2] << ": " << absl::StrJoin(users, " ") << "\n";
  return kExitOk;
}

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
  std::ostream& out = ctx.out;
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
  if (!plain) {
    out << absl::StrFormat("%-24s %10s %12s  %s\n", "user", "queued",
                           "index size", "last commit");
  }
  uint64_t total = 0;
  for (const std::string& user : users) {
    const uint64_t count = queued.count(user) ? queued[user] : 0;
    total += count;
    index::OwnerIndexStats stats;
    if (!root.empty()) stats = index::StatOwnerIndex(root, user);
    if (plain) {
      // One line per user for scripts: name, queued, bytes, unix time or -.
      out << user << " " << count << " " << stats.bytes << " "
          << (stats.last_commit_unix ? absl::StrCat(*stats.last_commit_unix)
                                     : "-")
          << "\n";
      continue;
    }
    out << absl::StrFormat(
        "%-24s %10d %12s  %s\n", user, count,
        stats.exists ? FormatBytes(stats.bytes) : "none",
        FormatTime(stats.last_commit_unix));
  }
  if (!plain) {
    out << absl::StrFormat("%-24s %10d\n", "total", total);
    if (root.empty()) out << "(no full-text index is configured)\n";
  }
  return kExitOk;
}

int IndexCommand(const AdminContext& ctx, const ParsedArgs& a) {
  store::Store& store = ctx.store;
  std::ostream& out = ctx.out;
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
    out << "reindex queued for " << (user.empty() ? "every user" : user)
        << "\n";
    return kExitOk;
  }
  // "backlog" is the older name of "status".
  if (p.size() >= 2 && p.size() <= 3 &&
      (p[1] == "status" || p[1] == "backlog")) {
    return IndexStatus(ctx, a);
  }
  return Usage(ctx, a, "index status [USER] | reindex [USER]");
}

int RetentionCommand(const AdminContext& ctx, const ParsedArgs& a) {
  store::Store& store = ctx.store;
  std::ostream& out = ctx.out;
  store::RetentionPolicy policy;
  int64_t days = 0;
  if (a.Has("after_retrieval_days")) {
    if (!absl::SimpleAtoi(a.Get("after_retrieval_days"), &days) || days < 0) {
      return Usage(ctx, a, "--after_retrieval_days takes a number");
    }
    policy.delete_after_retrieval_seconds = days * 86400;
  }
  if (a.Has("after_arrival_days")) {
    if (!absl::SimpleAtoi(a.Get("after_arrival_days"), &days) || days < 0) {
      return Usage(ctx, a, "--after_arrival_days takes a number");
    }
    policy.delete_after_arrival_seconds = days * 86400;
  }
  if (a.positional.size() != 2 || a.positional[1] != "apply" ||
      (!policy.delete_after_retrieval_seconds &&
       !policy.delete_after_arrival_seconds)) {
    return Usage(ctx, a,
                 "retention apply --after_retrieval_days=N | "
                 "--after_arrival_days=N");
  }
  absl::StatusOr<uint64_t> expunged = store.ApplyRetention(policy);
  if (!expunged.ok()) return Fail(ctx, a, expunged.status());
  out << "expunged " << *expunged << " message(s)\n";
  return kExitOk;
}

}  // namespace

std::string AdminUsage() {
  return "commands:\n"
         "  user add NAME --password=PW | --password_stdin\n"
         "  user passwd NAME --password=PW | --password_stdin\n"
         "  user del NAME\n"
         "  user list\n"
         "  mailbox list USER\n"
         "  mailbox create USER NAME\n"
         "  mailbox delete USER NAME\n"
         "  mailbox status USER NAME\n"
         "  mailbox seen-mode USER NAME [shared|per-user]\n"
         "  acl get USER MAILBOX\n"
         "  acl set USER MAILBOX IDENTIFIER RIGHTS\n"
         "  acl delete USER MAILBOX IDENTIFIER\n"
         "  import maildir DIR --user=U\n"
         "  import mbox FILE|DIR --user=U [--mailbox=M]\n"
         "  import PATH --user=U [--mailbox=M]   (maildir or mbox, detected)\n"
         "  export USER --format=maildir|mbox DIR\n"
         "  quota get USER\n"
         "  quota set USER [--storage_bytes=N|none] [--messages=N|none]\n"
         "  quota recalc [USER]\n"
         "  group set GROUP USER...\n"
         "  index status [USER] [--format=plain]   (alias: index backlog)\n"
         "  reindex [USER] [--no-wait]\n"
         "  verify [USER] [--json]\n"
         "  repair [USER] [--json]\n"
         "  retention apply --after_retrieval_days=N | --after_arrival_days=N\n"
         "  cert generate --out_cert=F --out_key=F [--cn=NAME] [--rsa]\n" +
         MigrateUsage() + BackupUsage();
}

int RunAdminCommand(const AdminContext& ctx,
                    const std::vector<std::string>& args) {
  const ParsedArgs parsed = Parse(args);
  if (parsed.positional.empty()) return Usage(ctx, parsed, "no command");
  const std::string& command = parsed.positional[0];
  if (command == "user") return UserCommand(ctx, parsed);
  if (command == "mailbox") return MailboxCommand(ctx, parsed);
  if (command == "backup") return BackupCommand(ctx, parsed);
  if (command == "import") return ImportCommand(ctx, parsed);
  if (command == "quota" && parsed.positional.size() > 1 &&
      parsed.positional[1] == "recalc") {
    return QuotaRecalcCommand(ctx, parsed);
  }
  if (command == "export") return ExportCommand(ctx, parsed);
  if (command == "quota") return QuotaCommand(ctx, parsed);
  if (command == "verify" || command == "repair") {
    return VerifyCommand(ctx, parsed);
  }
  if (command == "group") return GroupCommand(ctx, parsed);
  if (command == "acl") return AclCommand(ctx, parsed);
  if (command == "index" || command == "reindex") {
    return IndexCommand(ctx, parsed);
  }
  if (command == "retention") return RetentionCommand(ctx, parsed);
  if (command == "migrate") return MigrateCommand(ctx, parsed);
  return Usage(ctx, parsed, "unknown command '" + command + "'");
}

}  // namespace mailroom::server::admin
