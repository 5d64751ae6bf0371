// i;unicode-casemap (RFC 5051): full case folding then NFKD, via glib,
// repeated where NFKD yields foldable characters (see AppendGlibFold).
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

// Full case folding then NFKD, once, via glib. False when glib refuses.
bool FoldAndDecompose(std::string_view text, std::string* out) {
  gchar* folded =
      g_utf8_casefold(text.data(), static_cast<gssize>(text.size()));
  if (folded == nullptr) return false;
  gchar* normalized = g_utf8_normalize(folded, -1, G_NORMALIZE_NFKD);
  g_free(folded);
  if (normalized == nullptr) return false;
  out->assign(normalized);
  g_free(normalized);
  return true;
}

// NFKD can bring back characters that fold: U+2122 TRADE MARK SIGN becomes
// "TM", U+1D400 MATHEMATICAL BOLD CAPITAL A an "A", U+1D6A8 MATHEMATICAL
// BOLD CAPITAL ALPHA a capital alpha. Folding once more (Unicode's
// compatibility caseless match, D146) gives a form that folding leaves
// alone, so a key and a text fold alike whichever of these either holds.
void AppendGlibFold(std::string_view run, std::string* out) {
  std::string once;
  if (!FoldAndDecompose(run, &once)) {
    out->append(run);
    return;
  }
  gchar* refolded =
      g_utf8_casefold(once.data(), static_cast<gssize>(once.size()));
  const bool stable = refolded != nullptr && once == refolded;
  g_free(refolded);
  std::string twice;
  if (stable || !FoldAndDecompose(once, &twice)) {
    out->append(once);
    return;
  }
  out->append(twice);
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
