#include "server/admin/user_commands.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_join.h"

namespace mailroom::server::admin {

int UserCommand(const AdminContext& ctx, const ParsedArgs& a) {
  store::Store& store = ctx.store;
  const std::vector<std::string>& p = a.positional;
  const std::string verb = p.size() > 1 ? p[1] : "";
  if (verb == "list") {
    absl::StatusOr<std::vector<std::string>> users = store.ListUsers();
    if (!users.ok()) return Fail(ctx, a, users.status());
    std::string text;
    for (const std::string& user : *users) text += user + "\n";
    return Reply(ctx, a, {{"ok", true}, {"users", *users}}, text);
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
    return Reply(
        ctx, a,
        {{"ok", true},
         {"user", name},
         {"action", verb == "add" ? "added" : "password changed"}},
        (verb == "add" ? "user added: " : "password changed: ") + name + "\n");
  }
  if (verb == "del" || verb == "delete") {
    absl::Status status = store.DeleteUser(name);
    if (!status.ok()) return Fail(ctx, a, status);
    return Reply(ctx, a, {{"ok", true}, {"user", name}, {"action", "deleted"}},
                 "user deleted: " + name + "\n");
  }
  return Usage(ctx, a, "unknown user command '" + verb + "'");
}

int GroupCommand(const AdminContext& ctx, const ParsedArgs& a) {
  const std::vector<std::string>& p = a.positional;
  if (p.size() < 3 || p[1] != "set") {
    return Usage(ctx, a, "group set GROUP USER...");
  }
  std::vector<std::string> users(p.begin() + 3, p.end());
  absl::Status status = ctx.store.SetGroupMembers(p[2], users);
  if (!status.ok()) return Fail(ctx, a, status);
  return Reply(ctx, a, {{"ok", true}, {"group", p[2]}, {"members", users}},
               "group " + p[2] + ": " + absl::StrJoin(users, " ") + "\n");
}

}  // namespace mailroom::server::admin
