#include "protocols/pop3/message_lines.h"

namespace mailroom::pop3 {

uint64_t WireSize(std::string_view raw) {
  // Mirrors AppendMultiline: each line without its CR, plus CRLF.
  uint64_t size = 0;
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t nl = raw.find('\n', pos);
    size_t end = nl == std::string_view::npos ? raw.size() : nl;
    if (end > pos && raw[end - 1] == '\r') --end;
    size += end - pos + 2;
    pos = nl == std::string_view::npos ? raw.size() : nl + 1;
  }
  return size;
}

void AppendMultiline(std::string_view raw, std::optional<uint64_t> body_lines,
                     std::string* out) {
  out->reserve(out->size() + raw.size() + raw.size() / 32 + 8);
  bool in_header = true;
  uint64_t lines_left = body_lines.value_or(0);
  size_t pos = 0;
  while (pos < raw.size()) {
    if (!in_header && body_lines.has_value()) {
      if (lines_left == 0) break;
      --lines_left;
    }
    size_t nl = raw.find('\n', pos);
    size_t end = nl == std::string_view::npos ? raw.size() : nl;
    size_t content_end = end;
    if (content_end > pos && raw[content_end - 1] == '\r') --content_end;
    std::string_view line = raw.substr(pos, content_end - pos);
    if (!line.empty() && line[0] == '.') out->push_back('.');
    out->append(line);
    out->append("\r\n");
    if (in_header && line.empty()) in_header = false;
    pos = nl == std::string_view::npos ? raw.size() : nl + 1;
  }
  out->append(".\r\n");
}

}  // namespace mailroom::pop3
