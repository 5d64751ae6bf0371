// Splits folded text into the words the index stores as terms, and search
// keys into the words they must touch.
//
// A word is a maximal run of word characters: ASCII letters and digits and
// every non-ASCII code point, except that each CJK ideograph, kana or hangul
// syllable is a word of its own (those scripts do not separate words). All
// other ASCII bytes separate words. Words longer than kMaxWordBytes are
// stored as consecutive pieces of at most that size, and the document is
// marked as holding a long word.
//
// Thread-safety: pure functions.
#ifndef MAILROOM_INDEX_TOKENIZER_H_
#define MAILROOM_INDEX_TOKENIZER_H_

#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

namespace mailroom::index {

inline constexpr size_t kMaxWordBytes = 64;

// Calls `emit` with every stored word (or piece) of `folded`, repeats
// included. Returns true when some word was longer than kMaxWordBytes.
bool ForEachWord(std::string_view folded,
                 const std::function<void(std::string_view)>& emit);

// A word of a search key. `bounded_left` / `bounded_right`: the key itself
// shows that the word starts / ends there in any matching text (a separator
// or a single-character CJK word is next to it in the key).
struct KeyWord {
  std::string_view text;
  bool bounded_left = false;
  bool bounded_right = false;
};

// The words of a folded key; `has_separator` tells whether the key holds any
// separator byte.
std::vector<KeyWord> SplitKey(std::string_view folded, bool* has_separator);

}  // namespace mailroom::index

#endif  // MAILROOM_INDEX_TOKENIZER_H_
