#include "protocols/imap/search_context.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace mailroom::imap {
namespace {

using Uids = std::vector<store::Uid>;

// Applies `changes` to `list` the way a client does.
Uids Apply(Uids list, const std::vector<ContextChange>& changes) {
  for (const ContextChange& c : changes) {
    if (c.add) {
      list.insert(list.begin() + (c.position - 1), c.uids.begin(), c.uids.end());
    } else {
      EXPECT_TRUE(std::equal(c.uids.begin(), c.uids.end(),
                             list.begin() + (c.position - 1)));
      list.erase(list.begin() + (c.position - 1),
                 list.begin() + (c.position - 1 + c.uids.size()));
    }
  }
  return list;
}

uint32_t Same(store::Uid uid) { return uid; }

TEST(DiffResultsTest, SortedPositionsReplayToTheNewOrder) {
  const Uids before = {30, 10, 20, 50, 40};
  const Uids after = {60, 30, 20, 70, 71, 40};
  const auto changes = DiffResults(before, after, /*sorted=*/true);
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_FALSE(changes[0].add);  // 10 at position 2
  EXPECT_EQ(changes[0].position, 2u);
  EXPECT_EQ(changes[0].uids, Uids({10}));
  EXPECT_FALSE(changes[1].add);  // 50: position 3 once 10 is gone
  EXPECT_EQ(changes[1].position, 3u);
  EXPECT_TRUE(changes[2].add);
  EXPECT_EQ(changes[2].position, 1u);
  EXPECT_EQ(changes[3].position, 4u);
  EXPECT_EQ(changes[3].uids, Uids({70, 71}));
  EXPECT_EQ(Apply(before, changes), after);
}

TEST(DiffResultsTest, SearchUsesPositionZeroAndOneSetEach) {
  const auto changes = DiffResults({1, 2, 3, 4, 5}, {2, 4, 6, 8}, false);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_FALSE(changes[0].add);
  EXPECT_EQ(changes[0].position, 0u);
  EXPECT_EQ(changes[0].uids, Uids({1, 3, 5}));
  EXPECT_TRUE(changes[1].add);
  EXPECT_EQ(changes[1].position, 0u);
  EXPECT_EQ(changes[1].uids, Uids({6, 8}));
}

TEST(DiffResultsTest, NoChangeNoSteps) {
  EXPECT_TRUE(DiffResults({3, 1, 2}, {3, 1, 2}, true).empty());
  EXPECT_TRUE(DiffResults({}, {}, false).empty());
}

TEST(ContextUpdateResponseTest, FormatsAddToAndRemoveFrom) {
  SearchContext sort;
  sort.tag = "B01";
  sort.uid = true;
  sort.sort = true;
  const std::vector<ContextChange> changes = {
      {false, 2, {7}}, {true, 1, {12, 11}}, {true, 5, {20, 21, 22}}};
  EXPECT_EQ(ContextUpdateResponse(sort, changes, Same),
            "ESEARCH (TAG \"B01\") UID REMOVEFROM (2 7) ADDTO (1 12,11) "
            "ADDTO (5 20:22)");
  SearchContext search;
  search.tag = "A1";
  EXPECT_EQ(ContextUpdateResponse(search, {{true, 0, {4, 5, 9}}},
                                  [](store::Uid uid) { return uid - 1; }),
            "ESEARCH (TAG \"A1\") ADDTO (0 3:4,8)");
  EXPECT_EQ(ContextUpdateResponse(search, {}, Same), "");
}

TEST(PartialResponseTest, SlicesByPosition) {
  const std::vector<uint32_t> sorted = {9, 3, 4, 5, 1};
  EXPECT_EQ(PartialResponse({2, 4}, sorted, true), "PARTIAL (2:4 3:5)");
  EXPECT_EQ(PartialResponse({4, 100}, sorted, true), "PARTIAL (4:100 5,1)");
  EXPECT_EQ(PartialResponse({6, 10}, sorted, true), "PARTIAL (6:10 NIL)");
  EXPECT_EQ(PartialResponse({1, 2}, {2, 3, 7}, false), "PARTIAL (1:2 2:3)");
}

TEST(SearchContextsTest, LimitReplaceCancel) {
  SearchContexts contexts(2);
  SearchContext a;
  a.tag = "a";
  SearchContext b;
  b.tag = "b";
  SearchContext c;
  c.tag = "c";
  EXPECT_TRUE(contexts.Add(a));
  EXPECT_TRUE(contexts.Add(b));
  EXPECT_FALSE(contexts.Add(c));  // over the limit
  a.result = {1};
  EXPECT_TRUE(contexts.Add(a));   // same tag replaces
  EXPECT_EQ(contexts.size(), 2u);
  EXPECT_EQ(contexts.all()[0].result, Uids({1}));
  EXPECT_FALSE(contexts.Cancel("c"));
  EXPECT_TRUE(contexts.Cancel("a"));
  EXPECT_TRUE(contexts.Add(c));
  contexts.Clear();
  EXPECT_TRUE(contexts.empty());
}

TEST(SearchContextsTest, ExpungeRemovesFromEveryContext) {
  SearchContexts contexts(10);
  SearchContext sort;
  sort.tag = "s";
  sort.sort = true;
  sort.result = {5, 2, 9, 4};
  SearchContext search;
  search.tag = "q";
  search.uid = true;
  search.result = {2, 3};
  SearchContext untouched;
  untouched.tag = "u";
  untouched.result = {1};
  contexts.Add(sort);
  contexts.Add(search);
  contexts.Add(untouched);
  // Sequence number = UID + 100 here.
  const auto lines = contexts.Expunge(
      {2, 9}, [](store::Uid uid) { return uid + 100; });
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "ESEARCH (TAG \"s\") REMOVEFROM (2 102,109)");
  EXPECT_EQ(lines[1], "ESEARCH (TAG \"q\") UID REMOVEFROM (0 2)");
  EXPECT_EQ(contexts.all()[0].result, Uids({5, 4}));
  EXPECT_EQ(contexts.all()[1].result, Uids({3}));
}

}  // namespace
}  // namespace mailroom::imap
