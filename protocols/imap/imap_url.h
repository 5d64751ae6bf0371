// IMAP URLs (RFC 5092) naming a message or a part of one, as CATENATE
// (RFC 4469) takes them: absolute ("imap://user@host/INBOX/;UID=5"),
// network-path ("//user@host/..."), absolute-path
// ("/Drafts;UIDVALIDITY=385759045/;UID=20/;SECTION=1.2/;PARTIAL=0.1024")
// and relative forms (";UID=20/;SECTION=1", "Drafts/;UID=3").
//
// Components are percent-decoded. Mailbox names are UTF-8 (RFC 5092
// section 9); a name that is ASCII and reads as modified UTF-7 is decoded
// from it, since RFC 2192 clients still send those.
//
// Message lists, searches and URLAUTH (";EXPIRE=", ";URLAUTH=") are not
// message references here and are refused.
//
// Thread-safety: pure functions.
#ifndef MAILROOM_PROTOCOLS_IMAP_IMAP_URL_H_
#define MAILROOM_PROTOCOLS_IMAP_IMAP_URL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace mailroom::imap {

struct ImapUrl {
  // "imap://" or "//": the server part was given (user may still be absent).
  bool has_server = false;
  std::optional<std::string> user;  // enc-user, decoded
  std::string host;                 // as written, without the port
  std::optional<uint16_t> port;
  // The mailbox in UTF-8; absent for forms relative to the selected mailbox.
  std::optional<std::string> mailbox;
  std::optional<uint32_t> uidvalidity;
  std::optional<uint32_t> uid;
  std::optional<std::string> section;  // enc-section, decoded
  // ";PARTIAL=offset[.length]".
  std::optional<uint64_t> partial_offset;
  std::optional<uint64_t> partial_length;
};

// kInvalidArgument with a short reason for anything that is not one of the
// forms above (bad percent-escapes, numbers, order, unsupported parts).
absl::StatusOr<ImapUrl> ParseImapUrl(std::string_view url);

// "%41b%2F" -> "Ab/". kInvalidArgument on a malformed escape.
absl::StatusOr<std::string> PercentDecode(std::string_view text);

}  // namespace mailroom::imap

#endif  // MAILROOM_PROTOCOLS_IMAP_IMAP_URL_H_
