// The search criteria tree the store evaluates. Front-ends translate their
// protocol's syntax into it; sequence numbers are already turned into UIDs.
#ifndef MAILROOM_STORE_SEARCH_KEY_H_
#define MAILROOM_STORE_SEARCH_KEY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "store/types.h"

namespace mailroom::store {

struct UidRange {
  Uid first = 0;
  Uid last = 0;  // inclusive
};

struct SearchKey {
  enum class Kind {
    kAll,
    kAnd,          // children all match (empty: matches all)
    kOr,           // any child matches
    kNot,          // children[0] does not match
    kUids,         // uid in `uids`
    kFlagSet,      // all system flags in `number` set
    kFlagClear,    // all system flags in `number` clear
    kKeyword,      // keyword `value` set (case-insensitive)
    kUnkeyword,    // keyword `value` not set
    kBefore,       // internal date (as a day) < `number` (days since epoch)
    kOn,           // internal date (day) == `number`
    kSince,        // internal date (day) >= `number`
    kSentBefore,   // Date: header (day) < `number`
    kSentOn,
    kSentSince,
    kLarger,       // size > `number`
    kSmaller,      // size < `number`
    kOlder,        // internal date older than `number` seconds (RFC 5032)
    kYounger,      // internal date within the last `number` seconds
    kModSeq,       // modseq >= `number` (RFC 7162)
    // Save date (when the message was saved into its mailbox: appended,
    // copied or moved; RFC 8514), as a UTC day or an age in seconds.
    kSavedBefore,  // save day < `number` (days since epoch)
    kSavedOn,      // save day == `number`
    kSavedSince,   // save day >= `number`
    kSavedOlder,   // saved more than `number` seconds ago
    kSavedYounger, // saved within the last `number` seconds
    // Object ids (RFC 8474), compared exactly with `value`.
    kEmailId,      // MessageMeta::email_id == `value`
    kThreadId,     // MessageMeta::thread_id == `value`
    // Text keys: case-insensitive substring match on decoded text
    // (i;unicode-casemap). `value` is UTF-8.
    kHeader,       // header field `field` (lower case) contains `value`;
                   // an empty value matches any message with the field.
                   // FROM/TO/CC/BCC/SUBJECT are kHeader with that field.
    kBody,         // decoded body text contains `value`
    kText,         // header or body contains `value`
  };
  Kind kind = Kind::kAll;
  std::vector<SearchKey> children;
  std::vector<UidRange> uids;
  int64_t number = 0;
  std::string field;
  std::string value;

  bool is_text() const {
    return kind == Kind::kHeader || kind == Kind::kBody || kind == Kind::kText;
  }
};

}  // namespace mailroom::store

#endif  // MAILROOM_STORE_SEARCH_KEY_H_
