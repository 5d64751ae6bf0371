// ManageSieve (RFC 5804) response formatting: strings as the server sends
// them, and the OK / NO / BYE lines with their response codes.
//
// Thread-safety: pure functions.
#ifndef MAILROOM_PROTOCOLS_MANAGESIEVE_RESPONSE_H_
#define MAILROOM_PROTOCOLS_MANAGESIEVE_RESPONSE_H_

#include <string>
#include <string_view>

namespace mailroom::managesieve {

// A string argument: quoted when it may be (up to 1024 octets, no NUL, CR
// or LF), else a literal "{n}" CRLF octets (literal-s2c).
std::string EncodeString(std::string_view value);

// "OK", "NO" or "BYE", then " (code)" when `code` is not empty, then the
// human-readable text as a string when not empty; ends with CRLF. `code`
// is sent as given ("QUOTA/MAXSIZE", or "TAG " + EncodeString(tag)).
std::string StatusLine(std::string_view status, std::string_view code,
                       std::string_view text);

}  // namespace mailroom::managesieve

#endif  // MAILROOM_PROTOCOLS_MANAGESIEVE_RESPONSE_H_
