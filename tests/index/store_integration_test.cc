// The Xapian index behind the real store: every SEARCH answered through the
// index must equal the store's own scan (a second store without an index fed
// the same operations), across appends, copies, moves, expunges and a
// reindex.
#include <chrono>
#include <ctime>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/search/mail_generator.h"
#include "gtest/gtest.h"
#include "index/query_planner.h"
#include "index/xapian_index.h"
#include "store/internal/search_eval.h"
#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/index/index_test_util.h"

namespace mailroom::index::testing {
namespace {

namespace fs = std::filesystem;
using Kind = store::SearchKey::Kind;

class StoreIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) / "store_integration";
    fs::remove_all(root_);
    for (int i = 0; i < 2; ++i) {
      store::StoreOptions options;
      options.data_dir = (root_ / (i == 0 ? "indexed" : "scanned")).string();
      options.sync_writes = false;
      options.password_iterations = 1000;
      // The scanning store evaluates every key on the message records.
      if (i == 1) options.search_columns_max_bytes = 0;
      if (i == 0) {
        auto text_index = OpenXapianIndex(options.data_dir + "/index");
        ASSERT_TRUE(text_index.ok()) << text_index.status();
        options.text_index = *text_index;
        text_index_ = *text_index;
      }
      auto opened = store::OpenStore(options);
      ASSERT_TRUE(opened.ok()) << opened.status();
      stores_.push_back(std::move(*opened));
      ASSERT_TRUE(stores_.back()->CreateUser("alice", "secret").ok());
    }
  }

  // Runs `op` on both stores.
  template <typename Op>
  void Both(Op op) {
    for (auto& s : stores_) op(*s);
  }

  store::MailboxId Id(store::Store& s, const std::string& name) {
    auto snapshot = s.OpenMailbox(alice_, name);
    EXPECT_TRUE(snapshot.ok()) << snapshot.status();
    return snapshot.ok() ? snapshot->status.id : 0;
  }

  void ExpectSameAnswers(const std::string& mailbox,
                         const std::vector<store::SearchKey>& keys) {
    for (const store::SearchKey& key : keys) {
      std::vector<std::vector<store::Uid>> answers;
      for (auto& s : stores_) {
        auto uids = s->Search(alice_, Id(*s, mailbox), key);
        ASSERT_TRUE(uids.ok()) << uids.status();
        answers.push_back(*uids);
      }
      EXPECT_EQ(answers[0], answers[1])
          << mailbox << " key value '" << key.value << "'";
    }
  }

  std::vector<store::SearchKey> Keys() {
    return {Body("the"), Body("a"), Text("subject: re"), Text("example.com"),
            Header("subject", "RE"), Header("from", "=?"),
            Header("x-ticket", "open"), Header("cc", ""),
            Tree(Kind::kNot, {Body("ai")}),
            Tree(Kind::kOr, {Body("ou"), Header("to", "helpdesk")}),
            Tree(Kind::kAnd, {Text("e"), Tree(Kind::kNot, {Body("é")})})};
  }

  // Both stores' answers for `key` in `mailbox`; false when they differ.
  bool SameAnswer(const std::string& mailbox, const store::SearchKey& key,
                  size_t* matches = nullptr) {
    std::vector<std::vector<store::Uid>> answers;
    for (auto& s : stores_) {
      auto uids = s->Search(alice_, Id(*s, mailbox), key);
      EXPECT_TRUE(uids.ok()) << uids.status();
      if (!uids.ok()) return false;
      answers.push_back(*uids);
    }
    if (matches != nullptr) *matches = answers[0].size();
    EXPECT_EQ(answers[0], answers[1]) << mailbox << " " << Describe(key);
    return answers[0] == answers[1];
  }

  static std::string Describe(const store::SearchKey& key) {
    std::string out = absl::StrCat("(", static_cast<int>(key.kind));
    if (!key.value.empty()) absl::StrAppend(&out, " '", key.value, "'");
    if (key.number != 0) absl::StrAppend(&out, " ", key.number);
    for (const auto& c : key.children) absl::StrAppend(&out, " ", Describe(c));
    return out + ")";
  }

  fs::path root_;
  store::Principal alice_ = store::PrincipalIssuer::User("alice");
  std::vector<std::unique_ptr<store::Store>> stores_;
  std::shared_ptr<store::TextIndex> text_index_;  // inside stores_[0]
};

