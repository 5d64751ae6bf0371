// RFC 5256 section 2.1: the base subject used by SORT and THREAD.
#include <string>
#include <string_view>

#include "mime/text.h"

namespace mailroom::mime {
namespace {

bool IsWsp(char c) { return c == ' ' || c == '\t'; }

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; }

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (Lower(s[i]) != prefix[i]) return false;
  }
  return true;
}

bool EndsWithIgnoreCase(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         StartsWithIgnoreCase(s.substr(s.size() - suffix.size()), suffix);
}

// subj-blob = "[" *BLOBCHAR "]" *WSP; returns its length at s[0], or 0.
size_t BlobLength(std::string_view s) {
  if (s.empty() || s[0] != '[') return 0;
  size_t i = 1;
  while (i < s.size() && s[i] != '[' && s[i] != ']') ++i;
  if (i >= s.size() || s[i] != ']') return 0;
  ++i;
  while (i < s.size() && IsWsp(s[i])) ++i;
  return i;
}

// subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"; length or 0.
size_t RefwdLength(std::string_view s) {
  size_t i;
  if (StartsWithIgnoreCase(s, "re")) {
    i = 2;
  } else if (StartsWithIgnoreCase(s, "fwd")) {
    i = 3;
  } else if (StartsWithIgnoreCase(s, "fw")) {
    i = 2;
  } else {
    return 0;
  }
  while (i < s.size() && IsWsp(s[i])) ++i;
  i += BlobLength(s.substr(i));
  if (i < s.size() && s[i] == ':') return i + 1;
  return 0;
}

// subj-leader = (*subj-blob subj-refwd) / WSP; length or 0.
size_t LeaderLength(std::string_view s) {
  if (!s.empty() && IsWsp(s[0])) return 1;
  size_t i = 0;
  while (size_t blob = BlobLength(s.substr(i))) i += blob;
  size_t refwd = RefwdLength(s.substr(i));
  return refwd ? i + refwd : 0;
}

}  // namespace

std::string BaseSubject(std::string_view decoded_subject) {
  // (1) Tabs and line breaks become spaces, runs of spaces one space.
  std::string s;
  s.reserve(decoded_subject.size());
  for (char c : decoded_subject) {
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
    if (c == ' ' && !s.empty() && s.back() == ' ') continue;
    s.push_back(c);
  }
  std::string_view v = s;
  while (true) {
    // (2) Trailers: "(fwd)" and whitespace.
    while (true) {
      if (!v.empty() && IsWsp(v.back())) {
        v.remove_suffix(1);
      } else if (EndsWithIgnoreCase(v, "(fwd)")) {
        v.remove_suffix(5);
      } else {
        break;
      }
    }
    // (3)-(5) Leaders and blobs, as long as something is removed.
    while (true) {
      bool changed = false;
      while (size_t n = LeaderLength(v)) {
        v.remove_prefix(n);
        changed = true;
      }
      // Step (4) once per pass would rescan the remaining blobs each time;
      // removing them all at once is equivalent (a leader failed to match
      // after k blobs fails after fewer too) and linear.
      while (true) {
        size_t blob = BlobLength(v);
        if (blob == 0 || blob >= v.size()) break;
        v.remove_prefix(blob);
        changed = true;
      }
      if (!changed) break;
    }
    // (6) "[fwd: ... ]" wrapping: unwrap and start again.
    if (StartsWithIgnoreCase(v, "[fwd:") && !v.empty() && v.back() == ']') {
      v = v.substr(5, v.size() - 6);
      continue;
    }
    break;
  }
  return std::string(v);
}

}  // namespace mailroom::mime
