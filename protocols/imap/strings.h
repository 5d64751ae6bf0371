// Small string helpers. Debian's Abseil has its own absl::string_view (not
// an alias of std::string_view), so std::string_view values pass through
// AbslView() before reaching Abseil functions.
//
// Thread-safety: pure functions.
#ifndef MAILROOM_PROTOCOLS_IMAP_STRINGS_H_
#define MAILROOM_PROTOCOLS_IMAP_STRINGS_H_

#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace mailroom::imap {

inline absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

inline std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

inline bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace mailroom::imap

#endif  // MAILROOM_PROTOCOLS_IMAP_STRINGS_H_
