#include "index/tokenizer.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mailroom::index {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Words(std::string_view text, bool* long_word) {
  std::vector<std::string> out;
  *long_word = ForEachWord(text, [&](std::string_view w) {
    out.emplace_back(w);
  });
  return out;
}

TEST(TokenizerTest, SplitsOnAsciiSeparatorsOnly) {
  bool long_word = true;
  EXPECT_THAT(Words("re: hello-world, été «x»", &long_word),
              ElementsAre("re", "hello", "world", "été", "«x»"));
  EXPECT_FALSE(long_word);
}

TEST(TokenizerTest, CjkCharactersAreWordsOfTheirOwn) {
  bool long_word = true;
  EXPECT_THAT(Words("ab中文cd", &long_word),
              ElementsAre("ab", "中", "文", "cd"));
}

TEST(TokenizerTest, LongWordsAreCutIntoPieces) {
  bool long_word = false;
  const std::string word(150, 'x');
  EXPECT_THAT(Words(word, &long_word),
              ElementsAre(std::string(64, 'x'), std::string(64, 'x'),
                          std::string(22, 'x')));
  EXPECT_TRUE(long_word);
  // Pieces end on code point boundaries.
  std::string accents;
  for (int i = 0; i < 40; ++i) accents += "é";
  for (const std::string& piece : Words(accents, &long_word)) {
    EXPECT_EQ(piece.size() % 2, 0u);
  }
}

TEST(TokenizerTest, KeyWordsKnowTheirBounds) {
  bool separator = false;
  std::vector<KeyWord> words = SplitKey("llo wor", &separator);
  EXPECT_TRUE(separator);
  ASSERT_EQ(words.size(), 2u);
  EXPECT_EQ(words[0].text, "llo");
  EXPECT_FALSE(words[0].bounded_left);
  EXPECT_TRUE(words[0].bounded_right);
  EXPECT_TRUE(words[1].bounded_left);
  EXPECT_FALSE(words[1].bounded_right);

  words = SplitKey("ordf", &separator);
  EXPECT_FALSE(separator);
  ASSERT_EQ(words.size(), 1u);
  EXPECT_FALSE(words[0].bounded_left || words[0].bounded_right);

  words = SplitKey("x中", &separator);
  ASSERT_EQ(words.size(), 2u);
  EXPECT_TRUE(words[0].bounded_right);
  EXPECT_TRUE(words[1].bounded_left && words[1].bounded_right);

  EXPECT_TRUE(SplitKey(" .,", &separator).empty());
  EXPECT_TRUE(separator);
}

}  // namespace
}  // namespace mailroom::index
