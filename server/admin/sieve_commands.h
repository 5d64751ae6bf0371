// Admin commands for Sieve scripts kept in the store: sieve list, get, put,
// activate, deactivate, delete, rename, for a user or (--global) the
// installation's global scripts.
#ifndef MAILROOM_SERVER_ADMIN_SIEVE_COMMANDS_H_
#define MAILROOM_SERVER_ADMIN_SIEVE_COMMANDS_H_

#include <string>

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "mailio/dovecot_sieve.h"
#include "server/admin/admin_context.h"

namespace mailroom::server::admin {

// The option that carries a script's source to `sieve put`: mailroomctl
// reads FILE (or stdin for "-") itself, since a daemon running the command
// may see neither.
inline constexpr char kSieveSourceOption[] = "script_source";

std::string SieveUsage();
int SieveCommand(const AdminContext& ctx, const ParsedArgs& a);

// What ImportSieveScripts stored.
struct SieveImport {
  uint64_t stored = 0;
  std::string active;  // "" when none was activated
};

// Stores `scripts` (read from a Dovecot layout) as `user`'s, replacing
// scripts of the same names, and activates the one marked active. A script
// the store refuses (a compile error, a limit) is skipped with a warning.
SieveImport ImportSieveScripts(store::Store& store, const std::string& user,
                               const mailio::SieveScripts& scripts,
                               std::vector<std::string>* warnings);

// Writes `user`'s scripts into `root` in the Dovecot layout (see
// mailio/dovecot_sieve.h); returns how many.
absl::StatusOr<uint64_t> ExportSieveScripts(store::Store& store,
                                            const std::string& user,
                                            const std::string& root);

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_SIEVE_COMMANDS_H_
