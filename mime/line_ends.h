// Line ends of stored messages. Messages are stored byte for byte, so one
// imported with bare LF line ends keeps them; protocols that must send CRLF
// (POP3) need the size of the message as sent.
//
// Thread-safety: free functions on values.
#ifndef MAILROOM_MIME_LINE_ENDS_H_
#define MAILROOM_MIME_LINE_ENDS_H_

#include <cstdint>
#include <string_view>

namespace mailroom::mime {

// Octets of `raw` with every line end as CRLF: an LF, with or without a CR
// before it, counts two; a CR that ends the message counts as the missing
// line end; and a message that does not end in a line end gets one. Equal
// to raw.size() for a message with CRLF line ends that ends in CRLF.
uint64_t CrlfSize(std::string_view raw);

}  // namespace mailroom::mime

#endif  // MAILROOM_MIME_LINE_ENDS_H_
