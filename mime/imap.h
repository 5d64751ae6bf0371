// IMAP renderings of a parsed message (RFC 3501 section 7.4.2, RFC 9051,
// RFC 3516): BODY, BODYSTRUCTURE, ENVELOPE, BODY[section] and BINARY.
//
// Everything here works from a mime::Message and the raw bytes it was parsed
// from; nothing is decoded that IMAP sends undecoded (names, subjects and
// parameter values go out as written, encoded words included).
//
// Strings are written as quoted strings when they can be, otherwise as
// synchronising literals ("{n}\r\n" then the bytes): values with CR, LF,
// 8-bit bytes or more than 1000 bytes. NUL bytes, which no IMAP string may
// hold, are dropped.
//
// Thread-safety: free functions on values; safe to call concurrently.
#ifndef MAILROOM_MIME_IMAP_H_
#define MAILROOM_MIME_IMAP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "mime/message.h"

namespace mailroom::mime {

// ---- strings ---------------------------------------------------------------

// An IMAP string (quoted or literal) holding `s`.
std::string ImapString(std::string_view s);
// ImapString, or NIL for std::nullopt.
std::string ImapNString(const std::optional<std::string>& s);

// ---- BODY, BODYSTRUCTURE, ENVELOPE ----------------------------------------

// The parenthesised body structure of `message`, without the "BODY " or
// "BODYSTRUCTURE " prefix. `extensible` true gives BODYSTRUCTURE (with the
// extension data: MD5, disposition, language, location for single parts;
// parameters, disposition, language, location for multiparts), false gives
// BODY. Text parts without a charset parameter get ("charset" "us-ascii").
// Type, subtype, encoding and parameter names are sent in lower case.
// A message/rfc822 part whose structure could not be parsed (for example a
// base64-encoded one) is sent as a basic part. `raw` is unused today and is
// taken so that renderings needing raw bytes never change this signature.
std::string BodyStructure(const Message& message, std::string_view raw,
                          bool extensible);

// The parenthesised ENVELOPE of the fields, without the "ENVELOPE " prefix.
// Sender and Reply-To default to From when absent or empty. Addresses are
// (name adl mailbox host); a group is (NIL NIL "group" NIL) ... followed by
// (NIL NIL NIL NIL). An address without a domain gets host "" (NIL would
// mark a group).
std::string Envelope(const EnvelopeFields& fields);
// The envelope of the top-level message (all NIL if it has none).
std::string Envelope(const Message& message);

// ---- BODY[section] ---------------------------------------------------------

// A parsed section specification, the text between "[" and "]".
struct SectionSpec {
  enum class Text {
    kAll,              // "" or a bare part number
    kHeader,           // HEADER
    kHeaderFields,     // HEADER.FIELDS (...)
    kHeaderFieldsNot,  // HEADER.FIELDS.NOT (...)
    kText,             // TEXT
    kMime,             // MIME (needs a part number)
  };
  std::vector<uint32_t> part;  // 1-based; empty for the whole message
  Text text = Text::kAll;
  std::vector<std::string> fields;  // HEADER.FIELDS[.NOT], as written
};

// Parses e.g. "", "1.2", "HEADER", "1.2.MIME", "HEADER.FIELDS (From \"To\")".
// Keywords are case-insensitive. kInvalidArgument on bad syntax (the IMAP
// front-end answers BAD). Field names may be atoms or quoted strings;
// literals must have been read into the text by the caller.
absl::StatusOr<SectionSpec> ParseSectionSpec(std::string_view spec);

// The bytes of a section (RFC 3501 section 6.4.5):
// - part numbers: multipart children by position; the only part of a
//   non-multipart message is "1" (its body); a message/rfc822 part's numbers
//   refer to the parts of the encapsulated message;
// - kAll: the whole message (no part) or the part's body (for a
//   message/rfc822 part: the whole encapsulated message);
// - kHeader / kHeaderFields / kHeaderFieldsNot / kText: of the top-level
//   message (no part) or of the message encapsulated in a message/rfc822
//   part; HEADER.FIELDS[.NOT] returns the matching (resp. other) fields as
//   written, then a CRLF blank line;
// - kMime: the part's own MIME header, with its blank line.
// Errors: kNotFound if the part does not exist; kInvalidArgument for HEADER,
// TEXT or HEADER.FIELDS on a part that is not message/rfc822, or MIME
// without a part number. RFC 3501 does not say what to answer for a section
// that does not exist; the IMAP front-end answers both errors with NIL
// (BODY[4.1] NIL: the grammar allows an nstring), which keeps the rest of
// the FETCH response intact. (A malformed spec is a ParseSectionSpec error:
// BAD.) HEADER.FIELDS[.NOT] output always uses CRLF line endings;
// the other sections are the stored bytes.
absl::StatusOr<std::string> FetchSection(const Message& message,
                                         std::string_view raw,
                                         const SectionSpec& spec);

// HEADER.FIELDS[.NOT] (spec.text) from the header block's bytes alone:
// `header` is what SectionSpan gives for HEADER of the same part. The same
// text FetchSection returns, without the rest of the message, so a caller
// may read only the header.
std::string FilterHeaderFields(std::string_view header,
                               const SectionSpec& spec);

// The span of raw that FetchSection returns, for every spec except
// HEADER.FIELDS[.NOT] (not contiguous: kInvalidArgument). Lets the caller
// serve partial fetches (<origin.size>) without copying.
absl::StatusOr<Span> SectionSpan(const Message& message,
                                 const SectionSpec& spec);

// ---- BINARY (RFC 3516) -----------------------------------------------------

// BINARY[part]: the part's body with its Content-Transfer-Encoding removed.
// An empty `part` is the whole message, as stored. Errors: kNotFound for a
// part that does not exist; kUnimplemented for a transfer encoding this
// library does not know (the front-end answers NO [UNKNOWN-CTE]).
absl::StatusOr<std::string> FetchBinary(const Message& message,
                                        std::string_view raw,
                                        const std::vector<uint32_t>& part);

// BINARY.SIZE[part]: the size FetchBinary would return; same errors.
absl::StatusOr<uint64_t> BinarySize(const Message& message,
                                    std::string_view raw,
                                    const std::vector<uint32_t>& part);

// The part a section's part numbers name, or nullptr (rules as above).
const Part* ResolvePart(const Message& message,
                        const std::vector<uint32_t>& part);

}  // namespace mailroom::mime

#endif  // MAILROOM_MIME_IMAP_H_
