// The bookkeeping headers mail programs keep in an mbox file, which are not
// part of the message: Status (R \Seen; O old, no flag), X-Status
// (A \Answered, F \Flagged, T \Draft, D \Deleted), X-Keywords (keywords,
// separated by spaces or commas), X-UID, X-IMAPbase ("<uidvalidity>
// <uidnext> [keywords]", in the first message), X-IMAP (the same, in a
// pseudo message that only holds folder data) and Content-Length.
//
// Thread-safety: pure functions, safe to call concurrently.
#ifndef MAILROOM_MAILIO_MBOX_METADATA_H_
#define MAILROOM_MAILIO_MBOX_METADATA_H_

#include <cstdint>
#include <optional>
#include <string>

#include "store/types.h"

namespace mailroom::mailio {

struct MboxMetadata {
  store::Flags flags;
  std::optional<store::Uid> uid;           // X-UID
  std::optional<uint32_t> uidvalidity;     // X-IMAPbase / X-IMAP
  std::optional<store::Uid> next_uid;      // X-IMAPbase / X-IMAP
  // X-IMAP: the message only carries folder data (UW-IMAP's "DON'T DELETE
  // THIS MESSAGE -- FOLDER INTERNAL DATA") and is not mail.
  bool pseudo = false;
};

// Removes the bookkeeping headers (with their continuation lines) from the
// header section of `message` (CRLF line ends) and returns what they said.
// Malformed values are ignored (the header is still removed).
MboxMetadata ExtractMboxMetadata(std::string* message);

// The bookkeeping headers for one message, LF line ends: Status, X-Status
// (when a flag needs it), X-Keywords (when there are keywords), X-UID, and
// X-IMAPbase when `uidvalidity` is given (the first message of the file).
std::string FormatMboxMetadata(const store::Flags& flags, store::Uid uid,
                               std::optional<uint32_t> uidvalidity,
                               store::Uid next_uid);

}  // namespace mailroom::mailio

#endif  // MAILROOM_MAILIO_MBOX_METADATA_H_
