#include "index/ngrams.h"

#include "absl/container/flat_hash_set.h"
#include "index/schema.h"

namespace mailroom::index {

namespace {

bool IsContinuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

size_t NextCodePoint(std::string_view s, size_t i) {
  ++i;
  while (i < s.size() && IsContinuation(s[i])) ++i;
  return i;
}

}  // namespace

size_t CountCodePoints(std::string_view utf8) {
  size_t n = 0;
  for (char c : utf8) n += IsContinuation(c) ? 0 : 1;
  return n;
}

std::vector<std::string_view> DistinctGrams(std::string_view utf8) {
  // [start, end) always spans kGramLength code points.
  std::vector<std::string_view> out;
  if (utf8.size() < kGramLength) return out;
  absl::flat_hash_set<std::string_view> seen;
  seen.reserve(utf8.size() / 2);
  size_t start = 0;
  size_t end = 0;
  for (int k = 0; k < kGramLength && end < utf8.size(); ++k) {
    end = NextCodePoint(utf8, end);
    if (k < kGramLength - 1 && end >= utf8.size()) return out;
  }
  while (true) {
    std::string_view gram = utf8.substr(start, end - start);
    if (seen.insert(gram).second) out.push_back(gram);
    if (end >= utf8.size()) break;
    start = NextCodePoint(utf8, start);
    end = NextCodePoint(utf8, end);
  }
  return out;
}

}  // namespace mailroom::index
