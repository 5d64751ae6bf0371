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

// Replaces each run of wildcards by one: a run with a "*" matches what "*"
// matches, a run of "%" what "%" matches. The result has at most one
// wildcard per literal character (plus one), which bounds the matching work
// by the name's length however many wildcards the client sent.
std::string CollapseWildcards(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size());
  for (char c : pattern) {
    const bool wild = c == '*' || c == '%';
    if (wild && !out.empty() && (out.back() == '*' || out.back() == '%')) {
      if (c == '*') out.back() = '*';
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

bool MatchListPattern(std::string_view raw_pattern, std::string_view raw_name,
                      char delimiter) {
  const std::string pattern =
      CollapseWildcards(NormalizeInbox(raw_pattern, delimiter));
  const std::string name = NormalizeInbox(raw_name, delimiter);
  const size_t n = name.size();
  // Each literal character consumes one of the name's.
  size_t literals = 0;
  for (char p : pattern) literals += p != '*' && p != '%';
  if (literals > n) return false;
  // can[j]: pattern[0..i) matches name[0..j). O(pattern x name), no
  // backtracking.
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
