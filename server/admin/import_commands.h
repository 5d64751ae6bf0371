// import maildir DIR --user=U
// import mbox FILE|DIR --user=U [--mailbox=M]
// import PATH --user=U [--mailbox=M]   (Maildir if PATH looks like one)
#ifndef MAILROOM_SERVER_ADMIN_IMPORT_COMMANDS_H_
#define MAILROOM_SERVER_ADMIN_IMPORT_COMMANDS_H_

#include "server/admin/admin_context.h"

namespace mailroom::server::admin {

// Imports a Maildir++ tree or mbox file(s) into a user's mailboxes (see
// mailio/ for the formats and MailboxImporter for how UIDs are kept).
int ImportCommand(const AdminContext& ctx, const ParsedArgs& args);

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_IMPORT_COMMANDS_H_
