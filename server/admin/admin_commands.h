// The administrative commands of mailroomctl, run on an open store: by
// mailroomctl itself when no daemon runs, or by mailroomd for a request on
// its admin socket (RocksDB allows one writer process).
//
//   user add NAME --password=PW      user del NAME      user list
//   user passwd NAME --password=PW
//   mailbox list USER                mailbox create USER NAME
//   mailbox delete USER NAME         mailbox status USER NAME
//   import mbox FILE --user=U [--mailbox=M]
//   quota get USER
//   quota set USER [--storage_bytes=N|none] [--messages=N|none]
//   group set GROUP USER...
//   index status [USER] [--format=plain]   (alias: index backlog)
//   reindex [USER]   (mailroomctl itself waits and shows progress unless
//                     --no-wait)
//   retention apply --after_retrieval_days=N | --after_arrival_days=N
//   mailbox rename USER OLD NEW
//   search|fetch|expunge USER MAILBOX QUERY...   (message_query.h)
//   flags add|remove|replace USER MAILBOX QUERY... -- FLAG...
//   save USER MAILBOX FILE        who [USER]        kick USER
// Every command takes --json (one JSON document on stdout).
// Options take "--name=value" or "--name value". (mailroomctl turns
// --password_stdin into --password before calling this.)
#ifndef MAILROOM_SERVER_ADMIN_ADMIN_COMMANDS_H_
#define MAILROOM_SERVER_ADMIN_ADMIN_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>


namespace mailroom::server::admin {

class AdminContext;

// Runs `args` (the command and its arguments, no program name) in `ctx`;
// returns the process exit code. Thread-safe (the store is).
int RunAdminCommand(const AdminContext& ctx,
                    const std::vector<std::string>& args);

// The usage text.
std::string AdminUsage();

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_ADMIN_COMMANDS_H_
