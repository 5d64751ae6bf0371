// Modified UTF-7 (RFC 3501 section 5.1.3), the encoding of IMAP mailbox
// names unless UTF8=ACCEPT or IMAP4rev2 is in effect.
#ifndef MAILROOM_MIGRATE_MUTF7_H_
#define MAILROOM_MIGRATE_MUTF7_H_

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace mailroom::migrate {

// UTF-8 from modified UTF-7; an error for malformed input.
absl::StatusOr<std::string> DecodeModifiedUtf7(absl::string_view in);

}  // namespace mailroom::migrate

#endif  // MAILROOM_MIGRATE_MUTF7_H_
