// Admin commands for limits and clean-up: quota get/set, retention apply.
#ifndef MAILROOM_SERVER_ADMIN_QUOTA_COMMANDS_H_
#define MAILROOM_SERVER_ADMIN_QUOTA_COMMANDS_H_

#include "server/admin/admin_context.h"

namespace mailroom::server::admin {

int QuotaCommand(const AdminContext& ctx, const ParsedArgs& a);
int RetentionCommand(const AdminContext& ctx, const ParsedArgs& a);

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_QUOTA_COMMANDS_H_
