// Admin commands for the outbound queue (Sieve redirects and vacation
// replies waiting for the SMTP relay): queue list | delete ID | flush.
#ifndef MAILROOM_SERVER_ADMIN_QUEUE_COMMANDS_H_
#define MAILROOM_SERVER_ADMIN_QUEUE_COMMANDS_H_

#include "server/admin/admin_context.h"

namespace mailroom::server::admin {

int QueueCommand(const AdminContext& ctx, const ParsedArgs& a);

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_QUEUE_COMMANDS_H_
