// Admin commands for mailboxes and their ACLs: mailbox list/create/delete/
// rename/status/seen-mode/private-flags, acl get/set/delete.
#ifndef MAILROOM_SERVER_ADMIN_MAILBOX_COMMANDS_H_
#define MAILROOM_SERVER_ADMIN_MAILBOX_COMMANDS_H_

#include "server/admin/admin_context.h"

namespace mailroom::server::admin {

int MailboxCommand(const AdminContext& ctx, const ParsedArgs& a);
int AclCommand(const AdminContext& ctx, const ParsedArgs& a);

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_MAILBOX_COMMANDS_H_
