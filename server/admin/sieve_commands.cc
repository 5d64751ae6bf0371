#include "server/admin/sieve_commands.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "store/principal_issuer.h"

namespace mailroom::server::admin {
namespace {

// How many words each verb takes after the owner (USER, or none with
// --global).
int Operands(const std::string& verb) {
  if (verb == "list" || verb == "deactivate") return 0;
  if (verb == "get" || verb == "activate" || verb == "delete") return 1;
  if (verb == "put") return 1;  // NAME; the source comes as an option
  if (verb == "rename") return 2;
  return -1;
}

}  // namespace

std::string SieveUsage() {
  return "  sieve list USER | --global\n"
         "  sieve get USER NAME | --global NAME\n"
         "  sieve put USER NAME FILE|- | --global NAME FILE|-\n"
         "  sieve activate USER NAME\n"
         "  sieve deactivate USER\n"
         "  sieve delete USER NAME | --global NAME\n"
         "  sieve rename USER OLD NEW | --global OLD NEW\n";
}

int SieveCommand(const AdminContext& ctx, const ParsedArgs& a) {
  store::Store& store = ctx.store;
  const std::vector<std::string>& p = a.positional;
  const std::string verb = p.size() > 1 ? p[1] : "";
  const int operands = Operands(verb);
  const bool global = a.Has("global");
  // put: mailroomctl has replaced FILE by the source option.
  const size_t words = 2 + (global ? 0 : 1) + static_cast<size_t>(operands);
  if (operands < 0 || p.size() != words ||
      (verb == "put" && !a.Has(kSieveSourceOption))) {
    return Usage(ctx, a, "sieve list|get|put|activate|deactivate|delete|rename "
                         "USER|--global ...");
  }
  const std::string owner = global ? "" : p[2];
  const size_t first = global ? 2 : 3;
  const store::Principal who = store::PrincipalIssuer::Admin();
  nlohmann::json doc = {{"ok", true}, {"owner", owner}};
  if (verb == "list") {
    absl::StatusOr<std::vector<store::SieveScriptInfo>> list =
        store.ListSieveScripts(who, owner);
    if (!list.ok()) return Fail(ctx, a, list.status());
    nlohmann::json scripts = nlohmann::json::array();
    std::string text;
    for (const store::SieveScriptInfo& s : *list) {
      scripts.push_back(
          {{"name", s.name}, {"size", s.size}, {"active", s.active}});
      absl::StrAppend(&text, s.name, " ", s.size, s.active ? " active" : "",
                      "\n");
    }
    doc["scripts"] = scripts;
    return Reply(ctx, a, doc, text);
  }
  if (verb == "get") {
    absl::StatusOr<std::string> source =
        store.GetSieveScript(who, owner, p[first]);
    if (!source.ok()) return Fail(ctx, a, source.status());
    doc["name"] = p[first];
    doc["source"] = *source;
    return Reply(ctx, a, doc, *source);
  }
  absl::Status status;
  std::string text;
  if (verb == "put") {
    status = store.PutSieveScript(who, owner, p[first],
                                  a.Get(kSieveSourceOption));
    text = absl::StrCat("stored ", p[first], "\n");
  } else if (verb == "activate") {
    status = store.ActivateSieveScript(who, owner, p[first]);
    text = absl::StrCat("active: ", p[first], "\n");
  } else if (verb == "deactivate") {
    status = store.ActivateSieveScript(who, owner, "");
    text = "no script is active\n";
  } else if (verb == "delete") {
    status = store.DeleteSieveScript(who, owner, p[first]);
    text = absl::StrCat("deleted ", p[first], "\n");
  } else {  // rename
    status = store.RenameSieveScript(who, owner, p[first], p[first + 1]);
    text = absl::StrCat("renamed ", p[first], " to ", p[first + 1], "\n");
  }
  if (!status.ok()) return Fail(ctx, a, status);
  doc["action"] = verb;
  if (verb != "deactivate") doc["name"] = p[first];
  if (verb == "rename") doc["to"] = p[first + 1];
  return Reply(ctx, a, doc, text);
}

SieveImport ImportSieveScripts(store::Store& store, const std::string& user,
                               const mailio::SieveScripts& scripts,
                               std::vector<std::string>* warnings) {
  const store::Principal who = store::PrincipalIssuer::Admin();
  SieveImport result;
  bool active_stored = false;
  for (const mailio::SieveFile& script : scripts.scripts) {
    absl::Status status =
        store.PutSieveScript(who, user, script.name, script.source);
    if (!status.ok()) {
      warnings->push_back(absl::StrCat("sieve script ", script.name,
                                       " skipped: ", status.message()));
      continue;
    }
    ++result.stored;
    if (script.name == scripts.active) active_stored = true;
  }
  if (active_stored) {
    absl::Status status = store.ActivateSieveScript(who, user, scripts.active);
    if (status.ok()) {
      result.active = scripts.active;
    } else {
      warnings->push_back(absl::StrCat("sieve script ", scripts.active,
                                       " not activated: ", status.message()));
    }
  }
  return result;
}

absl::StatusOr<uint64_t> ExportSieveScripts(store::Store& store,
                                            const std::string& user,
                                            const std::string& root) {
  const store::Principal who = store::PrincipalIssuer::Admin();
  absl::StatusOr<std::vector<store::SieveScriptInfo>> list =
      store.ListSieveScripts(who, user);
  if (!list.ok()) return list.status();
  if (list->empty()) return 0;
  mailio::SieveScripts scripts;
  for (const store::SieveScriptInfo& info : *list) {
    absl::StatusOr<std::string> source =
        store.GetSieveScript(who, user, info.name);
    if (absl::IsNotFound(source.status())) continue;  // deleted meanwhile
    if (!source.ok()) return source.status();
    scripts.scripts.push_back(mailio::SieveFile{info.name, *std::move(source)});
    if (info.active) scripts.active = info.name;
  }
  absl::Status status = mailio::WriteDovecotSieve(root, scripts);
  if (!status.ok()) return status;
  return scripts.scripts.size();
}

}  // namespace mailroom::server::admin