TEST_F(StoreIntegrationTest, IndexedSearchEqualsScan) {
  bench::MailGeneratorOptions options;
  options.seed = 3;
  options.vocabulary_size = 800;
  options.median_words = 60;
  options.max_attachment_kb = 2;
  bench::MailGenerator generator(options);
  std::vector<std::string> messages;
  for (int i = 0; i < 150; ++i) messages.push_back(generator.Next());
  Both([&](store::Store& s) {
    std::vector<store::AppendRequest> requests;
    for (const std::string& m : messages) {
      store::AppendRequest r;
      r.data = m;
      requests.push_back(r);
    }
    ASSERT_TRUE(s.Append(alice_, "INBOX", requests).ok());
  });
  ExpectSameAnswers("INBOX", Keys());
  // The store answered from the index, not from a fallback scan: the index
  // itself holds the same answer.
  const store::MailboxId inbox = Id(*stores_[0], "INBOX");
  auto from_index = text_index_->Query("alice", inbox, Body("the"));
  ASSERT_TRUE(from_index.ok()) << from_index.status();
  EXPECT_FALSE(from_index->empty());
  EXPECT_EQ(*from_index, *stores_[1]->Search(alice_, Id(*stores_[1], "INBOX"),
                                             Body("the")));

  // Copies and moves reuse the indexed text; expunges remove it.
  Both([&](store::Store& s) {
    const store::MailboxId inbox = Id(s, "INBOX");
    std::vector<store::Uid> some, more;
    for (store::Uid uid = 1; uid <= 150; uid += 3) some.push_back(uid);
    for (store::Uid uid = 2; uid <= 150; uid += 7) more.push_back(uid);
    ASSERT_TRUE(s.Copy(alice_, inbox, some, "Archive").ok());
    ASSERT_TRUE(s.Move(alice_, inbox, more, "Trash").ok());
    store::StoreFlagsRequest flags;
    flags.uids = {4, 10, 40, 100};
    flags.flags.system = store::kDeleted;
    ASSERT_TRUE(s.StoreFlags(alice_, inbox, flags).ok());
    ASSERT_TRUE(s.Expunge(alice_, inbox, {}).ok());
  });
  for (const std::string mailbox : {"INBOX", "Archive", "Trash"}) {
    ExpectSameAnswers(mailbox, Keys());
  }

  // A reindex drops the owner's index and rebuilds it from the store.
  ASSERT_TRUE(stores_[0]->Reindex("alice").ok());
  ExpectSameAnswers("Archive", Keys());
}

// Days since the epoch of a UTC calendar date (2020-01-01 is 18262).
constexpr int64_t kJan2020 = 18262;

store::SearchKey DateKey(Kind kind, int64_t day) {
  store::SearchKey key;
  key.kind = kind;
  key.number = day;
  return key;
}

// Replaces the generated Date: line of `message` (or drops it when `date`
// is empty).
std::string WithDate(std::string message, const std::string& date) {
  const size_t at = message.find("Date: ");
  const size_t end = message.find("\r\n", at) + 2;
  message.replace(at, end - at, date.empty() ? "" : "Date: " + date + "\r\n");
  return message;
}

