#include "protocols/imap/list_pattern.h"

#include "gtest/gtest.h"

namespace mailroom::imap {
namespace {

TEST(ListPatternTest, StarAndPercent) {
  EXPECT_TRUE(MatchListPattern("*", "a/b/c"));
  EXPECT_TRUE(MatchListPattern("%", "a"));
  EXPECT_FALSE(MatchListPattern("%", "a/b"));
  EXPECT_TRUE(MatchListPattern("a/%", "a/b"));
  EXPECT_FALSE(MatchListPattern("a/%", "a/b/c"));
  EXPECT_TRUE(MatchListPattern("a/*", "a/b/c"));
  EXPECT_TRUE(MatchListPattern("*c", "a/b/c"));
  EXPECT_TRUE(MatchListPattern("a%c", "abc"));
  EXPECT_FALSE(MatchListPattern("a%c", "a/c"));
  EXPECT_FALSE(MatchListPattern("b", "a"));
  EXPECT_TRUE(MatchListPattern("", ""));
  EXPECT_FALSE(MatchListPattern("", "a"));
}

TEST(ListPatternTest, InboxIsCaseInsensitive) {
  EXPECT_TRUE(MatchListPattern("inbox", "INBOX"));
  EXPECT_TRUE(MatchListPattern("Inbox/%", "INBOX/x"));
  EXPECT_FALSE(MatchListPattern("sent", "Sent"));
}

TEST(ListPatternTest, ManyStarsStayFast) {
  std::string pattern;
  for (int i = 0; i < 200; ++i) pattern += "*a";
  EXPECT_FALSE(MatchListPattern(pattern, std::string(300, 'a') + "b"));
}

TEST(ListPatternTest, WildcardRunsMatchLikeOneWildcard) {
  EXPECT_TRUE(MatchListPattern("a%*%b", "a/x/b"));
  EXPECT_FALSE(MatchListPattern("a%%%b", "a/x/b"));
  EXPECT_TRUE(MatchListPattern("a%%%b", "axyb"));
  EXPECT_TRUE(MatchListPattern("**%**", "a/b"));
  EXPECT_TRUE(MatchListPattern("INBOX*%", "inbox/x"));
  EXPECT_FALSE(MatchListPattern(std::string(100000, '*') + "b", "aaaa"));
  EXPECT_TRUE(MatchListPattern(std::string(100000, '%') + "b", "aaab"));
}

TEST(ListPatternTest, MoreLiteralsThanTheNameNeverMatch) {
  EXPECT_FALSE(MatchListPattern("ab*", "a"));
  EXPECT_TRUE(MatchListPattern("a*b", "ab"));
}

TEST(ListPatternTest, Reference) {
  EXPECT_EQ(CombineReference("", "%"), "%");
  EXPECT_EQ(CombineReference("Archive/", "%"), "Archive/%");
  EXPECT_EQ(CombineReference("Archive/", "/abs"), "/abs");
}

}  // namespace
}  // namespace mailroom::imap
