// Names in a Maildir++ tree: message file names ("<base>:2,<flags>") and
// folder directory names (".Parent.Child", each level in modified UTF-7).
//
// Thread-safety: pure functions, safe to call concurrently.
#ifndef MAILROOM_MAILIO_MAILDIR_NAMES_H_
#define MAILROOM_MAILIO_MAILDIR_NAMES_H_

#include <array>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "store/types.h"

namespace mailroom::mailio {

// Keyword names by letter: index 0 is 'a' ... 25 is 'z' (a folder's
// dovecot-keywords file). Empty: the letter means nothing.
using KeywordLetters = std::array<std::string, 26>;

// Whether `name` can be an IMAP keyword (RFC 9051 flag-keyword: 1*ATOM-CHAR,
// so no space, control, 8-bit byte or any of `(){%*"\]`). Bookkeeping files
// may hold anything; other names are dropped so they never reach a FLAGS
// response.
bool IsKeywordAtom(std::string_view name);

// The keyword Maildir's 'P' (passed: resent/forwarded) flag stands for.
inline constexpr std::string_view kPassedKeyword = "$Forwarded";

// A message file name split at its info: "1234.M1P2.host,S=10:2,FS" has
// base "1234.M1P2.host,S=10" and flag letters "FS". Names without ":2,"
// (messages in new/) have no flag letters.
struct MaildirFileName {
  std::string base;
  std::string flag_letters;
};
MaildirFileName SplitMaildirFileName(std::string_view name);

// Flag letters to store flags: D \Draft, F \Flagged, R \Answered, S \Seen,
// T \Deleted, P the $Forwarded keyword, a-z the keywords `keywords` names.
// Letters that mean nothing (unknown capitals, keyword letters without a
// name) are counted in *ignored.
store::Flags FlagsFromLetters(std::string_view letters,
                              const KeywordLetters& keywords, int* ignored);

// Store flags to flag letters, in ASCII order as Maildir requires. Keywords
// come from `letter_of` (a keyword without a letter is counted in
// *unrepresented).
std::string LettersFromFlags(const store::Flags& flags,
                             const KeywordLetters& keywords,
                             int* unrepresented);

// ".A.B" (a directory of the tree) to the mailbox name "A/B". Each level is
// modified UTF-7, or raw UTF-8 (Dovecot's UTF-8 layouts). kInvalidArgument
// for a name that is neither, or that has an empty level.
absl::StatusOr<std::string> MailboxFromFolderDir(std::string_view dir);

// The mailbox name "A/B" to its directory ".A.B". A '.' inside a level is
// written as "&AC4-" (its modified UTF-7 form) so it does not split the
// level. kInvalidArgument for invalid UTF-8 and for INBOX (the root).
absl::StatusOr<std::string> FolderDirFromMailbox(std::string_view mailbox);

// One level of a mailbox name, modified UTF-7 or raw UTF-8, to UTF-8.
absl::StatusOr<std::string> DecodeFolderLevel(std::string_view level);

}  // namespace mailroom::mailio

#endif  // MAILROOM_MAILIO_MAILDIR_NAMES_H_
