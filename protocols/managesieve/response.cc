#include "protocols/managesieve/response.h"

#include "absl/strings/str_cat.h"
#include "protocols/managesieve/command_parser.h"

namespace mailroom::managesieve {

std::string EncodeString(std::string_view value) {
  // Counted with escapes, so a client that limits the octets between the
  // quotes accepts it.
  size_t quoted_size = 0;
  bool quotable = true;
  for (size_t i = 0; quotable && i < value.size(); ++i) {
    const char c = value[i];
    quotable = c != '\0' && c != '\r' && c != '\n';
    quoted_size += (c == '"' || c == '\\') ? 2 : 1;
  }
  quotable = quotable && quoted_size <= kMaxQuotedBytes;
  if (!quotable) {
    return absl::StrCat("{", value.size(), "}\r\n",
                        absl::string_view(value.data(), value.size()));
  }
  std::string out;
  out.reserve(value.size() + 2);
  out.push_back('"');
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string StatusLine(std::string_view status, std::string_view code,
                       std::string_view text) {
  std::string out(status);
  if (!code.empty()) {
    absl::StrAppend(&out, " (", absl::string_view(code.data(), code.size()),
                    ")");
  }
  if (!text.empty()) absl::StrAppend(&out, " ", EncodeString(text));
  out.append("\r\n");
  return out;
}

}  // namespace mailroom::managesieve
