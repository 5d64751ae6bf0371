// Annotations (RFC 5464 METADATA) in an export directory, so that export
// then import, the backup path on RADOS, carries them with the mail: the
// account's /private entries on its mailboxes and on the server, and the
// /shared entries of the mailboxes it owns. The server's /shared entries
// belong to no account and stay out; so do other users' /private entries
// on this account's mailboxes.
//
// The file is DIR/.mailroom-metadata.json (hidden, so neither the Maildir
// nor the mbox reader takes it for a folder):
//   {"format": 1, "entries": [{"mailbox": "INBOX", "entry": "/shared/x",
//                              "value_base64": "..."}, ...]}
// with mailbox "" for the server. Values are bytes, hence base64.
#ifndef MAILROOM_SERVER_ADMIN_METADATA_TRANSFER_H_
#define MAILROOM_SERVER_ADMIN_METADATA_TRANSFER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/store.h"

namespace mailroom::server::admin {

inline constexpr char kMetadataFileName[] = ".mailroom-metadata.json";

// Writes the annotations of `mailboxes` (names as `who` sees them) and of
// the server into `dir`. Returns how many entries were written.
absl::StatusOr<uint64_t> ExportMetadata(store::Store& store,
                                        const store::Principal& who,
                                        const std::vector<std::string>& mailboxes,
                                        const std::string& dir);

// Sets the annotations `dir` holds, if it holds any (none is not an error).
// An entry the store refuses (a mailbox not imported, a limit) is skipped
// with a line in `warnings`. kInvalidArgument for a file that is not one
// ExportMetadata wrote. Returns how many entries were set.
absl::StatusOr<uint64_t> ImportMetadata(store::Store& store,
                                        const store::Principal& who,
                                        const std::string& dir,
                                        std::vector<std::string>* warnings);

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_METADATA_TRANSFER_H_
