// Admin commands on the daemon's live sessions: who, kick. Without a
// daemon (mailroomctl on its own store) both fail: there are no sessions.
#ifndef MAILROOM_SERVER_ADMIN_SESSION_COMMANDS_H_
#define MAILROOM_SERVER_ADMIN_SESSION_COMMANDS_H_

#include "server/admin/admin_context.h"

namespace mailroom::server::admin {

// who [USER]: sessions (user, protocol, remote address, since).
int WhoCommand(const AdminContext& ctx, const ParsedArgs& a);
// kick USER: closes every session of USER.
int KickCommand(const AdminContext& ctx, const ParsedArgs& a);

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_SESSION_COMMANDS_H_
