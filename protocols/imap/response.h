// Formatting of IMAP response data (RFC 9051 section 7): strings, flag
// lists, dates, and the mapping of store errors to tagged responses.
//
// Thread-safety: pure functions.
#ifndef MAILROOM_PROTOCOLS_IMAP_RESPONSE_H_
#define MAILROOM_PROTOCOLS_IMAP_RESPONSE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/types.h"

namespace mailroom::imap {

// A quoted string when that is possible, else a literal. `utf8` allows
// 8-bit bytes in quoted strings (IMAP4rev2 / UTF8=ACCEPT).
std::string QuoteString(std::string_view s, bool utf8 = false);
// An atom when the text is a valid non-NIL atom, else QuoteString.
std::string AStringOf(std::string_view s, bool utf8 = false);
std::string NStringOf(const std::optional<std::string>& s, bool utf8 = false);
// Always a literal: {n}CRLF followed by the bytes.
std::string LiteralOf(std::string_view s);

// "(\Seen \Flagged $Work)"; with `recent`, \Recent after the system flags
// (RFC 3501 section 2.3.2; the store does not keep it, a session does).
std::string FlagListOf(const store::Flags& flags, bool recent = false);
// System flags the store keeps, with the backslash: "\Seen", ...
std::vector<std::string> SystemFlagNames(uint32_t bits);

// Flags as sent by a client into store::Flags. \Recent is ignored (it cannot
// be set); an unknown "\Name" is kInvalidArgument.
absl::StatusOr<store::Flags> FlagsFromStrings(
    const std::vector<std::string>& flags);

// "\"17-Jul-1996 02:44:25 -0700\"" in the zone it was received in.
std::string InternalDateOf(int64_t unix_seconds, int32_t tz_minutes);

// Where a store error happened, so that kNotFound gets the right code.
enum class ErrorContext {
  kGeneral,        // NONEXISTENT
  kTargetMailbox,  // APPEND/COPY/MOVE destination: TRYCREATE
};

// The one place store statuses become IMAP responses: returns the text
// after the tag, e.g. "NO [NONEXISTENT] No such mailbox".
std::string ResponseForStatus(const absl::Status& status,
                              ErrorContext context = ErrorContext::kGeneral);

}  // namespace mailroom::imap

#endif  // MAILROOM_PROTOCOLS_IMAP_RESPONSE_H_
