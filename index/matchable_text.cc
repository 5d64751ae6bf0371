#include "index/matchable_text.h"

#include <string.h>

namespace mailroom::index {

bool FoldedContains(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  // memmem's arguments must not be null, and an empty view's data() may be.
  if (haystack.size() < needle.size()) return false;
  return memmem(haystack.data(), haystack.size(), needle.data(),
                needle.size()) != nullptr;
}

InMemoryText::InMemoryText(const FoldedText& text) : text_(text) {
  headers_.reserve(text.headers.size());
  for (const auto& [name, value] : text.headers) {
    headers_.emplace_back(name, value);
  }
}

absl::StatusOr<bool> InMemoryText::BodyContains(std::string_view needle) {
  return FoldedContains(text_.body, needle);
}

}  // namespace mailroom::index
