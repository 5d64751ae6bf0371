// Reads a Maildir++ tree (Dovecot's and Courier's layout): INBOX in the
// root's cur/ and new/, folders in ".Name.Sub" directories, flags from the
// file names' ":2," info, keywords from each folder's dovecot-keywords,
// UIDs and UIDVALIDITY from dovecot-uidlist (or Courier's
// courierimapuiddb, or mbsync's .uidvalidity and ",U=" names),
// subscriptions from "subscriptions" (or Courier's
// "courierimapsubscribed"). Courier's courierimapkeywords/ is not read.
//
// Scanning lists files only; message bytes are read one at a time with
// ReadMaildirMessage, so a large tree costs memory for its names only.
//
// Thread-safety: pure functions over the file system.
#ifndef MAILROOM_MAILIO_MAILDIR_READER_H_
#define MAILROOM_MAILIO_MAILDIR_READER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/types.h"

namespace mailroom::mailio {

struct MaildirMessage {
  std::string path;               // the file
  std::optional<store::Uid> uid;  // from the folder's UID list
  store::Flags flags;
  int64_t mtime = 0;  // seconds since the epoch: the internal date
};

struct MaildirFolder {
  std::string mailbox;      // UTF-8, '/'-delimited; "INBOX" for the root
  uint32_t uidvalidity = 0;  // 0: the folder has no UID list
  store::Uid next_uid = 0;
  // Listed messages by ascending UID, then unlisted ones by file name.
  std::vector<MaildirMessage> messages;
};

struct MaildirTree {
  std::vector<MaildirFolder> folders;  // INBOX first, then by name
  std::vector<std::string> subscriptions;  // mailbox names
  // What was skipped and why (a folder with an undecodable name, flag
  // letters without meaning...), for the administrator.
  std::vector<std::string> warnings;
  uint64_t messages() const;
};

// kNotFound when `root` is not a directory; kInvalidArgument when it has
// neither cur/, new/ nor folders (not a Maildir), or a metadata file is
// malformed (the message names the file and line).
absl::StatusOr<MaildirTree> ScanMaildirTree(const std::string& root);

// A message file's bytes with line ends made CRLF (Maildir files use LF).
absl::StatusOr<std::string> ReadMaildirMessage(const std::string& path);

}  // namespace mailroom::mailio

#endif  // MAILROOM_MAILIO_MAILDIR_READER_H_
