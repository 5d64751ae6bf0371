#include "protocols/imap/utf7.h"

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "base/utf8.h"

namespace mailroom::imap {
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

// Decodes one code point; advances `i`. Invalid sequences give U+FFFD and
// consume one byte.
uint32_t NextCodePoint(std::string_view s, size_t& i) {
  uint32_t cp = 0;
  const size_t length = base::Utf8SequenceLength(s.substr(i), &cp);
  if (length == 0) {
    ++i;
    return 0xfffd;
  }
  i += length;
  return cp;
}

void FlushShift(const std::vector<uint16_t>& units, std::string& out) {
  out.push_back('&');
  uint32_t bits = 0;
  int nbits = 0;
  for (uint16_t u : units) {
    bits = (bits << 16) | u;
    nbits += 16;
    while (nbits >= 6) {
      nbits -= 6;
      out.push_back(kBase64[(bits >> nbits) & 0x3f]);
    }
  }
  if (nbits > 0) out.push_back(kBase64[(bits << (6 - nbits)) & 0x3f]);
  out.push_back('-');
}

absl::Status Malformed() {
  return absl::InvalidArgumentError("malformed modified UTF-7 mailbox name");
}

}  // namespace

std::string EncodeMailboxUtf7(std::string_view utf8) {
  std::string out;
  std::vector<uint16_t> units;
  size_t i = 0;
  while (i < utf8.size()) {
    const uint32_t cp = NextCodePoint(utf8, i);
    if (cp >= 0x20 && cp <= 0x7e) {
      if (!units.empty()) {
        FlushShift(units, out);
        units.clear();
      }
      if (cp == '&') {
        out += "&-";
      } else {
        out.push_back(static_cast<char>(cp));
      }
      continue;
    }
    if (cp >= 0x10000) {
      const uint32_t v = cp - 0x10000;
      units.push_back(static_cast<uint16_t>(0xd800 | (v >> 10)));
      units.push_back(static_cast<uint16_t>(0xdc00 | (v & 0x3ff)));
    } else {
      units.push_back(static_cast<uint16_t>(cp));
    }
  }
  if (!units.empty()) FlushShift(units, out);
  return out;
}

absl::StatusOr<std::string> DecodeMailboxUtf7(std::string_view utf7) {
  std::string out;
  size_t i = 0;
  while (i < utf7.size()) {
    const auto c = static_cast<unsigned char>(utf7[i]);
    if (c < 0x20 || c > 0x7e) return Malformed();
    if (c != '&') {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    ++i;
    if (i < utf7.size() && utf7[i] == '-') {
      out.push_back('&');
      ++i;
      continue;
    }
    uint32_t bits = 0;
    int nbits = 0;
    uint32_t high_surrogate = 0;
    bool any = false;
    while (true) {
      if (i >= utf7.size()) return Malformed();
      const char ch = utf7[i++];
      if (ch == '-') break;
      const int v = Base64Value(ch);
      if (v < 0) return Malformed();
      bits = (bits << 6) | static_cast<uint32_t>(v);
      nbits += 6;
      if (nbits >= 16) {
        nbits -= 16;
        const uint32_t unit = (bits >> nbits) & 0xffff;
        any = true;
        if (high_surrogate != 0) {
          if (unit < 0xdc00 || unit > 0xdfff) return Malformed();
          base::AppendUtf8(0x10000 + ((high_surrogate - 0xd800) << 10) +
                               (unit - 0xdc00),
                           &out);
          high_surrogate = 0;
        } else if (unit >= 0xd800 && unit <= 0xdbff) {
          high_surrogate = unit;
        } else if (unit >= 0xdc00 && unit <= 0xdfff) {
          return Malformed();
        } else if (unit >= 0x20 && unit <= 0x7e) {
          // Printable ASCII must represent itself.
          return Malformed();
        } else {
          base::AppendUtf8(unit, &out);
        }
      }
    }
    // Leftover bits must be zero padding shorter than one base64 digit+.
    if (!any || high_surrogate != 0 || nbits >= 6 ||
        (bits & ((1u << nbits) - 1)) != 0) {
      return Malformed();
    }
  }
  return out;
}

}  // namespace mailroom::imap
