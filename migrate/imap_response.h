// Parses one IMAP server response (RFC 3501 / RFC 9051 section 9 grammar:
// atoms, quoted strings, literals, NIL and parenthesised lists) as it came
// off the wire, literals included. Status responses (OK/NO/BAD/BYE) keep
// their text and response code as strings.
#ifndef MAILROOM_MIGRATE_IMAP_RESPONSE_H_
#define MAILROOM_MIGRATE_IMAP_RESPONSE_H_

#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"

namespace mailroom::migrate {

struct ImapValue {
  enum Kind { kAtom, kString, kNil, kList };
  Kind kind = kNil;
  std::string text;              // kAtom, kString
  std::vector<ImapValue> items;  // kList
  bool IsAtom(absl::string_view upper) const;  // case-insensitive
  // An atom's or string's text; "" for NIL.
  const std::string& str() const { return text; }
};

struct ImapResponse {
  enum Kind { kUntagged, kTagged, kContinuation };
  Kind kind = kUntagged;
  std::string tag;                 // kTagged
  std::string status;              // OK/NO/BAD/BYE/PREAUTH (upper case), or ""
  std::string code;                // response code inside [...], or ""
  std::string text;                // human-readable text of a status response
  std::vector<ImapValue> values;   // other untagged data, e.g. 12 FETCH (...)
};

// `raw` is one response: its lines joined by CRLF with each literal's bytes
// right after the "{n}" line, no final CRLF.
absl::StatusOr<ImapResponse> ParseImapResponse(absl::string_view raw);

// Quotes `s` as an IMAP quoted string; false when it cannot be quoted
// (CR, LF, NUL or 8-bit bytes need a literal).
bool QuoteImapString(absl::string_view s, std::string* out);

}  // namespace mailroom::migrate

#endif  // MAILROOM_MIGRATE_IMAP_RESPONSE_H_
