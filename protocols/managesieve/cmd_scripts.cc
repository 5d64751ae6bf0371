// Script commands of the authenticated state: HAVESPACE, PUTSCRIPT,
// CHECKSCRIPT, LISTSCRIPTS, SETACTIVE, GETSCRIPT, DELETESCRIPT and
// RENAMESCRIPT (RFC 5804 sections 2.5 to 2.12). Each is one store call on
// the worker pool; the store checks the names, the limits and the owner.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "protocols/managesieve/managesieve_session.h"
#include "protocols/managesieve/response.h"
#include "sieve/limits.h"
#include "sieve/script.h"

namespace mailroom::managesieve {
namespace {

using plugin::Task;

// Whether `command` has exactly the string arguments `count` asks for.
bool StringArgs(const Command& command, size_t count) {
  if (command.args.size() != count) return false;
  for (const Argument& arg : command.args) {
    if (!arg.is_string()) return false;
  }
  return true;
}

}  // namespace

Task<void> ManageSieveSession::HandleHaveSpace(const Command& command) {
  if (command.args.size() != 2 || !command.args[0].is_string() ||
      command.args[1].kind != Argument::Kind::kNumber) {
    No("Syntax: HAVESPACE \"name\" size");
    co_return;
  }
  const std::string& name = command.args[0].text;
  const uint64_t size = command.args[1].number;
  absl::Status status = co_await plugin::Blocking(conn_, [&] {
    return store_.CheckSieveSpace(*principal_, owner(), name, size);
  });
  if (!status.ok()) {
    ReplyStoreError(status);
    co_return;
  }
  Ok("Putscript would succeed");
}

Task<void> ManageSieveSession::HandlePutScript(const Command& command) {
  if (!StringArgs(command, 2)) {
    No("Syntax: PUTSCRIPT \"name\" {size+} script");
    co_return;
  }
  const std::string& name = command.args[0].text;
  const std::string& source = command.args[1].text;
  // The store compiles the script too, and refuses one that does not
  // compile with its "line:col: why".
  absl::Status status = co_await plugin::Blocking(conn_, [&] {
    return store_.PutSieveScript(*principal_, owner(), name, source);
  });
  if (!status.ok()) {
    ReplyStoreError(status);
    co_return;
  }
  Ok("Script stored");
}

Task<void> ManageSieveSession::HandleCheckScript(const Command& command) {
  if (!StringArgs(command, 1)) {
    No("Syntax: CHECKSCRIPT {size+} script");
    co_return;
  }
  const std::string& source = command.args[0].text;
  absl::Status status = co_await plugin::Blocking(conn_, [&] {
    return sieve::Compile(source, sieve::Limits()).status();
  });
  if (!status.ok()) {
    No(std::string(status.message()));
    co_return;
  }
  Ok("Script is valid");
}

Task<void> ManageSieveSession::HandleListScripts(const Command& command) {
  if (!command.args.empty()) {
    No("LISTSCRIPTS takes no arguments");
    co_return;
  }
  absl::StatusOr<std::vector<store::SieveScriptInfo>> scripts =
      co_await plugin::Blocking(conn_, [&] {
        return store_.ListSieveScripts(*principal_, owner());
      });
  if (!scripts.ok()) {
    ReplyStoreError(scripts.status());
    co_return;
  }
  std::string out;
  for (const store::SieveScriptInfo& script : *scripts) {
    absl::StrAppend(&out, EncodeString(script.name),
                    script.active ? " ACTIVE" : "", "\r\n");
  }
  conn_.Write(out);
  Ok("Listscripts completed");
}

Task<void> ManageSieveSession::HandleSetActive(const Command& command) {
  if (!StringArgs(command, 1)) {
    No("Syntax: SETACTIVE \"name\"");
    co_return;
  }
  const std::string& name = command.args[0].text;
  absl::Status status = co_await plugin::Blocking(conn_, [&] {
    return store_.ActivateSieveScript(*principal_, owner(), name);
  });
  if (!status.ok()) {
    ReplyStoreError(status);
    co_return;
  }
  Ok(name.empty() ? "No script is active" : "Script activated");
}

Task<void> ManageSieveSession::HandleGetScript(const Command& command) {
  if (!StringArgs(command, 1)) {
    No("Syntax: GETSCRIPT \"name\"");
    co_return;
  }
  const std::string& name = command.args[0].text;
  absl::StatusOr<std::string> source = co_await plugin::Blocking(conn_, [&] {
    return store_.GetSieveScript(*principal_, owner(), name);
  });
  if (!source.ok()) {
    ReplyStoreError(source.status());
    co_return;
  }
  // RFC 5804 section 2.9: the script as a literal, always.
  conn_.Write(absl::StrCat("{", source->size(), "}\r\n"));
  conn_.Write(*source);
  conn_.Write("\r\n");
  Ok("Getscript completed");
}

Task<void> ManageSieveSession::HandleDeleteScript(const Command& command) {
  if (!StringArgs(command, 1)) {
    No("Syntax: DELETESCRIPT \"name\"");
    co_return;
  }
  const std::string& name = command.args[0].text;
  absl::Status status = co_await plugin::Blocking(conn_, [&] {
    return store_.DeleteSieveScript(*principal_, owner(), name);
  });
  if (!status.ok()) {
    ReplyStoreError(status);
    co_return;
  }
  Ok("Script deleted");
}

Task<void> ManageSieveSession::HandleRenameScript(const Command& command) {
  if (!StringArgs(command, 2)) {
    No("Syntax: RENAMESCRIPT \"old name\" \"new name\"");
    co_return;
  }
  const std::string& from = command.args[0].text;
  const std::string& to = command.args[1].text;
  absl::Status status = co_await plugin::Blocking(conn_, [&] {
    return store_.RenameSieveScript(*principal_, owner(), from, to);
  });
  if (!status.ok()) {
    ReplyStoreError(status);
    co_return;
  }
  Ok("Script renamed");
}

}  // namespace mailroom::managesieve
