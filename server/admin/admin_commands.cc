#include "server/admin/admin_commands.h"


#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "index/index_stats.h"
#include "server/admin/admin_context.h"
#include "server/admin/backup_commands.h"
#include "server/admin/export_commands.h"
#include "server/admin/import_commands.h"
#include "server/admin/index_commands.h"
#include "server/admin/mailbox_commands.h"
#include "server/admin/message_commands.h"
#include "server/admin/migrate_commands.h"
#include "server/admin/metadata_commands.h"
#include "server/admin/quota_commands.h"
#include "server/admin/session_commands.h"
#include "server/admin/sieve_commands.h"
#include "server/admin/user_commands.h"
#include "server/admin/verify_commands.h"
#include "store/principal_issuer.h"

namespace mailroom::server::admin {
std::string AdminUsage() {
  return "commands:\n"
         "  user add NAME --password=PW | --password_stdin\n"
         "  user passwd NAME --password=PW | --password_stdin\n"
         "  user del NAME\n"
         "  user list\n"
         "  mailbox list USER\n"
         "  mailbox create USER NAME\n"
         "  mailbox delete USER NAME\n"
         "  mailbox status USER NAME\n"
         "  mailbox rename USER OLD NEW\n"
         "  mailbox seen-mode USER NAME [shared|per-user]\n"
         "  mailbox private-flags USER NAME [FLAG ...] [--none]\n"
         "  acl get USER MAILBOX\n"
         "  acl set USER MAILBOX IDENTIFIER RIGHTS\n"
         "  acl delete USER MAILBOX IDENTIFIER\n"
         "  import maildir DIR --user=U\n"
         "  import mbox FILE|DIR --user=U [--mailbox=M]\n"
         "  import PATH --user=U [--mailbox=M]   (maildir or mbox, detected)\n"
         "  export USER --format=maildir|mbox DIR\n"
         "  quota get USER\n"
         "  quota set USER [--storage_bytes=N|none] [--messages=N|none]\n"
         "  quota recalc [USER]\n"
         "  metadata get USER MAILBOX ENTRY...   (MAILBOX \"\": the server)\n"
         "  metadata set USER MAILBOX ENTRY VALUE\n"
         "  metadata delete USER MAILBOX ENTRY\n"
         "  group set GROUP USER...\n"
         "  index status [USER] [--format=plain]   (alias: index backlog)\n"
         "  reindex [USER] [--no-wait]\n"
         "  verify [USER] [--json]\n"
         "  repair [USER] [--json]\n"
         "  retention apply --after_retrieval_days=N | --after_arrival_days=N\n"
         "  search USER MAILBOX QUERY...\n"
         "  fetch USER MAILBOX QUERY... [--fields=F,F...]\n"
         "  flags add|remove|replace USER MAILBOX QUERY... -- FLAG...\n"
         "  expunge USER MAILBOX QUERY...\n"
         "  save USER MAILBOX FILE [--date=WHEN] [--saved=WHEN] [--flags=F]\n"
         "  who [USER]\n"
         "  kick USER\n"
         "  cert generate --out_cert=F --out_key=F [--cn=NAME] [--rsa]\n" +
         SieveUsage() + MigrateUsage() + BackupUsage() +
         "every command takes --json: one JSON document on stdout\n"
         "  ({\"ok\": false, \"error\": ..., \"code\": ...} on failure)\n"
         "\n" + MessageCommandsUsage();
}

int RunAdminCommand(const AdminContext& ctx,
                    const std::vector<std::string>& args) {
  const ParsedArgs parsed = Parse(args);
  if (parsed.positional.empty()) return Usage(ctx, parsed, "no command");
  const std::string& command = parsed.positional[0];
  if (command == "user") return UserCommand(ctx, parsed);
  if (command == "mailbox") return MailboxCommand(ctx, parsed);
  if (command == "backup") return BackupCommand(ctx, parsed);
  if (command == "import") return ImportCommand(ctx, parsed);
  if (command == "quota" && parsed.positional.size() > 1 &&
      parsed.positional[1] == "recalc") {
    return QuotaRecalcCommand(ctx, parsed);
  }
  if (command == "export") return ExportCommand(ctx, parsed);
  if (command == "quota") return QuotaCommand(ctx, parsed);
  if (command == "verify" || command == "repair") {
    return VerifyCommand(ctx, parsed);
  }
  if (command == "group") return GroupCommand(ctx, parsed);
  if (command == "metadata") return MetadataCommand(ctx, parsed);
  if (command == "sieve") return SieveCommand(ctx, parsed);
  if (command == "acl") return AclCommand(ctx, parsed);
  if (command == "index" || command == "reindex") {
    return IndexCommand(ctx, parsed);
  }
  if (command == "retention") return RetentionCommand(ctx, parsed);
  if (command == "search") return SearchCommand(ctx, parsed);
  if (command == "fetch") return FetchCommand(ctx, parsed);
  if (command == "flags") return FlagsCommand(ctx, parsed);
  if (command == "expunge") return ExpungeCommand(ctx, parsed);
  if (command == "save") return SaveCommand(ctx, parsed);
  if (command == "who") return WhoCommand(ctx, parsed);
  if (command == "kick") return KickCommand(ctx, parsed);
  if (command == "migrate") return MigrateCommand(ctx, parsed);
  return Usage(ctx, parsed, "unknown command '" + command + "'");
}

}  // namespace mailroom::server::admin
