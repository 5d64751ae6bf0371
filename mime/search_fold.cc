// i;unicode-casemap (RFC 5051): full case folding then NFKD, via glib.
#include <glib.h>

#include <string>
#include <string_view>

#include "mime/charset.h"
#include "mime/text.h"

namespace mailroom::mime {

std::string SearchFold(std::string_view utf8) {
  bool ascii = true;
  for (unsigned char c : utf8) {
    if (c >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    // NFKD leaves ASCII unchanged and folding is plain lower-casing.
    std::string out(utf8);
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
  }
  std::string valid;
  valid.reserve(utf8.size());
  AppendReplacingInvalidUtf8(utf8, &valid);
  // glib returns NUL-terminated strings: a NUL byte would cut the text.
  for (char& c : valid) {
    if (c == '\0') c = ' ';
  }
  gchar* folded = g_utf8_casefold(valid.data(), static_cast<gssize>(valid.size()));
  if (folded == nullptr) return valid;
  gchar* normalized = g_utf8_normalize(folded, -1, G_NORMALIZE_NFKD);
  g_free(folded);
  if (normalized == nullptr) return valid;
  std::string out(normalized);
  g_free(normalized);
  return out;
}

}  // namespace mailroom::mime