// SENTBEFORE / SENTON / SENTSINCE come from the index's day terms (the
// Date: header's day in its own zone, near midnight in zones far from UTC),
// messages without a usable Date: header by their internal date; AND / OR
// / NOT of text and dates the index decides alone read no message record.
// Every answer equals the store's own scan.
TEST_F(StoreIntegrationTest, DatesNotAndOrFromTheIndex) {
  bench::MailGeneratorOptions options;
  options.seed = 5;
  options.vocabulary_size = 300;
  options.median_words = 30;
  options.max_attachment_kb = 1;
  bench::MailGenerator generator(options);
  std::mt19937_64 rng(42);
  static constexpr const char* kZones[] = {"+0000", "+1300", "-1100", "+0530",
                                           "-0000", "+1400", "-0930"};
  static constexpr const char* kMonths[] = {"Jan", "Feb"};
  // "Dated" holds only messages with a usable Date: header; "Mixed" also
  // some without one and some whose Date: cannot be read.
  std::vector<std::string> dated, mixed;
  std::vector<int64_t> internal_dates;
  for (int i = 0; i < 240; ++i) {
    const int day = 1 + static_cast<int>(rng() % 28);
    const int hour = rng() % 2 == 0 ? static_cast<int>(rng() % 2)
                                    : 22 + static_cast<int>(rng() % 2);
    const std::string date = absl::StrFormat(
        "%d %s 2020 %02d:%02d:00 %s", day, kMonths[rng() % 2], hour,
        static_cast<int>(rng() % 60), kZones[rng() % std::size(kZones)]);
    std::string message = WithDate(generator.Next(), date);
    if (i % 2 == 0) {
      dated.push_back(std::move(message));
      continue;
    }
    const int kind = static_cast<int>(rng() % 4);
    if (kind == 0) message = WithDate(std::move(message), "");
    if (kind == 1) message = WithDate(std::move(message), "yesterday");
    mixed.push_back(std::move(message));
    internal_dates.push_back((kJan2020 + static_cast<int64_t>(rng() % 60)) *
                                 86400 +
                             static_cast<int64_t>(rng() % 86400));
  }
  Both([&](store::Store& s) {
    ASSERT_TRUE(s.CreateMailbox(alice_, "Dated").ok());
    ASSERT_TRUE(s.CreateMailbox(alice_, "Mixed").ok());
    std::vector<store::AppendRequest> requests;
    for (const std::string& m : dated) {
      store::AppendRequest r;
      r.data = m;
      requests.push_back(r);
    }
    ASSERT_TRUE(s.Append(alice_, "Dated", requests).ok());
    requests.clear();
    for (size_t i = 0; i < mixed.size(); ++i) {
      store::AppendRequest r;
      r.data = mixed[i];
      r.internal_date = internal_dates[i];
      r.internal_tz_minutes = static_cast<int32_t>(i % 3) * 600 - 600;
      requests.push_back(r);
    }
    ASSERT_TRUE(s.Append(alice_, "Mixed", requests).ok());
    store::StoreFlagsRequest flags;
    for (store::Uid uid = 1; uid <= 120; uid += 3) flags.uids.push_back(uid);
    flags.flags.system = store::kFlagged;
    ASSERT_TRUE(s.StoreFlags(alice_, Id(s, "Mixed"), flags).ok());
  });

  const std::vector<std::string>& words = generator.vocabulary();
  auto date_leaf = [&] {
    static constexpr Kind kKinds[] = {Kind::kSentBefore, Kind::kSentOn,
                                      Kind::kSentSince};
    return DateKey(kKinds[rng() % 3], kJan2020 + static_cast<int64_t>(rng() % 62));
  };
  auto leaf = [&]() -> store::SearchKey {
    switch (rng() % 4) {
      case 0:
      case 1:
        return date_leaf();
      case 2:
        return Body(words[rng() % 40]);
      default: {
        store::SearchKey flagged;
        flagged.kind = Kind::kFlagSet;
        flagged.number = store::kFlagged;
        return flagged;
      }
    }
  };
  std::function<store::SearchKey(int)> tree = [&](int depth) {
    if (depth == 0 || rng() % 3 == 0) return leaf();
    const int op = static_cast<int>(rng() % 4);
    if (op == 0) return Tree(Kind::kNot, {tree(depth - 1)});
    return Tree(op == 1 ? Kind::kOr : Kind::kAnd,
                {tree(depth - 1), tree(depth - 1)});
  };

  int failures = 0;
  size_t proper = 0;
  for (int q = 0; q < 300 && failures < 5; ++q) {
    const store::SearchKey key = tree(3);
    size_t matches = 0;
    for (const std::string mailbox : {"Dated", "Mixed"}) {
      if (!SameAnswer(mailbox, key, &matches)) ++failures;
      proper += matches > 0 && matches < 120;
    }
  }
  EXPECT_GT(proper, 150u);

  store::internal::SearchCounters& search = store::internal::GetSearchCounters();
  PlannerCounters& planner = GetPlannerCounters();
  // What the indexed store's answer to `key` cost: day-term lookups,
  // searches decided by the index alone, message records read.
  struct Cost {
    uint64_t sent_dates = 0, decided = 0, records = 0;
  };
  auto cost = [&](const std::string& mailbox, const store::SearchKey& key) {
    const Cost before{planner.sent_dates, search.index_decided,
                      search.records_read};
    auto uids = stores_[0]->Search(alice_, Id(*stores_[0], mailbox), key);
    EXPECT_TRUE(uids.ok()) << uids.status();
    return Cost{planner.sent_dates - before.sent_dates,
                search.index_decided - before.decided,
                search.records_read - before.records};
  };

  // A date range over dated mail: two day-term lookups, no record read.
  const store::SearchKey range =
      Tree(Kind::kAnd, {DateKey(Kind::kSentSince, kJan2020 + 10),
                        DateKey(Kind::kSentBefore, kJan2020 + 40)});
  size_t in_range = 0;
  EXPECT_TRUE(SameAnswer("Dated", range, &in_range));
  EXPECT_GT(in_range, 10u);
  Cost c = cost("Dated", range);
  EXPECT_EQ(c.sent_dates, 2u);
  EXPECT_EQ(c.decided, 1u);
  EXPECT_EQ(c.records, 0u);
  // NOT and OR of text keys, and text with a date: the index alone.
  for (const store::SearchKey& key :
       {Tree(Kind::kNot, {Body(words[0])}),
        Tree(Kind::kOr, {Body(words[1]), Header("subject", words[2])}),
        Tree(Kind::kAnd, {Body(words[3]), DateKey(Kind::kSentOn, kJan2020 + 5)}),
        Tree(Kind::kOr, {DateKey(Kind::kSentBefore, kJan2020 + 3),
                         Tree(Kind::kNot, {Text(words[4])})})}) {
    EXPECT_TRUE(SameAnswer("Dated", key));
    c = cost("Dated", key);
    EXPECT_EQ(c.decided, 1u) << Describe(key);
    EXPECT_EQ(c.records, 0u) << Describe(key);
  }

  // Without a usable Date: header the internal date decides: only those
  // messages' records are read.
  const store::SearchKey since = DateKey(Kind::kSentSince, kJan2020 + 20);
  size_t mixed_matches = 0;
  EXPECT_TRUE(SameAnswer("Mixed", since, &mixed_matches));
  EXPECT_GT(mixed_matches, 0u);
  c = cost("Mixed", since);
  EXPECT_EQ(c.sent_dates, 1u);
  EXPECT_EQ(c.decided, 1u);
  EXPECT_GT(c.records, 10u);
  EXPECT_LT(c.records, 90u);
}

