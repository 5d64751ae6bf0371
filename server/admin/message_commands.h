// Admin commands on messages, selected with the query language of
// message_query.h: search, fetch, flags, expunge, and save (append one
// message file).
#ifndef MAILROOM_SERVER_ADMIN_MESSAGE_COMMANDS_H_
#define MAILROOM_SERVER_ADMIN_MESSAGE_COMMANDS_H_

#include <string>

#include "server/admin/admin_context.h"

namespace mailroom::server::admin {

// search USER MAILBOX QUERY...
int SearchCommand(const AdminContext& ctx, const ParsedArgs& a);
// fetch USER MAILBOX QUERY... [--fields=...] [--base64]
int FetchCommand(const AdminContext& ctx, const ParsedArgs& a);
// flags add|remove|replace USER MAILBOX QUERY... -- FLAG...
int FlagsCommand(const AdminContext& ctx, const ParsedArgs& a);
// expunge USER MAILBOX QUERY...
int ExpungeCommand(const AdminContext& ctx, const ParsedArgs& a);
// save USER MAILBOX FILE [--date=WHEN] [--saved=WHEN] [--flags="F ..."]
int SaveCommand(const AdminContext& ctx, const ParsedArgs& a);

// The query language and the fields of fetch, for the usage text.
std::string MessageCommandsUsage();

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_MESSAGE_COMMANDS_H_
