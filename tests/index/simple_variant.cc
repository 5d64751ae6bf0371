// Differential variant: the simple text source on both sides, so failures
// point at the index itself.
#include "index/xapian_text_index.h"
#include "tests/index/differential_variant.h"
#include "tests/index/simple_text_source.h"

namespace mailroom::index::testing {

absl::StatusOr<std::shared_ptr<store::TextIndex>> OpenIndexUnderTest(
    const std::string& root) {
  return OpenXapianTextIndex(root, SimpleTextSource());
}

BruteDoc BruteExtract(std::string_view raw) {
  FoldedText text = SimpleTextSource().extract(raw);
  BruteDoc doc{std::move(text.headers), std::move(text.body), {}, {}};
  for (const auto& header : doc.headers) {
    doc.unfolded_values.push_back(header.second);
  }
  doc.unfolded_body = doc.body;
  return doc;
}

std::string BruteFold(std::string_view text) {
  return SimpleTextSource().fold(text);
}

// Undecoded bodies (base64 and all) make this variant slow to verify; the
// mime variant runs the full count.
int QueryCount() { return 250; }

std::shared_ptr<const std::string> StoredStructure(std::string_view) {
  return nullptr;
}

}  // namespace mailroom::index::testing