// Index work queued by appends gathers for index_commit_delay_ms before the
// background indexer applies it (one commit for many deliveries); a search
// meanwhile catches the index up itself and finds every message.
TEST(IndexCommitDelayTest, WorkGathersAndSearchesCatchUp) {
  const fs::path root = fs::path(::testing::TempDir()) / "commit_delay";
  fs::remove_all(root);
  for (const int delay_ms : {60000, 0}) {
    store::StoreOptions options;
    options.data_dir = (root / absl::StrCat(delay_ms)).string();
    options.sync_writes = false;
    options.password_iterations = 1000;
    options.index_commit_delay_ms = delay_ms;
    auto text_index = OpenXapianIndex(options.data_dir + "/index");
    ASSERT_TRUE(text_index.ok()) << text_index.status();
    options.text_index = *text_index;
    auto opened = store::OpenStore(options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store::Store& s = **opened;
    ASSERT_TRUE(s.CreateUser("alice", "secret").ok());
    const store::Principal alice = store::PrincipalIssuer::User("alice");
    auto backlog = [&]() -> uint64_t {
      auto items = s.IndexBacklog();
      EXPECT_TRUE(items.ok()) << items.status();
      uint64_t n = 0;
      if (items.ok()) {
        for (const auto& [owner, count] : *items) n += count;
      }
      return n;
    };
    for (int i = 0; i < 3; ++i) {
      const std::string message =
          absl::StrCat("Subject: note ", i, "\r\n\r\nzebra crossing\r\n");
      store::AppendRequest r;
      r.data = message;
      ASSERT_TRUE(s.Append(alice, "INBOX", {r}).ok());
    }
    if (delay_ms > 0) {
      // Well within the delay: nothing applied in the background yet.
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      EXPECT_EQ(backlog(), 3u);
      auto snapshot = s.OpenMailbox(alice, "INBOX");
      ASSERT_TRUE(snapshot.ok()) << snapshot.status();
      auto uids = s.Search(alice, snapshot->status.id, Body("zebra cross"));
      ASSERT_TRUE(uids.ok()) << uids.status();
      EXPECT_EQ(uids->size(), 3u);
      EXPECT_EQ(backlog(), 0u);  // the search applied the queue
    } else {
      for (int i = 0; i < 200 && backlog() > 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      EXPECT_EQ(backlog(), 0u);
    }
  }
}

// Internal and save dates and sizes come from the mailbox's columns, flag
// and sequence sets (as IMAP sends them) from UID sets: AND/OR/NOT of them
// and of text keys equal the scan of every record, and when the index and
// columns decide the key no record is read; appended messages are read
// into the column once, expunged ones never answer.
TEST_F(StoreIntegrationTest, DatesSizesAndUidSetsFromColumns) {
  bench::MailGeneratorOptions options;
  options.seed = 9;
  options.vocabulary_size = 200;
  options.median_words = 40;
  options.max_attachment_kb = 3;
  bench::MailGenerator generator(options);
  const std::vector<std::string>& words = generator.vocabulary();
  std::mt19937_64 random(17);
  const int64_t now = std::time(nullptr);
  auto append = [&](int count) {
    std::vector<std::string> texts;
    std::vector<int64_t> dates;
    std::vector<int32_t> zones;
    for (int i = 0; i < count; ++i) {
      texts.push_back(generator.Next());
      // Around midnight in zones far from UTC, some in the last days.
      dates.push_back(random() % 4 == 0
                          ? now - static_cast<int64_t>(random() % (5 * 86400))
                          : (kJan2020 + static_cast<int64_t>(random() % 40)) *
                                    86400 +
                                static_cast<int64_t>(random() % 86400));
      zones.push_back(static_cast<int32_t>(random() % 5) * 330 - 720);
    }
    Both([&](store::Store& s) {
      std::vector<store::AppendRequest> requests;
      for (int i = 0; i < count; ++i) {
        store::AppendRequest r;
        r.data = texts[i];
        r.internal_date = dates[i];
        r.internal_tz_minutes = zones[i];
        requests.push_back(r);
      }
      ASSERT_TRUE(s.Append(alice_, "Box", requests).ok());
    });
  };
  Both([&](store::Store& s) { ASSERT_TRUE(s.CreateMailbox(alice_, "Box").ok()); });
  append(200);
  // Expunge some.
  std::vector<store::Uid> gone;
  for (store::Uid uid = 1; uid <= 200; ++uid) {
    if (random() % 6 == 0) gone.push_back(uid);
  }
  Both([&](store::Store& s) {
    store::ExpungeRequest expunge;
    expunge.only_deleted = false;
    expunge.uids = gone;
    ASSERT_TRUE(s.Expunge(alice_, Id(s, "Box"), expunge).ok());
  });

  std::vector<uint64_t> sizes;
  {
    auto opened = stores_[1]->OpenMailbox(alice_, "Box");
    ASSERT_TRUE(opened.ok());
    for (const auto& m : opened->messages) sizes.push_back(m.size);
    std::sort(sizes.begin(), sizes.end());
  }
  auto leaf = [&](bool text) -> store::SearchKey {
    if (text) return Body(words[random() % 30]);
    store::SearchKey key;
    switch (random() % 7) {
      case 0:
      case 1: {
        static constexpr Kind kKinds[] = {Kind::kBefore, Kind::kOn,
                                          Kind::kSince};
        return DateKey(kKinds[random() % 3],
                       random() % 5 == 0
                           ? now / 86400 - static_cast<int64_t>(random() % 5)
                           : kJan2020 + static_cast<int64_t>(random() % 42));
      }
      case 2:
        key.kind = random() % 2 == 0 ? Kind::kLarger : Kind::kSmaller;
        key.number = static_cast<int64_t>(sizes[random() % sizes.size()]);
        return key;
      case 3:
        key.kind = random() % 2 == 0 ? Kind::kOlder : Kind::kYounger;
        key.number = static_cast<int64_t>(random() % (4 * 86400));
        return key;
      case 4:
        key.kind = random() % 2 == 0 ? Kind::kSavedSince : Kind::kSavedBefore;
        key.number = now / 86400 - static_cast<int64_t>(random() % 2);
        return key;
      default: {
        key.kind = Kind::kUids;
        for (int r = 0; r < 3; ++r) {
          const store::Uid first = 1 + random() % 240;
          key.uids.push_back({first, first + static_cast<store::Uid>(
                                                 random() % 60)});
        }
        return key;
      }
    }
  };
  // kind: 0 metadata only, 1 text only, 2 both (NOT only over one kind).
  std::function<store::SearchKey(int, int)> tree = [&](int depth, int kind) {
    if (depth == 0 || random() % 3 == 0) {
      return leaf(kind == 1 || (kind == 2 && random() % 3 == 0));
    }
    const int op = static_cast<int>(random() % 4);
    if (op == 0) {
      const int inner = kind == 2 ? static_cast<int>(random() % 2) : kind;
      return Tree(Kind::kNot, {tree(depth - 1, inner)});
    }
    return Tree(op == 1 ? Kind::kOr : Kind::kAnd,
                {tree(depth - 1, kind), tree(depth - 1, kind)});
  };

  store::internal::SearchCounters& search = store::internal::GetSearchCounters();
  auto indexed_reads = [&](const store::SearchKey& key) {
    const uint64_t before = search.records_read;
    auto uids = stores_[0]->Search(alice_, Id(*stores_[0], "Box"), key);
    EXPECT_TRUE(uids.ok()) << uids.status();
    return search.records_read - before;
  };
  int failures = 0;
  size_t proper = 0;
  for (int round = 0; round < 2; ++round) {
    const uint64_t column_before = search.column_records_read;
    for (int q = 0; q < 150 && failures < 5; ++q) {
      // A metadata-only key, alone at the top, may need a NOT over the
      // whole mailbox: the column answers that too.
      const store::SearchKey key = tree(3, q % 3 == 0 ? 0 : 2);
      size_t matches = 0;
      if (!SameAnswer("Box", key, &matches)) ++failures;
      proper += matches > 0 && matches < 150;
      EXPECT_EQ(indexed_reads(key), 0u) << Describe(key);
    }
    // The first round reads every message into the column once (both
    // searches above per key count); the second only the new ones.
    const uint64_t column_reads = search.column_records_read - column_before;
    if (round == 0) {
      EXPECT_EQ(column_reads, 200u - gone.size());
      append(25);
    } else {
      EXPECT_EQ(column_reads, 25u);
    }
  }
  EXPECT_GT(proper, 100u);
}

}  // namespace
}  // namespace mailroom::index::testing
