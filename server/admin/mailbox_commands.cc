#include "server/admin/mailbox_commands.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "server/admin/flag_names.h"

namespace mailroom::server::admin {
namespace {

const char* SeenModeName(store::SeenMode mode) {
  return mode == store::SeenMode::kPerUser ? "per-user" : "shared";
}

// mailbox seen-mode USER NAME [shared|per-user]: shows or sets where the
// mailbox keeps \Seen (store::SeenMode).
int SeenModeCommand(const AdminContext& ctx, const ParsedArgs& a) {
  store::Store& store = ctx.store;
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
  return Reply(ctx, a,
               {{"ok", true},
                {"mailbox", name},
                {"seen_mode", SeenModeName(s->seen_mode)}},
               absl::StrCat(name, ": \\Seen ", SeenModeName(s->seen_mode),
                            "\n"));
}

// mailbox private-flags USER NAME [FLAG ...] [--none]: shows or sets the
// flags and keywords each user of the mailbox keeps for themselves
// (store::Store::SetPrivateFlags).
int PrivateFlagsCommand(const AdminContext& ctx, const ParsedArgs& a) {
  store::Store& store = ctx.store;
  const std::vector<std::string>& p = a.positional;
  constexpr char kUsage[] = "mailbox private-flags USER NAME [FLAG ...] [--none]";
  if (p.size() < 4) return Usage(ctx, a, kUsage);
  const store::Principal who = AdminFor(p[2]);
  const std::string& name = p[3];
  const bool none = a.Has("none");
  if (none && p.size() > 4) {
    return Usage(ctx, a, "give FLAGs or --none, not both");
  }
  if (none || p.size() > 4) {
    store::Flags flags;
    std::string error;
    if (!ParseFlags({p.begin() + 4, p.end()}, &flags, &error)) {
      return Usage(ctx, a, error);
    }
    absl::Status status = store.SetPrivateFlags(who, name, flags);
    if (!status.ok()) return Fail(ctx, a, status);
  }
  absl::StatusOr<store::Flags> flags = store.GetPrivateFlags(who, name);
  if (!flags.ok()) return Fail(ctx, a, flags.status());
  const std::string text = FlagsText(*flags);
  return Reply(ctx, a,
               {{"ok", true},
                {"mailbox", name},
                {"private_flags", FlagNames(*flags)}},
               absl::StrCat(name, ": private ",
                            text.empty() ? "none (every flag shared)" : text,
                            "\n"));
}

int ListCommand(const AdminContext& ctx, const ParsedArgs& a,
                const store::Principal& who) {
  absl::StatusOr<std::vector<store::MailboxInfo>> boxes =
      ctx.store.ListMailboxes(who);
  if (!boxes.ok()) return Fail(ctx, a, boxes.status());
  std::string text;
  nlohmann::json list = nlohmann::json::array();
  for (const store::MailboxInfo& box : *boxes) {
    if (!box.owner.empty() && box.owner != who.user()) continue;
    text += box.name;
    if (box.special_use) text += " \\" + *box.special_use;
    if (box.noselect) text += " \\Noselect";
    text += "\n";
    list.push_back({{"name", box.name},
                    {"special_use", box.special_use.has_value()
                                        ? nlohmann::json(*box.special_use)
                                        : nlohmann::json(nullptr)},
                    {"noselect", box.noselect},
                    {"subscribed", box.subscribed},
                    {"uidvalidity", box.uidvalidity}});
  }
  return Reply(ctx, a, {{"ok", true}, {"mailboxes", list}}, text);
}

int StatusCommand(const AdminContext& ctx, const ParsedArgs& a,
                  const store::Principal& who, const std::string& name) {
  absl::StatusOr<store::MailboxStatus> s = ctx.store.GetStatus(who, name);
  if (!s.ok()) return Fail(ctx, a, s.status());
  nlohmann::json doc = {{"ok", true},
                        {"mailbox", name},
                        {"messages", s->messages},
                        {"unseen", s->unseen},
                        {"deleted", s->deleted},
                        {"uidnext", s->uidnext},
                        {"uidvalidity", s->uidvalidity},
                        {"highestmodseq", s->highestmodseq},
                        {"size", s->size},
                        {"seen_mode", SeenModeName(s->seen_mode)}};
  return Reply(
      ctx, a, doc,
      absl::StrCat("messages: ", s->messages, "\nunseen: ", s->unseen,
                   "\ndeleted: ", s->deleted, "\nuidnext: ", s->uidnext,
                   "\nuidvalidity: ", s->uidvalidity,
                   "\nhighestmodseq: ", s->highestmodseq,
                   "\nsize: ", s->size, "\n"));
}

}  // namespace

int MailboxCommand(const AdminContext& ctx, const ParsedArgs& a) {
  store::Store& store = ctx.store;
  const std::vector<std::string>& p = a.positional;
  const std::string verb = p.size() > 1 ? p[1] : "";
  if (p.size() < 3) return Usage(ctx, a, "mailbox " + verb + " needs a USER");
  const store::Principal who = AdminFor(p[2]);
  if (verb == "list") {
    if (p.size() != 3) return Usage(ctx, a, "mailbox list USER");
    return ListCommand(ctx, a, who);
  }
  if (verb == "seen-mode") return SeenModeCommand(ctx, a);
  if (verb == "private-flags") return PrivateFlagsCommand(ctx, a);
  if (verb == "rename") {
    if (p.size() != 5) return Usage(ctx, a, "mailbox rename USER OLD NEW");
    absl::Status status = store.RenameMailbox(who, p[3], p[4]);
    if (!status.ok()) return Fail(ctx, a, status);
    return Reply(ctx, a, {{"ok", true}, {"mailbox", p[4]}, {"renamed_from", p[3]}},
                 "mailbox renamed: " + p[3] + " -> " + p[4] + "\n");
  }
  if (p.size() != 4) return Usage(ctx, a, "mailbox " + verb + " USER NAME");
  const std::string& name = p[3];
  if (verb == "create" || verb == "delete") {
    absl::Status status = verb == "create" ? store.CreateMailbox(who, name)
                                           : store.DeleteMailbox(who, name);
    if (!status.ok()) return Fail(ctx, a, status);
    const std::string done = verb == "create" ? "created" : "deleted";
    return Reply(ctx, a, {{"ok", true}, {"mailbox", name}, {"action", done}},
                 "mailbox " + done + ": " + name + "\n");
  }
  if (verb == "status") return StatusCommand(ctx, a, who, name);
  return Usage(ctx, a, "unknown mailbox command '" + verb + "'");
}

// acl get USER MAILBOX | acl set USER MAILBOX IDENTIFIER RIGHTS |
// acl delete USER MAILBOX IDENTIFIER. MAILBOX is named as USER sees it
// (their own, "Other Users/...", or "Shared/..."); the admin may change
// any ACL, which is how mailboxes under Shared/ get their first rights.
int AclCommand(const AdminContext& ctx, const ParsedArgs& a) {
  store::Store& store = ctx.store;
  const std::vector<std::string>& p = a.positional;
  const std::string verb = p.size() > 1 ? p[1] : "";
  if (verb == "get" && p.size() == 4) {
    absl::StatusOr<std::vector<store::AclEntry>> acl =
        store.GetAcl(AdminFor(p[2]), p[3]);
    if (!acl.ok()) return Fail(ctx, a, acl.status());
    std::string text;
    nlohmann::json entries = nlohmann::json::array();
    for (const store::AclEntry& entry : *acl) {
      text += entry.identifier + " " + entry.rights + "\n";
      entries.push_back(
          {{"identifier", entry.identifier}, {"rights", entry.rights}});
    }
    return Reply(ctx, a, {{"ok", true}, {"mailbox", p[3]}, {"acl", entries}},
                 text);
  }
  if (verb == "set" && p.size() == 6) {
    if (p[5].empty()) {
      return Usage(ctx, a, "acl set needs RIGHTS (use acl delete)");
    }
    absl::Status status = store.SetAcl(AdminFor(p[2]), p[3], p[4], p[5]);
    if (!status.ok()) return Fail(ctx, a, status);
    return Reply(ctx, a,
                 {{"ok", true},
                  {"mailbox", p[3]},
                  {"identifier", p[4]},
                  {"rights", p[5]}},
                 "acl set: " + p[3] + " " + p[4] + " " + p[5] + "\n");
  }
  if ((verb == "delete" || verb == "del") && p.size() == 5) {
    absl::Status status = store.SetAcl(AdminFor(p[2]), p[3], p[4], "");
    if (!status.ok()) return Fail(ctx, a, status);
    return Reply(ctx, a,
                 {{"ok", true},
                  {"mailbox", p[3]},
                  {"identifier", p[4]},
                  {"action", "deleted"}},
                 "acl deleted: " + p[3] + " " + p[4] + "\n");
  }
  return Usage(ctx, a,
               "acl get USER MAILBOX | acl set USER MAILBOX ID RIGHTS | "
               "acl delete USER MAILBOX ID");
}

}  // namespace mailroom::server::admin
