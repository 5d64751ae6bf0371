// How POP3 puts a stored message on the wire: every line end as CRLF (bare
// LF from imports becomes CRLF), a '.' doubled at the start of a line, and
// the ".CRLF" terminator. Sizes (STAT, LIST, the RETR status line) count the
// CRLF-normalised message without dot-stuffing, so they always equal what a
// client gets back after undoing the dot-stuffing.
//
// Thread-safety: free functions on values; safe to call concurrently.
#ifndef MAILROOM_PROTOCOLS_POP3_MESSAGE_LINES_H_
#define MAILROOM_PROTOCOLS_POP3_MESSAGE_LINES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mailroom::pop3 {

// Octets of `raw` as AppendMultiline sends it before dot-stuffing: every
// line end CRLF, and a final CRLF added when the message lacks one.
uint64_t WireSize(std::string_view raw);

// Appends `raw` to `out` as the body of a multi-line response, terminator
// included. A message that does not end in a line end gets a CRLF first.
// With `body_lines` set (TOP), only the header, the blank line after it and
// that many lines of the body are sent.
void AppendMultiline(std::string_view raw, std::optional<uint64_t> body_lines,
                     std::string* out);

}  // namespace mailroom::pop3

#endif  // MAILROOM_PROTOCOLS_POP3_MESSAGE_LINES_H_
