#include "mailio/maildir_writer.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "mailio/maildir_metadata.h"
#include "mailio/private_files.h"

namespace mailroom::mailio {

absl::Status MaildirWriter::BeginFolder(std::string_view mailbox,
                                        uint32_t uidvalidity,
                                        store::Uid next_uid,
                                        const std::set<std::string>& keywords) {
  if (absl::EqualsIgnoreCase(absl::string_view(mailbox.data(), mailbox.size()),
                             "INBOX")) {
    folder_dir_ = root_;
  } else {
    absl::StatusOr<std::string> dir = FolderDirFromMailbox(mailbox);
    if (!dir.ok()) return dir.status();
    folder_dir_ = absl::StrCat(root_, "/", *dir);
  }
  for (const char* sub : {"", "/cur", "/new", "/tmp"}) {
    absl::Status status = MakePrivateDir(folder_dir_ + sub);
    if (!status.ok()) return status;
  }
  if (folder_dir_ != root_) {
    // Dovecot and Courier mark folders (not the root) this way.
    absl::Status status = WritePrivateFile(folder_dir_ + "/maildirfolder", "");
    if (!status.ok()) return status;
  }
  uidvalidity_ = uidvalidity;
  next_uid_ = next_uid;
  letters_ = KeywordLetters();
  size_t next_letter = 0;
  for (const std::string& keyword : keywords) {
    if (keyword == kPassedKeyword) continue;
    if (next_letter == letters_.size()) break;
    letters_[next_letter++] = keyword;
  }
  uids_.clear();
  return absl::OkStatus();
}

absl::Status MaildirWriter::AddMessage(store::Uid uid,
                                       const store::Flags& flags,
                                       int64_t internal_date,
                                       std::string_view data) {
  std::string lf;
  lf.reserve(data.size());
  for (size_t i = 0; i < data.size(); ++i) {
    if (data[i] == '\r' && i + 1 < data.size() && data[i + 1] == '\n') continue;
    lf.push_back(data[i]);
  }
  int unrepresented = 0;
  const std::string letters = LettersFromFlags(flags, letters_, &unrepresented);
  unrepresented_ += static_cast<uint64_t>(unrepresented);
  const std::string base = absl::StrCat(internal_date, ".M", uid,
                                        "P0.mailroom,S=", lf.size(),
                                        ",W=", data.size());
  absl::Status status =
      WritePrivateFile(absl::StrCat(folder_dir_, "/cur/", base, ":2,", letters),
                       lf, internal_date);
  if (!status.ok()) return status;
  uids_.emplace_back(uid, base);
  return absl::OkStatus();
}

absl::Status MaildirWriter::EndFolder() {
  store::Uid next_uid = next_uid_;
  if (!uids_.empty() && uids_.back().first >= next_uid) {
    next_uid = uids_.back().first + 1;
  }
  absl::Status status = WritePrivateFile(
      folder_dir_ + "/dovecot-uidlist",
      FormatDovecotUidList(uidvalidity_, next_uid, uids_));
  if (!status.ok()) return status;
  return WritePrivateFile(folder_dir_ + "/dovecot-keywords",
                          FormatDovecotKeywords(letters_));
}

absl::Status MaildirWriter::WriteSubscriptions(
    const std::vector<std::string>& mailboxes) {
  std::vector<std::string> names;
  for (const std::string& mailbox : mailboxes) {
    if (absl::EqualsIgnoreCase(mailbox, "INBOX")) {
      names.push_back("INBOX");
      continue;
    }
    absl::StatusOr<std::string> dir = FolderDirFromMailbox(mailbox);
    if (!dir.ok()) continue;  // a name the tree cannot hold
    names.push_back(dir->substr(1));
  }
  return WritePrivateFile(root_ + "/subscriptions", FormatSubscriptions(names));
}

}  // namespace mailroom::mailio
