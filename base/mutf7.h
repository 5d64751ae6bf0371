// The one modified UTF-7 codec (RFC 3501 section 5.1.3): mailbox names of
// IMAP4rev1 clients, and folder names in Maildir++ directories and in the
// LIST replies of servers migrated from. Names are UTF-8 everywhere else.
//
// Thread-safety: pure functions, safe to call concurrently.
#ifndef MAILROOM_BASE_MUTF7_H_
#define MAILROOM_BASE_MUTF7_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace mailroom::base {

// UTF-8 to modified UTF-7, in the one canonical form: printable ASCII as
// itself ('&' as "&-"), everything else in the fewest base64 runs with zero
// padding bits. kInvalidArgument on invalid UTF-8.
absl::StatusOr<std::string> EncodeMutf7(std::string_view utf8);

enum class Mutf7Decoding {
  // Names from clients: only what EncodeMutf7 writes is accepted (RFC 3501
  // "MUST NOT" forms included), so one mailbox has one spelling on the wire.
  kStrict,
  // Names other software wrote (Maildir++ directories, a migrated server's
  // LIST): also printable ASCII inside a base64 run (Dovecot and Courier
  // store '.' as "&AC4-") and adjacent runs ("&AOQ-&APY-"). What cannot be
  // decoded at all is still refused.
  kLenient,
};

// Modified UTF-7 to UTF-8. kInvalidArgument, with a message that starts
// "modified UTF-7" and names the offending byte, on: a byte that is not
// printable ASCII, '&' without its closing '-', a bad base64 character, a
// run that ends inside a character or with non-zero padding bits, an
// unpaired surrogate; with kStrict also on encoded printable ASCII and on
// adjacent runs.
absl::StatusOr<std::string> DecodeMutf7(std::string_view mutf7,
                                        Mutf7Decoding decoding);

}  // namespace mailroom::base

#endif  // MAILROOM_BASE_MUTF7_H_
