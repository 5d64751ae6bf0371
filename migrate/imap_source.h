// Reads a source account over IMAP: its folders (names translated to
// Mailroom's '/'-delimited UTF-8 names, subscriptions, special-use), each
// folder's UIDVALIDITY and message list, and message bodies in batches.
#ifndef MAILROOM_MIGRATE_IMAP_SOURCE_H_
#define MAILROOM_MIGRATE_IMAP_SOURCE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "migrate/imap_client.h"
#include "store/types.h"

namespace mailroom::migrate {

struct SourceFolder {
  std::string source_name;  // as the server names it (on the wire)
  std::string local_name;   // Mailroom name: UTF-8, '/' between levels
  bool selectable = true;
  bool subscribed = false;
  std::optional<std::string> special_use;  // "Sent", ... (no backslash)
};

struct SourceListing {
  std::vector<SourceFolder> folders;  // parents before children
  std::vector<std::string> notes;     // what was left out, and why
};

struct SourceMessage {
  uint32_t uid = 0;
  store::Flags flags;
  int64_t internal_date = 0;
  int32_t tz_minutes = 0;
  uint64_t size = 0;
  std::string body;  // only when fetched
};

struct SelectedFolder {
  uint32_t uidvalidity = 0;
  uint32_t uidnext = 0;
  uint32_t exists = 0;
};

// Lists the folders of the personal namespace.
absl::StatusOr<SourceListing> ListSourceFolders(ImapClient& client);

// EXAMINEs (read-only) a folder.
absl::StatusOr<SelectedFolder> ExamineFolder(ImapClient& client,
                                             const std::string& source_name);

// UID, FLAGS, INTERNALDATE and RFC822.SIZE of every message in the
// examined folder, ascending UID.
absl::StatusOr<std::vector<SourceMessage>> FetchMessageList(ImapClient& client);

// "UID FETCH set (UID FLAGS INTERNALDATE BODY.PEEK[])" for `uids`, split
// in two calls so a caller can pipeline: Send returns the tag, Receive
// collects the messages (ascending UID; expunged ones are missing).
absl::StatusOr<std::string> SendBodyFetch(ImapClient& client,
                                          const std::vector<uint32_t>& uids);
absl::StatusOr<std::vector<SourceMessage>> ReceiveBodyFetch(
    ImapClient& client, const std::string& tag);

// Helpers exposed for tests.
store::Flags ParseFlags(const std::vector<std::string>& flags);
bool ParseInternalDate(absl::string_view text, int64_t* unix_seconds,
                       int32_t* tz_minutes);
std::string UidSet(const std::vector<uint32_t>& uids);

}  // namespace mailroom::migrate

#endif  // MAILROOM_MIGRATE_IMAP_SOURCE_H_
