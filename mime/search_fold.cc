// i;unicode-casemap (RFC 5051): full case folding then NFKD, via glib.
//
// Case folding maps each character on its own, and NFKD never reorders or
// merges across an ASCII character (ASCII characters are starters that
// decompose to themselves). So text is folded run by run: ASCII runs are
// lower-cased in place, only the non-ASCII runs go through glib, and short
// runs (accented letters in Latin text) are memoised per thread.
#include <glib.h>

#include <string>
#include <string_view>
#include <unordered_map>

#include "mime/charset.h"
#include "mime/text.h"

namespace mailroom::mime {
namespace {

constexpr size_t kMaxCachedRun = 16;
constexpr size_t kMaxCacheEntries = 8192;

void AppendGlibFold(std::string_view run, std::string* out) {
  gchar* folded = g_utf8_casefold(run.data(), static_cast<gssize>(run.size()));
  if (folded == nullptr) {
    out->append(run);
    return;
  }
  gchar* normalized = g_utf8_normalize(folded, -1, G_NORMALIZE_NFKD);
  g_free(folded);
  if (normalized == nullptr) {
    out->append(run);
    return;
  }
  out->append(normalized);
  g_free(normalized);
}

void AppendFoldedRun(std::string_view run, std::string* out) {
  if (run.size() > kMaxCachedRun) {
    AppendGlibFold(run, out);
    return;
  }
  thread_local std::unordered_map<std::string, std::string> cache;
  auto it = cache.find(std::string(run));
  if (it == cache.end()) {
    if (cache.size() >= kMaxCacheEntries) cache.clear();
    std::string folded;
    AppendGlibFold(run, &folded);
    it = cache.emplace(std::string(run), std::move(folded)).first;
  }
  out->append(it->second);
}

}  // namespace

std::string SearchFold(std::string_view utf8) {
  std::string valid;
  std::string_view text = utf8;
  bool ascii = true;
  for (unsigned char c : utf8) {
    if (c >= 0x80 || c == 0) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    std::string out(utf8);
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
  }
  {
    valid.reserve(utf8.size());
    AppendReplacingInvalidUtf8(utf8, &valid);
    // glib works on NUL-terminated strings: a NUL would cut the text.
    for (char& c : valid) {
      if (c == '\0') c = ' ';
    }
    text = valid;
  }
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = text[i];
    if (c < 0x80) {
      out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a')
                                         : static_cast<char>(c));
      ++i;
      continue;
    }
    size_t start = i;
    while (i < text.size() && static_cast<unsigned char>(text[i]) >= 0x80) ++i;
    AppendFoldedRun(text.substr(start, i - start), &out);
  }
  return out;
}

}  // namespace mailroom::mime
