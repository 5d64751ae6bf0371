#include "mime/line_ends.h"

#include <cstring>

namespace mailroom::mime {

uint64_t CrlfSize(std::string_view raw) {
  if (raw.empty()) return 0;
  uint64_t size = raw.size();
  const char* p = raw.data();
  const char* const end = p + raw.size();
  // Each LF without a CR before it grows by one.
  while (const char* nl =
             static_cast<const char*>(std::memchr(p, '\n', end - p))) {
    if (nl == raw.data() || nl[-1] != '\r') ++size;
    p = nl + 1;
    if (p == end) return size;
  }
  // No line end at the end: a final CR gets its LF, otherwise CRLF is added.
  return size + (end[-1] == '\r' ? 1 : 2);
}

}  // namespace mailroom::mime
