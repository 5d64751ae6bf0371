// Differential variant: the production index (OpenXapianIndex, text from
// mime/) against a scan that decodes every message with mime/ directly.
#include "index/xapian_index.h"
#include "mime/message.h"
#include "mime/text.h"
#include "tests/index/differential_variant.h"

namespace mailroom::index::testing {

absl::StatusOr<std::shared_ptr<store::TextIndex>> OpenIndexUnderTest(
    const std::string& root) {
  return OpenXapianIndex(root);
}

BruteDoc BruteExtract(std::string_view raw) {
  const mime::ExtractedText text = mime::ExtractText(mime::Parse(raw), raw);
  BruteDoc doc;
  for (const auto& [name, value] : text.headers) {
    doc.headers.emplace_back(name, mime::SearchFold(value));
    doc.unfolded_values.push_back(value);
  }
  doc.body = mime::SearchFold(text.body);
  doc.unfolded_body = text.body;
  return doc;
}

std::string BruteFold(std::string_view text) { return mime::SearchFold(text); }

// The production index decodes from the structure parsed at append.
std::shared_ptr<const std::string> StoredStructure(std::string_view raw) {
  return std::make_shared<const std::string>(mime::Serialize(mime::Parse(raw)));
}

int QueryCount() { return 1500; }

}  // namespace mailroom::index::testing
