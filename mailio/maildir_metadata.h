// The bookkeeping files of a Maildir++ folder and tree:
//   dovecot-keywords    "<index> <name>" lines; index 0-25 is letter a-z
//   dovecot-uidlist     version 3: "3 V<uidvalidity> N<nextuid> ..." then
//                       "<uid> [extension fields] :<base name>"; version 1:
//                       "1 <uidvalidity> <nextuid>" then "<uid> <name>"
//   courierimapuiddb    Courier's: "1 <uidvalidity> <nextuid>" then
//                       "<uid> <base name>"
//   .uidvalidity        mbsync's (isync): "<uidvalidity>\n<max uid>\n"; each
//                       message's UID is in its file name as ",U=<uid>"
//   subscriptions       one name per line (levels split by the namespace
//                       separator); or Dovecot's version 2: "V\t2" then
//                       names with levels split by tabs
// Parsers reject malformed input with kInvalidArgument naming the line.
//
// Thread-safety: pure functions, safe to call concurrently.
#ifndef MAILROOM_MAILIO_MAILDIR_METADATA_H_
#define MAILROOM_MAILIO_MAILDIR_METADATA_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "mailio/maildir_names.h"
#include "store/types.h"

namespace mailroom::mailio {

absl::StatusOr<KeywordLetters> ParseDovecotKeywords(std::string_view text);
std::string FormatDovecotKeywords(const KeywordLetters& keywords);

struct UidList {
  uint32_t uidvalidity = 0;  // 0: not given
  store::Uid next_uid = 0;   // 0: not given
  std::map<std::string, store::Uid> uid_of_base;  // base file name -> UID
};
absl::StatusOr<UidList> ParseDovecotUidList(std::string_view text);
absl::StatusOr<UidList> ParseCourierUidDb(std::string_view text);
// UIDVALIDITY and next UID from mbsync's .uidvalidity (no UIDs: those are
// in the file names, see MbsyncUidOf).
absl::StatusOr<UidList> ParseMbsyncUidValidity(std::string_view text);
// The ",U=<uid>" of an mbsync file base name; std::nullopt without one.
std::optional<store::Uid> MbsyncUidOf(std::string_view base);
// Version 3; `uids` ascending.
std::string FormatDovecotUidList(
    uint32_t uidvalidity, store::Uid next_uid,
    const std::vector<std::pair<store::Uid, std::string>>& uids);

// A subscribed name: its levels when the file says how names split
// (version 2), else the raw line (the separator is the namespace's).
struct Subscription {
  std::vector<std::string> levels;  // version 2
  std::string raw;                  // version 1
};
absl::StatusOr<std::vector<Subscription>> ParseSubscriptions(
    std::string_view text);
// Version 1 lines (already encoded names).
std::string FormatSubscriptions(const std::vector<std::string>& names);

}  // namespace mailroom::mailio

#endif  // MAILROOM_MAILIO_MAILDIR_METADATA_H_
