// libFuzzer target: what "import" reads from a Maildir++ tree besides the
// messages: the folder's bookkeeping files (dovecot-keywords,
// dovecot-uidlist, courierimapuiddb, mbsync's .uidvalidity, subscriptions)
// and the names of message files and folder directories. The input is used
// as each of them; what parses must survive formatting and parsing again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mailio/maildir_metadata.h"
#include "mailio/maildir_names.h"

namespace {

using namespace mailroom::mailio;

void Check(bool ok) {
  if (!ok) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  absl::StatusOr<KeywordLetters> keywords = ParseDovecotKeywords(input);
  if (keywords.ok()) {
    absl::StatusOr<KeywordLetters> again =
        ParseDovecotKeywords(FormatDovecotKeywords(*keywords));
    Check(again.ok() && *again == *keywords);
  }
  const KeywordLetters letters =
      keywords.ok() ? *keywords : KeywordLetters{"work", "", "$Junk"};

  absl::StatusOr<UidList> list = ParseDovecotUidList(input);
  if (list.ok()) {
    std::vector<std::pair<mailroom::store::Uid, std::string>> uids;
    for (const auto& [base, uid] : list->uid_of_base) uids.emplace_back(uid, base);
    (void)FormatDovecotUidList(list->uidvalidity, list->next_uid, uids);
  }
  (void)ParseCourierUidDb(input);
  (void)ParseMbsyncUidValidity(input);
  absl::StatusOr<std::vector<Subscription>> subscriptions =
      ParseSubscriptions(input);
  if (subscriptions.ok()) {
    std::vector<std::string> raw;
    for (const Subscription& s : *subscriptions) {
      if (!s.raw.empty()) raw.push_back(s.raw);
    }
    (void)FormatSubscriptions(raw);
  }

  // The input's first line as a file name and as a folder directory.
  const std::string_view name = input.substr(0, input.find('\n'));
  const MaildirFileName file = SplitMaildirFileName(name);
  Check(file.base.size() + file.flag_letters.size() <= name.size());
  (void)MbsyncUidOf(file.base);
  int ignored = 0;
  const mailroom::store::Flags flags =
      FlagsFromLetters(file.flag_letters, letters, &ignored);
  int unrepresented = 0;
  const std::string letters_back =
      LettersFromFlags(flags, letters, &unrepresented);
  for (size_t i = 1; i < letters_back.size(); ++i) {
    Check(letters_back[i - 1] < letters_back[i]);  // ASCII order, no repeats
  }
  absl::StatusOr<std::string> mailbox = MailboxFromFolderDir(name);
  if (mailbox.ok() && *mailbox != "INBOX") {
    absl::StatusOr<std::string> dir = FolderDirFromMailbox(*mailbox);
    if (dir.ok()) {
      absl::StatusOr<std::string> back = MailboxFromFolderDir(*dir);
      Check(back.ok() && *back == *mailbox);
    }
  }
  (void)DecodeFolderLevel(name);
  (void)FolderDirFromMailbox(name);
  return 0;
}
