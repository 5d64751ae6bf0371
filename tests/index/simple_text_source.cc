#include "tests/index/simple_text_source.h"

#include "absl/strings/ascii.h"

namespace mailroom::index::testing {

namespace {

std::string Fold(std::string_view s) {
  return absl::AsciiStrToLower(std::string(s));
}

FoldedText Extract(std::string_view raw) {
  FoldedText out;
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t eol = raw.find('\n', pos);
    if (eol == std::string_view::npos) eol = raw.size();
    std::string_view line = raw.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = eol + 1;
    if (line.empty()) break;
    if ((line[0] == ' ' || line[0] == '\t') && !out.headers.empty()) {
      out.headers.back().second += Fold(line);
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value[0] == ' ' || value[0] == '\t')) {
      value.remove_prefix(1);
    }
    out.headers.emplace_back(Fold(line.substr(0, colon)), Fold(value));
  }
  if (pos < raw.size()) out.body = Fold(raw.substr(pos));
  return out;
}

}  // namespace

TextSource SimpleTextSource() {
  return TextSource{.extract = Extract, .fold = Fold};
}

}  // namespace mailroom::index::testing
