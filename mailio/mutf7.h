// Modified UTF-7 (RFC 3501 section 5.1.3), the encoding of non-ASCII
// folder names in Maildir++ directory names and subscription files. The
// store keeps names in UTF-8.
//
// Thread-safety: pure functions, safe to call concurrently.
#ifndef MAILROOM_MAILIO_MUTF7_H_
#define MAILROOM_MAILIO_MUTF7_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace mailroom::mailio {

// UTF-8 to modified UTF-7. kInvalidArgument on invalid UTF-8.
absl::StatusOr<std::string> EncodeMutf7(std::string_view utf8);

// Modified UTF-7 to UTF-8. kInvalidArgument on malformed input: a byte
// outside printable ASCII, bad base64, a shift without its '-', non-zero
// padding bits, unpaired surrogates. An encoded printable ASCII character is
// accepted (encoders must not write one; reading it loses nothing).
absl::StatusOr<std::string> DecodeMutf7(std::string_view mutf7);

// Whether `text` is valid UTF-8 (no overlongs, no surrogates).
bool IsValidUtf8(std::string_view text);

}  // namespace mailroom::mailio

#endif  // MAILROOM_MAILIO_MUTF7_H_
