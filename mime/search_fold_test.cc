// Every code point through SearchFold: the folded form holds no upper-case
// ASCII, folding it again changes nothing, and a character's canonical and
// compatibility decompositions fold the same as it does. Otherwise a key
// and a text that spell one thing differently would fold apart, and the
// index (which folds the text) and the matcher (which folds the key) would
// disagree with each other and with RFC 5051.
#include <glib.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "mime/text.h"

namespace mailroom::mime {
namespace {

std::string Utf8(uint32_t cp) {
  char buffer[8];
  const int length = g_unichar_to_utf8(cp, buffer);
  return std::string(buffer, static_cast<size_t>(length));
}

std::string Normalized(const std::string& text, GNormalizeMode mode) {
  gchar* out = g_utf8_normalize(text.data(), static_cast<gssize>(text.size()),
                                mode);
  if (out == nullptr) return text;
  std::string result(out);
  g_free(out);
  return result;
}

TEST(SearchFoldTest, EveryCodePointFoldsToAStableLowerCaseForm) {
  std::vector<std::string> upper_ascii, unstable, decompositions;
  for (uint32_t cp = 1; cp <= 0x10ffff; ++cp) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const std::string text = Utf8(cp);
    const std::string folded = SearchFold(text);
    const std::string name = absl::StrCat("U+", absl::Hex(cp));
    for (char c : folded) {
      if (c >= 'A' && c <= 'Z') {
        upper_ascii.push_back(name);
        break;
      }
    }
    if (SearchFold(folded) != folded) unstable.push_back(name);
    if (SearchFold(Normalized(text, G_NORMALIZE_NFD)) != folded ||
        SearchFold(Normalized(text, G_NORMALIZE_NFKD)) != folded) {
      decompositions.push_back(name);
    }
  }
  auto head = [](const std::vector<std::string>& v) {
    return absl::StrJoin(v.begin(), v.begin() + std::min<size_t>(v.size(), 20),
                         " ");
  };
  EXPECT_TRUE(upper_ascii.empty())
      << upper_ascii.size() << " fold to upper-case ASCII: " << head(upper_ascii);
  EXPECT_TRUE(unstable.empty())
      << unstable.size() << " fold again: " << head(unstable);
  EXPECT_TRUE(decompositions.empty())
      << decompositions.size()
      << " fold unlike their decompositions: " << head(decompositions);
}

TEST(SearchFoldTest, KnownCompatibilityCharacters) {
  EXPECT_EQ(SearchFold("Acme\xe2\x84\xa2"), "acmetm");       // ™
  EXPECT_EQ(SearchFold("\xe2\x84\xa1"), "tel");               // ℡
  EXPECT_EQ(SearchFold("\xf0\x9d\x90\x80"), "a");             // 𝐀
  EXPECT_EQ(SearchFold("\xf0\x9d\x9a\xa8"), "\xce\xb1");      // 𝚨 -> α
  EXPECT_EQ(SearchFold("12\xe3\x8e\x85"), "12kb");            // ㎅
  EXPECT_EQ(SearchFold("Stra\xc3\x9f" "e"), "strasse");       // ß
}

}  // namespace
}  // namespace mailroom::mime
