#include "mailio/mutf7.h"

#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/utf8.h"

namespace mailroom::mailio {
namespace {

constexpr char kBase64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

bool IsPrintableAscii(unsigned char c) { return c >= 0x20 && c <= 0x7e; }

// Decodes one UTF-8 code point at text[*i]; advances *i. -1 when invalid.
int32_t NextCodePoint(std::string_view text, size_t* i) {
  uint32_t cp = 0;
  const size_t length = base::Utf8SequenceLength(text.substr(*i), &cp);
  if (length == 0) return -1;
  *i += length;
  return static_cast<int32_t>(cp);
}

// Writes UTF-16 units as modified base64 between '&' and '-'.
void FlushShifted(std::vector<uint16_t>* units, std::string* out) {
  if (units->empty()) return;
  out->push_back('&');
  uint32_t bits = 0;
  int count = 0;
  for (uint16_t unit : *units) {
    bits = (bits << 16) | unit;
    count += 16;
    while (count >= 6) {
      count -= 6;
      out->push_back(kBase64[(bits >> count) & 0x3f]);
    }
  }
  if (count > 0) out->push_back(kBase64[(bits << (6 - count)) & 0x3f]);
  out->push_back('-');
  units->clear();
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    if (NextCodePoint(text, &i) < 0) return false;
  }
  return true;
}

absl::StatusOr<std::string> EncodeMutf7(std::string_view utf8) {
  std::string out;
  std::vector<uint16_t> shifted;
  for (size_t i = 0; i < utf8.size();) {
    const int32_t cp = NextCodePoint(utf8, &i);
    if (cp < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("not valid UTF-8 at byte ", i, " of a folder name"));
    }
    if (cp >= 0x20 && cp <= 0x7e) {
      FlushShifted(&shifted, &out);
      out.push_back(static_cast<char>(cp));
      if (cp == '&') out.push_back('-');
      continue;
    }
    if (cp >= 0x10000) {
      const int32_t v = cp - 0x10000;
      shifted.push_back(static_cast<uint16_t>(0xd800 | (v >> 10)));
      shifted.push_back(static_cast<uint16_t>(0xdc00 | (v & 0x3ff)));
    } else {
      shifted.push_back(static_cast<uint16_t>(cp));
    }
  }
  FlushShifted(&shifted, &out);
  return out;
}

absl::StatusOr<std::string> DecodeMutf7(std::string_view mutf7) {
  std::string out;
  for (size_t i = 0; i < mutf7.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(mutf7[i]);
    if (!IsPrintableAscii(c)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "modified UTF-7: byte ", i, " is not printable ASCII"));
    }
    if (c != '&') {
      out.push_back(static_cast<char>(c));
      continue;
    }
    const size_t end = mutf7.find('-', i + 1);
    if (end == std::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("modified UTF-7: '&' at byte ", i, " has no '-'"));
    }
    if (end == i + 1) {  // "&-" is '&'
      out.push_back('&');
      i = end;
      continue;
    }
    uint32_t bits = 0;
    int count = 0;
    uint16_t high_surrogate = 0;
    for (size_t k = i + 1; k < end; ++k) {
      const int value = Base64Value(mutf7[k]);
      if (value < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "modified UTF-7: bad base64 character at byte ", k));
      }
      bits = (bits << 6) | static_cast<uint32_t>(value);
      count += 6;
      if (count < 16) continue;
      count -= 16;
      const uint16_t unit = static_cast<uint16_t>((bits >> count) & 0xffff);
      bits &= (1u << count) - 1;
      if (high_surrogate != 0) {
        if (unit < 0xdc00 || unit > 0xdfff) {
          return absl::InvalidArgumentError(
              "modified UTF-7: unpaired surrogate");
        }
        base::AppendUtf8(0x10000 + ((high_surrogate - 0xd800) << 10) +
                             (unit - 0xdc00),
                         &out);
        high_surrogate = 0;
      } else if (unit >= 0xd800 && unit <= 0xdbff) {
        high_surrogate = unit;
      } else if (unit >= 0xdc00 && unit <= 0xdfff) {
        return absl::InvalidArgumentError("modified UTF-7: unpaired surrogate");
      } else {
        base::AppendUtf8(unit, &out);
      }
    }
    if (high_surrogate != 0) {
      return absl::InvalidArgumentError("modified UTF-7: unpaired surrogate");
    }
    if (count >= 6 || bits != 0) {
      return absl::InvalidArgumentError(
          "modified UTF-7: the base64 run does not end on a character");
    }
    i = end;
  }
  return out;
}

}  // namespace mailroom::mailio
