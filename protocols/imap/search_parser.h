// SEARCH criteria (RFC 9051 section 6.4.4, RFC 3501 keys, WITHIN of
// RFC 5032, MODSEQ of RFC 7162, "$" of RFC 5182): parsed into an IMAP-level
// tree, then translated into store::SearchKey once the mailbox state that
// gives sequence numbers and "$" their meaning is known.
//
// Thread-safety: pure functions on values.
#ifndef MAILROOM_PROTOCOLS_IMAP_SEARCH_PARSER_H_
#define MAILROOM_PROTOCOLS_IMAP_SEARCH_PARSER_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "protocols/imap/lexer.h"
#include "protocols/imap/sequence_set.h"
#include "store/search_key.h"
#include "store/types.h"

namespace mailroom::imap {

struct ImapSearchKey {
  enum class Kind {
    kLeaf,      // `leaf` needs no mailbox state
    kAnd,
    kOr,
    kNot,
    kSequence,  // message sequence numbers in `set`
    kUidSet,    // UIDs in `set`
    kRecent,    // \Recent in this session (RECENT; NEW and OLD build on it)
  };
  Kind kind = Kind::kAnd;
  store::SearchKey leaf;
  SequenceSet set;
  std::vector<ImapSearchKey> children;
};

// What one command's criteria may cost. Every store evaluation is
// proportional to messages x keys, so the count is bounded before any work.
struct SearchParseLimits {
  int max_depth = 64;             // nesting of "(", NOT and OR
  size_t max_keys = 1000;         // search keys, nested ones included
  // Sequence-set elements summed over all the sets of the criteria.
  size_t max_sequence_elements = 100000;
};

// Parses search-key *(SP search-key) up to the end of input or a ")" that
// closes an enclosing list (not consumed). Returns a kAnd node. Exceeding a
// limit is kResourceExhausted, found before the rest is parsed; other
// errors are kInvalidArgument. The recursion is bounded by max_depth.
absl::StatusOr<ImapSearchKey> ParseSearchKeys(Lexer& lexer,
                                              const SearchParseLimits& limits);

// "1-Feb-1994" (day may have one digit) to days since the epoch.
absl::StatusOr<int64_t> ParseSearchDate(std::string_view text);

// Translates for one mailbox state: `uids_by_seq[i]` is the UID of message
// i+1; `saved` is the saved result ("$"), as UIDs; `recent` the session's
// \Recent UIDs, ascending.
store::SearchKey TranslateSearchKey(const ImapSearchKey& key,
                                    const std::vector<store::Uid>& uids_by_seq,
                                    const std::vector<store::Uid>& saved,
                                    const std::vector<store::Uid>& recent = {});
// The same without a copy of every UID: `uid_at(seq)` is the UID of message
// seq (1..count). Each sequence range becomes one UID range (from the UID
// of its first message to that of its last), so the cost follows the
// number of ranges, not of messages; the UIDs between two messages of a
// range belong to no message of the mailbox state.
store::SearchKey TranslateSearchKey(
    const ImapSearchKey& key, uint32_t count,
    const std::function<store::Uid(uint32_t)>& uid_at,
    const std::vector<store::Uid>& saved,
    const std::vector<store::Uid>& recent);

// UID ranges of the messages with sequence numbers in `seq` (resolved).
std::vector<store::UidRange> SequenceRangesToUids(
    const std::vector<ResolvedRange>& seq,
    const std::vector<store::Uid>& uids_by_seq);

}  // namespace mailroom::imap

#endif  // MAILROOM_PROTOCOLS_IMAP_SEARCH_PARSER_H_
