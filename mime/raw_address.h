// RFC 5322 address lists as written (no RFC 2047 decoding), for IMAP's
// ENVELOPE, which sends names undecoded; ParseAddressList in mime/text.h
// decodes on top of this.
//
// Thread-safety: free functions; safe to call concurrently.
#ifndef MAILROOM_MIME_RAW_ADDRESS_H_
#define MAILROOM_MIME_RAW_ADDRESS_H_

#include <string>
#include <string_view>
#include <vector>

namespace mailroom::mime {

struct RawAddress {
  enum class Kind { kMailbox, kGroupStart, kGroupEnd };
  Kind kind = Kind::kMailbox;
  // Display name (kMailbox) or group name (kGroupStart): words joined as
  // written, quoted strings unquoted, comments dropped; encoded words kept.
  // For "addr (Comment)" with no display name, the comment.
  std::string name;
  std::string route;    // obsolete source route, e.g. "@a.example,@b.example"
  std::string mailbox;  // local part, unquoted
  std::string host;     // domain; empty when the address has none
};

// Parses an address-list (or mailbox-list) header value. Tolerant: missing
// '@', unbalanced quotes or brackets, stray separators and obsolete syntax
// yield the best-effort addresses; never fails. Groups come as kGroupStart,
// their members, kGroupEnd (always balanced).
std::vector<RawAddress> ParseRawAddressList(std::string_view value);

}  // namespace mailroom::mime

#endif  // MAILROOM_MIME_RAW_ADDRESS_H_
