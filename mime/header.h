// Splitting a header block into fields, and the small lexical helpers of
// RFC 5322 header values shared by the parser, the text functions and the
// IMAP renderer.
//
// Thread-safety: free functions; safe to call concurrently.
#ifndef MAILROOM_MIME_HEADER_H_
#define MAILROOM_MIME_HEADER_H_

#include <string>
#include <string_view>
#include <vector>

#include "mime/message.h"

namespace mailroom::mime {

// One header field as written.
struct HeaderField {
  std::string_view name;   // before the colon, trailing whitespace trimmed
  std::string_view value;  // after the colon, still folded, without the
                           // field's final line ending
  Span span;               // the whole field including its final line ending
};

// The fields of the header block `header` of `raw` (a Part::header span), in
// order. Lines without a colon (not fields) and the blank line are skipped.
// Bare LF and CRLF line endings are both accepted.
std::vector<HeaderField> SplitHeader(std::string_view raw, Span header);

// Unfolds a raw value: CR and LF removed, leading and trailing whitespace
// trimmed (RFC 5322 section 2.2.3).
std::string Unfold(std::string_view value);

// ASCII case-insensitive comparison.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string AsciiLower(std::string_view s);

}  // namespace mailroom::mime

#endif  // MAILROOM_MIME_HEADER_H_
