// The "backup" admin commands (embedded RocksDB store):
//   backup create DIR [--json]      on the open store (the daemon's when it
//                                   runs), while it keeps serving
//   backup list DIR [--json]        no store needed
//   backup restore DIR --target_data_dir=NEW [--id=N] [--json]
//                                   no store needed; NEW must be empty
// DIR and NEW must be absolute when sent to the daemon (mailroomctl makes
// them so).
#ifndef MAILROOM_SERVER_ADMIN_BACKUP_COMMANDS_H_
#define MAILROOM_SERVER_ADMIN_BACKUP_COMMANDS_H_

#include <string>
#include <vector>

#include "server/admin/admin_context.h"
#include "server/admin/admin_output.h"

namespace mailroom::server::admin {

// "backup create" on ctx.store; the others answer with how to run them.
int BackupCommand(const AdminContext& ctx, const ParsedArgs& args);

// True for the backup commands that run without a store ("backup list",
// "backup restore"); mailroomctl runs them itself with RunStorelessBackup.
bool IsStorelessBackupCommand(const std::vector<std::string>& args);
int RunStorelessBackup(const std::vector<std::string>& args,
                       AdminOutput& output);

// The backup lines of the usage text.
std::string BackupUsage();

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_BACKUP_COMMANDS_H_
