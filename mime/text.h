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


// ---- Building blocks (also used by the IMAP renderer and the index) -------

// Decodes a body with its Content-Transfer-Encoding (lower case): base64
// (characters outside the alphabet skipped, a truncated final group
// dropped), quoted-printable (soft breaks joined, trailing whitespace of
// lines removed, malformed escapes kept literally), and 7bit/8bit/binary or
// empty (unchanged). std::nullopt for any other encoding.
std::optional<std::string> DecodeTransferEncoding(std::string_view data,
                                                  std::string_view encoding);

// The decoded UTF-8 text of a leaf part: transfer encoding removed, charset
// parameter applied, HTML (text/html) turned into text. Unknown transfer
// encodings are read as if unencoded.
std::string DecodePartText(const Part& part, std::string_view raw);

// Visible text of an HTML document (UTF-8 in, UTF-8 out): tags removed,
// script/style/comments dropped, character references decoded, block
// elements as line breaks, runs of whitespace collapsed.
std::string HtmlToText(std::string_view html);

// The attachment file name of a part: Content-Disposition "filename", else
// Content-Type "name", RFC 2047-decoded. Empty if none.
std::string AttachmentName(const Part& part);

}  // namespace mailroom::mime

#endif  // MAILROOM_MIME_TEXT_H_
