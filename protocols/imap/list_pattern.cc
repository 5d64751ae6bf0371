#include "protocols/imap/list_pattern.h"

#include <vector>

#include "protocols/imap/strings.h"

namespace mailroom::imap {
namespace {

// Upper-cases a leading "inbox" level so INBOX matches in any case.
std::string NormalizeInbox(std::string_view s, char delimiter) {
  std::string out(s);
  if (out.size() >= 5 && EqualsNoCase(std::string_view(out).substr(0, 5), "INBOX") &&
      (out.size() == 5 || out[5] == delimiter || out[5] == '*' ||
       out[5] == '%')) {
    for (size_t i = 0; i < 5; ++i) out[i] = AsciiUpper(out.substr(i, 1))[0];
  }
  return out;
}

}  // namespace

bool MatchListPattern(std::string_view raw_pattern, std::string_view raw_name,
                      char delimiter) {
  const std::string pattern = NormalizeInbox(raw_pattern, delimiter);
  const std::string name = NormalizeInbox(raw_name, delimiter);
  // can[j]: pattern[0..i) matches name[0..j).
  const size_t n = name.size();
  std::vector<char> can(n + 1, 0), next(n + 1, 0);
  can[0] = 1;
  for (char p : pattern) {
    std::fill(next.begin(), next.end(), 0);
    if (p == '*' || p == '%') {
      bool reach = false;
      for (size_t j = 0; j <= n; ++j) {
        if (can[j]) reach = true;
        next[j] = reach;
        if (p == '%' && j < n && name[j] == delimiter) reach = false;
      }
    } else {
      for (size_t j = 0; j < n; ++j) {
        if (can[j] && name[j] == p) next[j + 1] = 1;
      }
    }
    can.swap(next);
  }
  return can[n] != 0;
}

std::string CombineReference(std::string_view reference,
                             std::string_view pattern, char delimiter) {
  if (reference.empty()) return std::string(pattern);
  if (!pattern.empty() && pattern[0] == delimiter) return std::string(pattern);
  std::string out(reference);
  out.append(pattern.data(), pattern.size());
  return out;
}

}  // namespace mailroom::imap
