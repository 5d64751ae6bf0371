// Admin commands for the full-text index: index status, reindex.
#ifndef MAILROOM_SERVER_ADMIN_INDEX_COMMANDS_H_
#define MAILROOM_SERVER_ADMIN_INDEX_COMMANDS_H_

#include "server/admin/admin_context.h"

namespace mailroom::server::admin {

// "index status|backlog [USER]" and "reindex [USER]".
int IndexCommand(const AdminContext& ctx, const ParsedArgs& a);

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_INDEX_COMMANDS_H_
