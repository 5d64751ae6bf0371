// Small ASCII string helpers over std::string_view. (The system Abseil's
// string_view is a distinct type, so its helpers do not take ours.)
#ifndef MAILROOM_SIEVE_TEXT_H_
#define MAILROOM_SIEVE_TEXT_H_

#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"

namespace mailroom::sieve {

namespace text_internal {
inline void Append(std::string* out, std::string_view s) { out->append(s); }
inline void Append(std::string* out, const char* s) { out->append(s); }
inline void Append(std::string* out, const std::string& s) { out->append(s); }
inline void Append(std::string* out, absl::string_view s) { out->append(s.data(), s.size()); }
template <typename T>
  requires std::is_integral_v<T>
void Append(std::string* out, T value) {
  out->append(std::to_string(value));
}
}  // namespace text_internal

// Concatenates strings, string views and integers.
template <typename... Args>
std::string Cat(const Args&... args) {
  std::string out;
  (text_internal::Append(&out, args), ...);
  return out;
}

inline absl::string_view AsAbsl(std::string_view s) { return {s.data(), s.size()}; }

inline std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = absl::ascii_tolower(c);
  return out;
}

inline std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = absl::ascii_toupper(c);
  return out;
}

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (absl::ascii_tolower(a[i]) != absl::ascii_tolower(b[i])) return false;
  }
  return true;
}

inline bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

inline std::string_view Strip(std::string_view s) {
  while (!s.empty() && absl::ascii_isspace(s.front())) s.remove_prefix(1);
  while (!s.empty() && absl::ascii_isspace(s.back())) s.remove_suffix(1);
  return s;
}

// Pieces of `s` between any of `separators`; empty pieces dropped when
// `skip_empty`.
inline std::vector<std::string_view> Split(std::string_view s, std::string_view separators,
                                           bool skip_empty) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || separators.find(s[i]) != std::string_view::npos) {
      if (!skip_empty || i > start) out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

}  // namespace mailroom::sieve

#endif  // MAILROOM_SIEVE_TEXT_H_
