// Small string helpers on std::string_view. Debian's Abseil is built with its
// own absl::string_view (not an alias of std::string_view), so absl string
// functions do not accept std::string_view directly.
#ifndef MAILROOM_STORE_INTERNAL_STRINGS_H_
#define MAILROOM_STORE_INTERNAL_STRINGS_H_

#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace mailroom::store::internal {

inline absl::string_view Av(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

inline char LowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string ToLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

inline bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace mailroom::store::internal

#endif  // MAILROOM_STORE_INTERNAL_STRINGS_H_
