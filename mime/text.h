// What search and threading need from a message: decoded UTF-8 text, parsed
// addresses and dates, base subjects, and the IMAP comparator's folding.
//
// Thread-safety: free functions on values; safe to call concurrently.
#ifndef MAILROOM_MIME_TEXT_H_
#define MAILROOM_MIME_TEXT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mime/message.h"

namespace mailroom::mime {

struct Address {
  std::string display_name;  // decoded UTF-8, may be empty
  std::string mailbox;       // local part
  std::string domain;
  std::string group;         // the group this address belongs to, if any
};

// The searchable text of a message, all decoded to UTF-8.
struct ExtractedText {
  // Every header field of the top-level message, in order: name in lower
  // case, value unfolded and RFC 2047-decoded.
  std::vector<std::pair<std::string, std::string>> headers;
  // Decoded text of every text part (HTML turned into text), parts separated
  // by a newline. Includes text of encapsulated messages.
  std::string body;
  std::vector<std::string> attachment_names;
};

ExtractedText ExtractText(const Message& message, std::string_view raw);

// RFC 2047 encoded words (B and Q, any charset, adjacent words joined) and
// raw UTF-8 (RFC 6532) to UTF-8. Never fails: undecodable bytes are replaced.
std::string DecodeHeaderValue(std::string_view raw_value);

// Addresses of an address-list header value (raw, undecoded).
std::vector<Address> ParseAddressList(std::string_view raw_value);

// An RFC 5322 date-time (obsolete forms tolerated).
struct DateTime {
  int64_t unix_seconds = 0;
  int32_t tz_minutes = 0;  // offset of the zone it was written in
};
std::optional<DateTime> ParseDate(std::string_view raw_value);

// RFC 5256 base subject: Re:/Fwd:/[blob] prefixes and (fwd) trailers removed.
std::string BaseSubject(std::string_view decoded_subject);

// i;unicode-casemap (RFC 5051) folding: case-folded and NFKD-normalised
// UTF-8, invalid bytes replaced. A text key matches when the folded key is a
// substring of the folded text.
std::string SearchFold(std::string_view utf8);

}  // namespace mailroom::mime

#endif  // MAILROOM_MIME_TEXT_H_
