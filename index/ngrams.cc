#include "index/ngrams.h"

#include "absl/container/flat_hash_set.h"

namespace mailroom::index {

namespace {

bool IsContinuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Byte offsets of every code point start, plus utf8.size() at the end.
std::vector<size_t> CodePointStarts(std::string_view utf8) {
  std::vector<size_t> starts;
  starts.reserve(utf8.size() + 1);
  for (size_t i = 0; i < utf8.size(); ++i) {
    if (!IsContinuation(utf8[i]) || i == 0) starts.push_back(i);
  }
  starts.push_back(utf8.size());
  return starts;
}

std::vector<std::string_view> Collect(std::string_view utf8,
                                      size_t min_length, size_t max_length) {
  std::vector<std::string_view> out;
  if (utf8.empty()) return out;
  const std::vector<size_t> starts = CodePointStarts(utf8);
  const size_t count = starts.size() - 1;
  absl::flat_hash_set<std::string_view> seen;
  seen.reserve(count * (max_length - min_length + 1) / 2 + 16);
  for (size_t i = 0; i < count; ++i) {
    for (size_t n = min_length; n <= max_length && i + n <= count; ++n) {
      std::string_view gram = utf8.substr(starts[i], starts[i + n] - starts[i]);
      if (seen.insert(gram).second) out.push_back(gram);
    }
  }
  return out;
}

}  // namespace

size_t CountCodePoints(std::string_view utf8) {
  size_t n = 0;
  for (size_t i = 0; i < utf8.size(); ++i) {
    n += (!IsContinuation(utf8[i]) || i == 0) ? 1 : 0;
  }
  return n;
}

std::vector<std::string_view> DistinctGrams(std::string_view utf8,
                                            size_t max_length) {
  return Collect(utf8, 1, max_length);
}

std::vector<std::string_view> DistinctGramsOfLength(std::string_view utf8,
                                                    size_t length) {
  return Collect(utf8, length, length);
}

}  // namespace mailroom::index
