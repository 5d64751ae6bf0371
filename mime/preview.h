// Message previews (RFC 8970): up to 256 characters of a message's first
// text part, decoded to UTF-8, for a client's message list.
//
// A preview is made from a prefix of one part's body, read by range from
// the stored message with the offsets of the cached structure, so a large
// message costs at most PreviewReadBytes() of its body, never a parse.
// Broken MIME, unknown charsets and truncated encodings give a best-effort
// preview (undecodable bytes replaced), never an error.
//
// Thread-safety: free functions on values.
#ifndef MAILROOM_MIME_PREVIEW_H_
#define MAILROOM_MIME_PREVIEW_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "mime/message.h"

namespace mailroom::mime {

inline constexpr size_t kPreviewMaxChars = 256;

// The part a preview comes from: the first text/plain leaf that is not an
// attachment, else the first such text/html leaf (encapsulated messages
// are not looked into); nullptr when the message has none.
const Part* PreviewPart(const Message& message);

// How many bytes of `part`'s body PreviewText needs at most: HTML may
// start with a long style block before any text.
uint64_t PreviewReadBytes(const Part& part);

// The preview of `part` from the first bytes of its (still encoded) body:
// transfer encoding and charset decoded, HTML turned into text, control
// characters and runs of whitespace collapsed to one space, trimmed, and
// cut to kPreviewMaxChars characters. `truncated` says the body goes on
// after `body_prefix`, so a character cut in half at its end is dropped.
std::string PreviewText(const Part& part, std::string_view body_prefix,
                        bool truncated);

}  // namespace mailroom::mime

#endif  // MAILROOM_MIME_PREVIEW_H_
