// Admin commands that check and repair the store: verify, repair and
// quota recalc (store::Store::Verify, store::Store::RecountQuota).
#ifndef MAILROOM_SERVER_ADMIN_VERIFY_COMMANDS_H_
#define MAILROOM_SERVER_ADMIN_VERIFY_COMMANDS_H_

#include "server/admin/admin_context.h"

namespace mailroom::server::admin {

// verify [USER] [--json]: prints each problem; kExitFailed when there is
// one. repair [USER] [--json]: prints what was done; kExitOk when every
// problem was repaired.
int VerifyCommand(const AdminContext& ctx, const ParsedArgs& args);

// quota recalc [USER] [--json]: recounts quota usage and stores it; prints
// the old and new usage of each user whose usage changed.
int QuotaRecalcCommand(const AdminContext& ctx, const ParsedArgs& args);

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_VERIFY_COMMANDS_H_
