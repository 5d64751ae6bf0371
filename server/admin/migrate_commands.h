// "migrate imap|pop3": copies accounts from a live IMAP or POP3 server
// (migrate/). mailroomctl reads the password files and the users file and
// passes their contents inside the admin request, so secrets never appear
// on a command line.
#ifndef MAILROOM_SERVER_ADMIN_MIGRATE_COMMANDS_H_
#define MAILROOM_SERVER_ADMIN_MIGRATE_COMMANDS_H_

#include <string>

#include "server/admin/admin_context.h"

namespace mailroom::server::admin {

int MigrateCommand(const AdminContext& ctx, const ParsedArgs& args);
std::string MigrateUsage();

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_MIGRATE_COMMANDS_H_
