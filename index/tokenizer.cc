#include "index/tokenizer.h"

namespace mailroom::index {

namespace {

enum class CharClass { kSeparator, kWord, kSingle };

// Decodes the code point at `i` (lenient: a stray byte is one code point) and
// returns its length in bytes.
size_t CodePointAt(std::string_view s, size_t i, uint32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t len = b0 < 0x80 ? 1 : b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
  if (b0 >= 0x80 && b0 < 0xC0) len = 1;
  if (i + len > s.size()) len = s.size() - i;
  for (size_t k = 1; k < len; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
      len = k;
      break;
    }
  }
  uint32_t value = len == 1 ? b0 : b0 & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    value = (value << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  }
  *cp = value;
  return len;
}

CharClass Classify(uint32_t cp) {
  if (cp < 0x80) {
    const bool alnum = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
                       (cp >= '0' && cp <= '9');
    return alnum ? CharClass::kWord : CharClass::kSeparator;
  }
  const bool single = (cp >= 0x2E80 && cp <= 0x9FFF) ||  // CJK, kana
                      (cp >= 0xAC00 && cp <= 0xD7AF) ||  // hangul
                      (cp >= 0xF900 && cp <= 0xFAFF) ||  // compatibility
                      (cp >= 0x20000 && cp <= 0x3FFFF);  // CJK extensions
  return single ? CharClass::kSingle : CharClass::kWord;
}

struct Span {
  size_t begin = 0;
  size_t end = 0;
  bool single = false;
};

// Calls `visit` with each word of `s` as a byte span, in order; sets
// `*has_separator` when any separator was seen. No allocation: indexing
// splits every field of every message.
template <typename Visit>
void VisitWords(std::string_view s, bool* has_separator, Visit&& visit) {
  *has_separator = false;
  size_t word_begin = 0;
  bool in_word = false;
  for (size_t i = 0; i < s.size();) {
    // Most mail text is ASCII: a byte below 0x80 is its own code point.
    uint32_t cp = static_cast<unsigned char>(s[i]);
    const size_t len = cp < 0x80 ? 1 : CodePointAt(s, i, &cp);
    const CharClass cls = Classify(cp);
    if (cls != CharClass::kWord && in_word) {
      visit(Span{word_begin, i, false});
      in_word = false;
    }
    if (cls == CharClass::kSeparator) {
      *has_separator = true;
    } else if (cls == CharClass::kSingle) {
      visit(Span{i, i + len, true});
    } else if (!in_word) {
      word_begin = i;
      in_word = true;
    }
    i += len;
  }
  if (in_word) visit(Span{word_begin, s.size(), false});
}

}  // namespace

bool ForEachWord(std::string_view folded,
                 const std::function<void(std::string_view)>& emit) {
  bool has_separator = false;
  bool long_word = false;
  VisitWords(folded, &has_separator, [&](const Span& span) {
    std::string_view word = folded.substr(span.begin, span.end - span.begin);
    if (word.size() <= kMaxWordBytes) {
      emit(word);
      return;
    }
    long_word = true;
    while (!word.empty()) {
      size_t cut = std::min(word.size(), kMaxWordBytes);
      while (cut < word.size() && cut > 0 &&
             (static_cast<unsigned char>(word[cut]) & 0xC0) == 0x80) {
        --cut;
      }
      if (cut == 0) cut = std::min(word.size(), kMaxWordBytes);
      emit(word.substr(0, cut));
      word.remove_prefix(cut);
    }
  });
  return long_word;
}

std::vector<KeyWord> SplitKey(std::string_view folded, bool* has_separator) {
  std::vector<KeyWord> out;
  VisitWords(folded, has_separator, [&](const Span& span) {
    KeyWord word;
    word.text = folded.substr(span.begin, span.end - span.begin);
    // Something precedes the word in the key: a separator or a single
    // (both end a word in the text too).
    word.bounded_left = span.single || span.begin > 0;
    word.bounded_right = span.single || span.end < folded.size();
    out.push_back(word);
  });
  return out;
}

}  // namespace mailroom::index
