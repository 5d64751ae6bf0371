// The searchable text of one message, already folded for IMAP's comparator,
// and how the index obtains it. Kept apart from mime/ so the index can be
// tested with any text source.
//
// Thread-safety: plain values; a TextSource's functions must be safe to call
// concurrently.
#ifndef MAILROOM_INDEX_FOLDED_TEXT_H_
#define MAILROOM_INDEX_FOLDED_TEXT_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailroom::index {

struct FoldedText {
  // Top-level header fields in order: lower-case name, folded decoded value.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // folded decoded text of every text part
  std::vector<std::string> attachment_names;  // folded
  std::optional<int64_t> date;  // Date: header, seconds since the epoch
  int32_t date_tz_minutes = 0;  // the zone it was written in, east of UTC
};

struct TextSource {
  // Decodes and folds a raw RFC 5322 message. Never fails.
  std::function<FoldedText(std::string_view raw)> extract;
  // The same from the message's stored structure (the store's encoding of
  // the parse done at append), so the body is not parsed again. Optional;
  // falls back to a parse when the encoding is not understood.
  std::function<FoldedText(std::string_view raw, std::string_view structure)>
      extract_stored;
  // The comparator's folding (i;unicode-casemap) of a search key.
  std::function<std::string(std::string_view utf8)> fold;
};

// The production source: index/mime_text.h (mime::ExtractText and
// mime::SearchFold, from the stored structure when there is one).
TextSource MimeTextSource();

}  // namespace mailroom::index

#endif  // MAILROOM_INDEX_FOLDED_TEXT_H_
