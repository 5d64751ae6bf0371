// Admin commands for annotations (RFC 5464): metadata get/set/delete.
#ifndef MAILROOM_SERVER_ADMIN_METADATA_COMMANDS_H_
#define MAILROOM_SERVER_ADMIN_METADATA_COMMANDS_H_

#include "server/admin/admin_context.h"

namespace mailroom::server::admin {

int MetadataCommand(const AdminContext& ctx, const ParsedArgs& a);

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_METADATA_COMMANDS_H_
