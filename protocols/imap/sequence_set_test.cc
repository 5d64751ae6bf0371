#include "protocols/imap/sequence_set.h"

#include "gtest/gtest.h"

namespace mailroom::imap {
namespace {

TEST(SequenceSetTest, ParsesAndResolvesStar) {
  auto set = ParseSequenceSet("1,3:5,7:*");
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->Resolve(10),
            (std::vector<ResolvedRange>{{1, 1}, {3, 5}, {7, 10}}));
}

TEST(SequenceSetTest, ReversedRangesAndMerging) {
  auto set = ParseSequenceSet("5:2,4:8,10");
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->Resolve(20), (std::vector<ResolvedRange>{{2, 8}, {10, 10}}));
}

TEST(SequenceSetTest, StarBelowFirstSwaps) {
  auto set = ParseSequenceSet("8:*");
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->Resolve(5), (std::vector<ResolvedRange>{{5, 8}}));
}

TEST(SequenceSetTest, StarOnEmptyMailboxIsEmpty) {
  auto set = ParseSequenceSet("*");
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->Resolve(0).empty());
}

TEST(SequenceSetTest, Saved) {
  auto set = ParseSequenceSet("$");
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->saved);
}

TEST(SequenceSetTest, RejectsBadInput) {
  for (const char* bad : {"", "0", "1,", ",1", "1:", "a", "1:0", "4294967296",
                          "01", "1::2", "$,1"}) {
    EXPECT_FALSE(ParseSequenceSet(bad).ok()) << bad;
  }
}

TEST(SequenceSetTest, ElementLimit) {
  EXPECT_TRUE(ParseSequenceSet("1,2,3", 3).ok());
  EXPECT_EQ(ParseSequenceSet("1,2,3,4", 3).status().code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(SequenceSetTest, FormatsCompactly) {
  EXPECT_EQ(FormatNumberSet({7, 1, 2, 3, 9, 10}), "1:3,7,9:10");
  EXPECT_EQ(FormatNumberSet({}), "");
}

TEST(SequenceSetTest, Contains) {
  std::vector<ResolvedRange> r = {{2, 4}, {8, 8}};
  EXPECT_FALSE(RangesContain(r, 1));
  EXPECT_TRUE(RangesContain(r, 3));
  EXPECT_FALSE(RangesContain(r, 5));
  EXPECT_TRUE(RangesContain(r, 8));
  EXPECT_FALSE(RangesContain(r, 9));
}

}  // namespace
}  // namespace mailroom::imap
