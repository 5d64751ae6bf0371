#include "migrate/mutf7.h"

#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"

namespace mailroom::migrate {
namespace {

// The modified base64 alphabet uses ',' where base64 uses '/'.
int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

absl::StatusOr<std::string> DecodeModifiedUtf7(absl::string_view in) {
  std::string out;
  size_t i = 0;
  while (i < in.size()) {
    const char c = in[i];
    if (c != '&') {
      out.push_back(c);
      ++i;
      continue;
    }
    const size_t end = in.find('-', i + 1);
    if (end == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("unterminated modified UTF-7 in mailbox name ", in));
    }
    if (end == i + 1) {  // "&-" is "&"
      out.push_back('&');
      i = end + 1;
      continue;
    }
    // Base64 of UTF-16BE.
    std::vector<uint16_t> units;
    uint32_t bits = 0;
    int nbits = 0;
    for (size_t j = i + 1; j < end; ++j) {
      const int v = Base64Value(in[j]);
      if (v < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("bad modified UTF-7 in mailbox name ", in));
      }
      bits = (bits << 6) | static_cast<uint32_t>(v);
      nbits += 6;
      if (nbits >= 16) {
        nbits -= 16;
        units.push_back(static_cast<uint16_t>((bits >> nbits) & 0xFFFF));
      }
    }
    for (size_t k = 0; k < units.size(); ++k) {
      uint32_t cp = units[k];
      if (cp >= 0xD800 && cp < 0xDC00 && k + 1 < units.size() &&
          units[k + 1] >= 0xDC00 && units[k + 1] < 0xE000) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (units[k + 1] - 0xDC00);
        ++k;
      }
      AppendUtf8(cp, &out);
    }
    i = end + 1;
  }
  return out;
}

}  // namespace mailroom::migrate
