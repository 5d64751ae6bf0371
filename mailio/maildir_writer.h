// Writes a Dovecot-compatible Maildir++ tree: INBOX in the root, other
// mailboxes in ".A.B" folders (modified UTF-7), every message in cur/ with
// its flags in ":2,<letters>", file mtime = internal date, LF line ends;
// per folder a dovecot-uidlist (version 3, UIDVALIDITY, next UID, UIDs)
// and dovecot-keywords; a "subscriptions" file in the root. Files 0600,
// directories 0700.
//
// Thread-safety: not thread-safe.
#ifndef MAILROOM_MAILIO_MAILDIR_WRITER_H_
#define MAILROOM_MAILIO_MAILDIR_WRITER_H_

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "mailio/maildir_names.h"
#include "store/types.h"

namespace mailroom::mailio {

class MaildirWriter {
 public:
  // REQUIRES: `root` exists (PrepareExportRoot).
  explicit MaildirWriter(std::string root) : root_(std::move(root)) {}

  // Starts a folder. `keywords` are all the keywords its messages carry:
  // Maildir can name 26 per folder ('a'-'z'); the others are counted in
  // unrepresented_keywords() as messages use them. The P flag carries
  // $Forwarded.
  absl::Status BeginFolder(std::string_view mailbox, uint32_t uidvalidity,
                           store::Uid next_uid,
                           const std::set<std::string>& keywords);
  // REQUIRES: inside a folder, UIDs ascending. `data` has CRLF line ends.
  absl::Status AddMessage(store::Uid uid, const store::Flags& flags,
                          int64_t internal_date, std::string_view data);
  // Writes the folder's dovecot-uidlist and dovecot-keywords.
  absl::Status EndFolder();
  // The root's subscriptions file (mailbox names, UTF-8, '/'-delimited).
  absl::Status WriteSubscriptions(const std::vector<std::string>& mailboxes);

  // Keyword uses that had no letter (more than 26 keywords in a folder).
  uint64_t unrepresented_keywords() const { return unrepresented_; }

 private:
  const std::string root_;
  std::string folder_dir_;
  uint32_t uidvalidity_ = 0;
  store::Uid next_uid_ = 0;
  KeywordLetters letters_;
  std::vector<std::pair<store::Uid, std::string>> uids_;
  uint64_t unrepresented_ = 0;
};

}  // namespace mailroom::mailio

#endif  // MAILROOM_MAILIO_MAILDIR_WRITER_H_
