// Modified UTF-7 mailbox names (RFC 3501 section 5.1.3). The store keeps
// names in UTF-8; IMAP4rev1 clients that did not enable UTF8=ACCEPT see them
// encoded.
//
// Thread-safety: pure functions, safe to call concurrently.
#ifndef MAILROOM_PROTOCOLS_IMAP_UTF7_H_
#define MAILROOM_PROTOCOLS_IMAP_UTF7_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace mailroom::imap {

// UTF-8 to modified UTF-7. Invalid UTF-8 bytes become U+FFFD.
std::string EncodeMailboxUtf7(std::string_view utf8);

// Modified UTF-7 to UTF-8. kInvalidArgument on a malformed name (bad base64,
// unterminated shift, an encoded printable ASCII character, bad surrogates).
absl::StatusOr<std::string> DecodeMailboxUtf7(std::string_view utf7);

}  // namespace mailroom::imap

#endif  // MAILROOM_PROTOCOLS_IMAP_UTF7_H_
