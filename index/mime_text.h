// The searchable text of a message as mime/ decodes it: every header field
// RFC 2047-decoded, every text part decoded from its transfer encoding and
// charset (HTML as text), attachment names; all folded with
// i;unicode-casemap (mime::SearchFold). The one decoding both the index and
// the store's scan use.
//
// Thread-safety: pure functions.
#ifndef MAILROOM_INDEX_MIME_TEXT_H_
#define MAILROOM_INDEX_MIME_TEXT_H_

#include <string_view>

#include "index/folded_text.h"
#include "mime/message.h"

namespace mailroom::index {

// From a structure parsed earlier (the store keeps the one parsed at
// append). REQUIRES: `structure` describes `raw`.
FoldedText FoldMessage(const mime::Message& structure, std::string_view raw);

// Parses `raw` first.
FoldedText FoldMessage(std::string_view raw);

// From the store's serialized structure (mime::Serialize); parses `raw`
// when the encoding is not understood or describes another size of message.
FoldedText FoldStoredMessage(std::string_view raw, std::string_view structure);

}  // namespace mailroom::index

#endif  // MAILROOM_INDEX_MIME_TEXT_H_
