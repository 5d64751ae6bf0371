#include <optional>

#include "index/folded_text.h"
#include "index/mime_text.h"
#include "mime/message.h"
#include "mime/text.h"

namespace mailroom::index {

FoldedText FoldMessage(const mime::Message& structure, std::string_view raw) {
  mime::ExtractedText text = mime::ExtractText(structure, raw);
  FoldedText out;
  out.headers.reserve(text.headers.size());
  for (auto& [name, value] : text.headers) {
    if (name == "date" && !out.date.has_value()) {
      if (auto date = mime::ParseDate(value)) {
        out.date = date->unix_seconds;
        out.date_tz_minutes = date->tz_minutes;
      }
    }
    out.headers.emplace_back(std::move(name), mime::SearchFold(value));
  }
  out.body = mime::SearchFold(text.body);
  for (const std::string& name : text.attachment_names) {
    out.attachment_names.push_back(mime::SearchFold(name));
  }
  return out;
}

FoldedText FoldMessage(std::string_view raw) {
  return FoldMessage(mime::Parse(raw), raw);
}

FoldedText FoldStoredMessage(std::string_view raw, std::string_view structure) {
  // A structure of another message would give wrong offsets: its size must
  // be this message's.
  std::optional<mime::Message> message = mime::Deserialize(structure);
  if (!message.has_value() || message->size != raw.size()) {
    return FoldMessage(raw);
  }
  return FoldMessage(*message, raw);
}

TextSource MimeTextSource() {
  return TextSource{
      .extract = [](std::string_view raw) { return FoldMessage(raw); },
      .extract_stored = FoldStoredMessage,
      .fold = [](std::string_view utf8) { return mime::SearchFold(utf8); },
  };
}

}  // namespace mailroom::index
