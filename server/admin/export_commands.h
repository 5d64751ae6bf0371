// export USER --format=maildir|mbox DIR
#ifndef MAILROOM_SERVER_ADMIN_EXPORT_COMMANDS_H_
#define MAILROOM_SERVER_ADMIN_EXPORT_COMMANDS_H_

#include "absl/status/status.h"
#include "server/admin/admin_context.h"

namespace mailroom::server::admin {

// Writes every mailbox USER owns, with flags, keywords, internal dates,
// UIDs and UIDVALIDITY, as a Dovecot-compatible Maildir++ tree or as mbox
// files, into DIR (new or empty; files 0600, directories 0700). Reads
// through the store API, so it serves every engine; each mailbox is
// exported from one snapshot, and messages expunged meanwhile are skipped
// and counted.
int ExportCommand(const AdminContext& ctx, const ParsedArgs& args);

// kNotFound unless `user` has an account.
absl::Status CheckUserExists(store::Store& store, const std::string& user);

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_EXPORT_COMMANDS_H_
