#include "server/admin/metadata_commands.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace mailroom::server::admin {

// metadata get USER MAILBOX ENTRY...
// metadata set USER MAILBOX ENTRY VALUE
// metadata delete USER MAILBOX ENTRY
// MAILBOX "" names the server; USER "" acts as no user (only /shared
// entries), which is how the server's /shared entries are set.
int MetadataCommand(const AdminContext& ctx, const ParsedArgs& a) {
  store::Store& store = ctx.store;
  const std::vector<std::string>& p = a.positional;
  if (p.size() < 5) {
    return Usage(ctx, a, "metadata get|set|delete USER MAILBOX ENTRY [VALUE]");
  }
  const std::string& user = p[2];
  const std::string& mailbox = p[3];
  if (p[1] == "get") {
    store::MetadataQuery query;
    query.entries.assign(p.begin() + 4, p.end());
    absl::StatusOr<store::MetadataResult> result =
        store.GetMetadata(AdminFor(user), mailbox, query);
    if (!result.ok()) return Fail(ctx, a, result.status());
    nlohmann::json entries = nlohmann::json::object();
    std::string text;
    for (const store::MetadataEntry& e : result->entries) {
      entries[e.name] = *e.value;
      absl::StrAppend(&text, e.name, ": ", *e.value, "\n");
    }
    return Reply(ctx, a, {{"ok", true}, {"entries", entries}}, text);
  }
  if ((p[1] == "set" && p.size() == 6) || (p[1] == "delete" && p.size() == 5)) {
    store::MetadataEntry entry{p[4], std::nullopt};
    if (p[1] == "set") entry.value = p[5];
    absl::Status status = store.SetMetadata(AdminFor(user), mailbox, {entry});
    if (!status.ok()) return Fail(ctx, a, status);
    return Reply(ctx, a, {{"ok", true}},
                 absl::StrCat(p[1] == "set" ? "set " : "deleted ", p[4], "\n"));
  }
  return Usage(ctx, a, "metadata get|set|delete USER MAILBOX ENTRY [VALUE]");
}

}  // namespace mailroom::server::admin
