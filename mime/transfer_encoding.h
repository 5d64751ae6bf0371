// The two real transfer decoders, for callers that already know which one
// they need (RFC 2047 B and Q words reuse them).
//
// Thread-safety: free functions; safe to call concurrently.
#ifndef MAILROOM_MIME_TRANSFER_ENCODING_H_
#define MAILROOM_MIME_TRANSFER_ENCODING_H_

#include <string>
#include <string_view>

namespace mailroom::mime {

// Base64; bytes outside the alphabet are skipped, "=" ends a group.
std::string DecodeBase64(std::string_view in);

// Quoted-printable (RFC 2045 section 6.7), line endings kept as written.
std::string DecodeQuotedPrintable(std::string_view in);

}  // namespace mailroom::mime

#endif  // MAILROOM_MIME_TRANSFER_ENCODING_H_
