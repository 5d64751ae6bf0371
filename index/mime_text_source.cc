#include "index/folded_text.h"
#include "mime/message.h"
#include "mime/text.h"

namespace mailroom::index {

namespace {

FoldedText ExtractFolded(std::string_view raw) {
  const mime::Message message = mime::Parse(raw);
  mime::ExtractedText text = mime::ExtractText(message, raw);
  FoldedText out;
  out.headers.reserve(text.headers.size());
  for (auto& [name, value] : text.headers) {
    if (name == "date" && !out.date.has_value()) {
      if (auto date = mime::ParseDate(value)) out.date = date->unix_seconds;
    }
    out.headers.emplace_back(std::move(name), mime::SearchFold(value));
  }
  out.body = mime::SearchFold(text.body);
  for (const std::string& name : text.attachment_names) {
    out.attachment_names.push_back(mime::SearchFold(name));
  }
  return out;
}

}  // namespace

TextSource MimeTextSource() {
  return TextSource{
      .extract = ExtractFolded,
      .fold = [](std::string_view utf8) { return mime::SearchFold(utf8); },
  };
}

}  // namespace mailroom::index
