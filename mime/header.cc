#include "mime/header.h"

#include <cstring>

namespace mailroom::mime {
namespace {

bool IsWsp(char c) { return c == ' ' || c == '\t'; }

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; }

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

std::vector<HeaderField> SplitHeader(std::string_view raw, Span header) {
  std::vector<HeaderField> fields;
  if (header.offset > raw.size()) return fields;
  std::string_view block =
      raw.substr(header.offset, std::min<uint64_t>(header.size,
                                                   raw.size() - header.offset));
  size_t pos = 0;
  while (pos < block.size()) {
    // A field runs from a line not starting with WSP through every
    // continuation line.
    size_t field_start = pos;
    size_t end = pos;
    do {
      const void* nl = std::memchr(block.data() + end, '\n', block.size() - end);
      end = nl ? static_cast<const char*>(nl) - block.data() + 1 : block.size();
    } while (end < block.size() && IsWsp(block[end]));
    pos = end;
    std::string_view line = block.substr(field_start, end - field_start);
    size_t colon = line.find(':');
    // The value ends before the final line ending.
    size_t value_end = line.size();
    if (value_end > 0 && line[value_end - 1] == '\n') --value_end;
    if (value_end > 0 && line[value_end - 1] == '\r') --value_end;
    if (colon == std::string_view::npos || colon > value_end) continue;
    std::string_view name = line.substr(0, colon);
    while (!name.empty() && IsWsp(name.back())) name.remove_suffix(1);
    // "From sender date" (an mbox separator) and such are not fields.
    if (name.empty() || name.find_first_of(" \t") != std::string_view::npos)
      continue;
    fields.push_back(HeaderField{
        name, line.substr(colon + 1, value_end - colon - 1),
        Span{header.offset + field_start, end - field_start}});
  }
  return fields;
}

std::string Unfold(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c != '\r' && c != '\n') out.push_back(c);
  }
  size_t b = 0;
  while (b < out.size() && IsWsp(out[b])) ++b;
  size_t e = out.size();
  while (e > b && IsWsp(out[e - 1])) --e;
  return out.substr(b, e - b);
}

}  // namespace mailroom::mime
