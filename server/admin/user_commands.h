// Admin commands for accounts: user add/passwd/del/list, group set.
#ifndef MAILROOM_SERVER_ADMIN_USER_COMMANDS_H_
#define MAILROOM_SERVER_ADMIN_USER_COMMANDS_H_

#include "server/admin/admin_context.h"

namespace mailroom::server::admin {

int UserCommand(const AdminContext& ctx, const ParsedArgs& a);
int GroupCommand(const AdminContext& ctx, const ParsedArgs& a);

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_USER_COMMANDS_H_
