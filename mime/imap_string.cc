#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "mime/imap.h"

namespace mailroom::mime {
namespace {

// Longer values go out as literals: some clients limit quoted strings.
constexpr size_t kMaxQuoted = 1000;

bool CanQuote(std::string_view s) {
  if (s.size() > kMaxQuoted) return false;
  for (unsigned char c : s) {
    if (c >= 0x80 || c == '\r' || c == '\n' || c == 0) return false;
  }
  return true;
}

}  // namespace

std::string ImapString(std::string_view s) {
  if (CanQuote(s)) {
    std::string out;
    out.reserve(s.size() + 2);
    out.push_back('"');
    for (char c : s) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
    return out;
  }
  std::string bytes;
  bytes.reserve(s.size());
  for (char c : s) {
    if (c != '\0') bytes.push_back(c);
  }
  if (CanQuote(bytes)) return ImapString(bytes);
  return absl::StrCat("{", bytes.size(), "}\r\n", bytes);
}

std::string ImapNString(const std::optional<std::string>& s) {
  return s ? ImapString(*s) : "NIL";
}

}  // namespace mailroom::mime
