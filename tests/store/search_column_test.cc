// Date and size searches from the search column the store persists beside
// the message table: after a reopen the column is read back instead of
// every message record, messages appended since are read on their own, and
// a damaged or stale column changes no answer and is reported by verify.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "store/engine/engine.h"
#include "store/internal/keys.h"
#include "store/internal/search_eval.h"
#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/store/store_damage.h"
#include "tests/store/store_test_util.h"

namespace mailroom::store {
namespace {

using engine::Space;
using K = SearchKey::Kind;

constexpr int kMessages = 300;
constexpr int64_t kDay = 86400;

SearchKey Num(K kind, int64_t n) {
  SearchKey k;
  k.kind = kind;
  k.number = n;
  return k;
}

class SearchColumnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::FreshDir("search_column");
    Reopen();
    ASSERT_TRUE(store_->CreateUser("alice", "pw").ok());
    inbox_ = store_->GetStatus(alice_, "INBOX")->id;
    Append(0, kMessages);
  }
  void TearDown() override {
    if (!store_) return;
    auto report = store_->Verify("", false, {});
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->ok()) << report->problems[0].problem;
  }

  void Reopen() {
    store_.reset();
    store_ = OpenStore(testing::TestOptions(dir_)).value();
  }
  // Messages [from, to): day 100 + i % 40 in a zone of -300..+300 minutes,
  // sizes growing with i.
  void Append(int from, int to) {
    std::vector<AppendRequest> batch;
    for (int i = from; i < to; ++i) {
      batch.push_back(
          {.data = testing::MakeMessage("m" + std::to_string(i),
                                        std::string(100 + 7 * i, 'x')),
           .internal_date = kDay * (100 + i % 40) + 3600 * (i % 24),
           .internal_tz_minutes = (i % 5 - 2) * 150});
      if (batch.size() == 100) {
        ASSERT_TRUE(store_->Append(alice_, "INBOX", batch).ok());
        batch.clear();
      }
    }
    if (!batch.empty()) {
      ASSERT_TRUE(store_->Append(alice_, "INBOX", batch).ok());
    }
  }
  // Runs fn on the store's engine while the store is closed, then reopens.
  void WithEngine(const std::function<void(engine::Engine&)>& fn) {
    store_.reset();
    auto damage = testing::StoreDamage::Open(testing::TestOptions(dir_));
    ASSERT_TRUE(damage.ok()) << damage.status();
    fn((*damage)->engine());
    damage->reset();
    Reopen();
  }

  // The answers of a few date and size searches, and how many message
  // records they read into the column.
  std::vector<std::vector<Uid>> Answers(uint64_t* records_read) {
    internal::SearchCounters& counters = internal::GetSearchCounters();
    const uint64_t before = counters.column_records_read;
    std::vector<std::vector<Uid>> out;
    for (const SearchKey& key :
         {Num(K::kSince, 130), Num(K::kOn, 105), Num(K::kLarger, 1500),
          Num(K::kSmaller, 400)}) {
      auto uids = store_->Search(alice_, inbox_, key);
      EXPECT_TRUE(uids.ok()) << uids.status();
      out.push_back(uids.ok() ? *uids : std::vector<Uid>{});
    }
    *records_read = counters.column_records_read - before;
    return out;
  }
  // Every message read by key, the way a store without columns answers.
  std::vector<std::vector<Uid>> Scanned() {
    StoreOptions options = testing::TestOptions(dir_);
    options.search_columns_max_bytes = 0;
    store_.reset();
    std::unique_ptr<Store> plain = OpenStore(options).value();
    std::vector<std::vector<Uid>> out;
    for (const SearchKey& key :
         {Num(K::kSince, 130), Num(K::kOn, 105), Num(K::kLarger, 1500),
          Num(K::kSmaller, 400)}) {
      out.push_back(plain->Search(alice_, inbox_, key).value());
    }
    plain.reset();
    Reopen();
    return out;
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
  const Principal alice_ = PrincipalIssuer::User("alice");
  MailboxId inbox_ = 0;
};

TEST_F(SearchColumnTest, AfterAReopenTheColumnIsReadBackNotTheRecords) {
  const std::vector<std::vector<Uid>> want = Scanned();
  for (const auto& uids : want) EXPECT_FALSE(uids.empty());
  uint64_t read = 0;
  EXPECT_EQ(Answers(&read), want);
  EXPECT_EQ(read, static_cast<uint64_t>(kMessages));

  Reopen();
  EXPECT_EQ(Answers(&read), want);
  EXPECT_EQ(read, 0u);

  // Appended since the column was stored: only those are read.
  Append(kMessages, kMessages + 5);
  Reopen();
  const std::vector<std::vector<Uid>> more = Scanned();
  EXPECT_EQ(Answers(&read), more);
  EXPECT_EQ(read, 5u);
  EXPECT_EQ(Answers(&read), more);
  EXPECT_EQ(read, 0u);
}

TEST_F(SearchColumnTest, TheMessageTableOpensBesideAStoredColumn) {
  uint64_t read = 0;
  Answers(&read);
  Reopen();
  auto table = store_->OpenMailboxTable(alice_, "INBOX");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->table.messages.size(), static_cast<size_t>(kMessages));
  Answers(&read);
  EXPECT_EQ(read, 0u);
}

TEST_F(SearchColumnTest, ADamagedColumnIsIgnoredReportedAndDropped) {
  const std::vector<std::vector<Uid>> want = Scanned();
  uint64_t read = 0;
  Answers(&read);
  WithEngine([&](engine::Engine& e) {
    const std::string key = internal::MailboxColumnKey(inbox_, 0);
    std::optional<std::string> piece =
        e.Latest().Get(Space::kMailboxView, key).value();
    ASSERT_TRUE(piece.has_value());
    piece->back() ^= 0x5a;  // the checksum no longer matches
    ASSERT_TRUE(
        e.WriteUnguarded({{Space::kMailboxView, key, *piece}}, true).ok());
  });
  auto report = store_->Verify("", false, {});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->problems.size(), 1u);
  EXPECT_NE(report->problems[0].problem.find("search column"),
            std::string::npos)
      << report->problems[0].problem;
  ASSERT_TRUE(store_->Verify("", true, {}).ok());

  // Answered from the records, and stored again.
  EXPECT_EQ(Answers(&read), want);
  EXPECT_EQ(read, static_cast<uint64_t>(kMessages));
  Reopen();
  EXPECT_EQ(Answers(&read), want);
  EXPECT_EQ(read, 0u);
}

}  // namespace
}  // namespace mailroom::store
