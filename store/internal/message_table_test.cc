#include "store/internal/message_table.h"

#include <map>
#include <random>

#include "gtest/gtest.h"

namespace mailroom::store::internal {
namespace {

MessageTable RandomTable(std::mt19937& rng, size_t n) {
  MessageTable table;
  KeywordNumbering numbering(&table);
  Uid uid = 0;
  ModSeq modseq = 0;
  const std::vector<std::vector<std::string>> lists = {
      {}, {"$Todo"}, {"$Done", "$Todo"}, {"Important"}};
  for (size_t i = 0; i < n; ++i) {
    uid += 1 + (rng() % 4 == 0 ? rng() % 1000 : 0);
    modseq = rng() % 3 == 0 ? modseq + 1 : rng() % 100000;
    table.messages.push_back(numbering.Compact(
        uid, Flags{static_cast<uint32_t>(rng() % 32), lists[rng() % 4]},
        modseq));
  }
  return table;
}

TEST(MessageTableTest, RoundTripsEveryShape) {
  std::mt19937 rng(7);
  for (size_t n : {size_t{0}, size_t{1}, size_t{1000}, size_t{200000}}) {
    TableCheckpoint in{42, 99, RandomTable(rng, n)};
    std::vector<std::string> pieces = EncodeTableCheckpoint(in);
    absl::StatusOr<TableCheckpoint> out = DecodeTableCheckpoint(pieces);
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(out->uidvalidity, 42u);
    EXPECT_EQ(out->modseq, 99u);
    EXPECT_EQ(out->table.messages, in.table.messages);
    EXPECT_EQ(out->table.keyword_sets, in.table.keyword_sets);
  }
}

TEST(MessageTableTest, InOrderMailboxTakesFewBytes) {
  MessageTable table;
  for (Uid uid = 1; uid <= 1000000; ++uid) {
    table.messages.push_back(CompactMessage{uid, kSeen, uid + 5});
  }
  std::vector<std::string> pieces =
      EncodeTableCheckpoint(TableCheckpoint{1, 1000005, table});
  ASSERT_EQ(pieces.size(), 1u);
  EXPECT_LT(pieces[0].size(), 100u);
}

TEST(MessageTableTest, DamageIsDataLoss) {
  std::mt19937 rng(3);
  TableCheckpoint in{1, 5, RandomTable(rng, 100000)};
  std::vector<std::string> pieces = EncodeTableCheckpoint(in);
  ASSERT_GT(pieces.size(), 1u);
  {
    auto damaged = pieces;
    damaged[1][100] ^= 0x40;
    EXPECT_EQ(DecodeTableCheckpoint(damaged).status().code(),
              absl::StatusCode::kDataLoss);
  }
  {
    auto missing = pieces;
    missing.pop_back();
    EXPECT_EQ(DecodeTableCheckpoint(missing).status().code(),
              absl::StatusCode::kDataLoss);
  }
  {
    auto truncated = pieces;
    truncated[0].resize(10);
    EXPECT_EQ(DecodeTableCheckpoint(truncated).status().code(),
              absl::StatusCode::kDataLoss);
  }
}

TEST(MessageTableTest, ApplyChangesMatchesRebuild) {
  std::mt19937 rng(11);
  for (int round = 0; round < 50; ++round) {
    MessageTable table = RandomTable(rng, 500);
    std::map<Uid, CompactMessage> want;
    for (const CompactMessage& m : table.messages) want[m.uid] = m;
    std::vector<Uid> removed;
    std::vector<CompactMessage> updated;
    KeywordNumbering numbering(&table);
    const Uid top = table.messages.back().uid;
    for (Uid uid = 1; uid <= top + 50; ++uid) {
      const int pick = static_cast<int>(rng() % 20);
      if (pick == 0 && want.count(uid)) {
        removed.push_back(uid);
        want.erase(uid);
      } else if (pick == 1 || (uid > top && pick < 5)) {
        CompactMessage m = numbering.Compact(uid, Flags{kFlagged, {"New"}},
                                             1000000 + uid);
        updated.push_back(m);
        want[uid] = m;
      }
    }
    ApplyTableChanges(&table, removed, updated);
    std::vector<CompactMessage> expected;
    for (const auto& [uid, m] : want) expected.push_back(m);
    EXPECT_EQ(table.messages, expected);
  }
}

}  // namespace
}  // namespace mailroom::store::internal
