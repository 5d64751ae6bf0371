// SEARCH: metadata keys, brute-force text keys, and the text index path
// (catch-up before answering, fallback on index errors, queue replay).
#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <set>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/internal/search_eval.h"
#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/store/store_test_util.h"

namespace mailroom::store {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using K = SearchKey::Kind;

SearchKey Key(K kind, std::string value = "", std::string field = "") {
  SearchKey k;
  k.kind = kind;
  k.value = std::move(value);
  k.field = std::move(field);
  return k;
}
SearchKey Num(K kind, int64_t n) {
  SearchKey k;
  k.kind = kind;
  k.number = n;
  return k;
}
SearchKey Tree(K kind, std::vector<SearchKey> children) {
  SearchKey k;
  k.kind = kind;
  k.children = std::move(children);
  return k;
}

// An in-memory index that answers single BODY keys by substring on the raw
// lower-cased body; counts what it was given.
class FakeIndex : public TextIndex {
 public:
  absl::Status Apply(
      const std::vector<IndexWork>& batch,
      const LoadStoredBody& load_body) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail_apply_) return absl::UnavailableError("index down");
    for (const IndexWork& w : batch) {
      applied_seqs_.push_back(w.seq);
      if (w.op == IndexWork::kAdd) {
        auto body = load_body(w.blob_id);
        if (!body.ok()) continue;  // expunged since: a removal follows
        std::string lower = *body->raw;
        std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
        docs_[{w.mailbox, w.uid}] = lower;
      } else if (w.op == IndexWork::kRemove) {
        docs_.erase({w.mailbox, w.uid});
      } else {
        std::erase_if(docs_, [&](const auto& d) {
          return w.op == IndexWork::kRemoveOwner || d.first.first == w.mailbox;
        });
      }
    }
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<Uid>> Query(const std::string& owner,
                                         MailboxId mailbox,
                                         const SearchKey& key) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++queries_;
    if (fail_query_ || key.kind != K::kBody) {
      return absl::UnavailableError("unsupported");
    }
    std::string needle = key.value;
    std::transform(needle.begin(), needle.end(), needle.begin(), ::tolower);
    std::vector<Uid> out;
    for (const auto& [id, body] : docs_) {
      if (id.first == mailbox && body.find(needle) != std::string::npos) {
        out.push_back(id.second);
      }
    }
    // UIDs the store does not have (as a lagging index might return).
    out.insert(out.end(), phantom_uids_.begin(), phantom_uids_.end());
    return out;
  }
  void set_fail_query(bool f) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_query_ = f;
  }
  void set_fail_apply(bool f) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_apply_ = f;
  }
  void set_phantom_uids(std::vector<Uid> uids) {
    std::lock_guard<std::mutex> lock(mu_);
    phantom_uids_ = std::move(uids);
  }
  size_t docs() {
    std::lock_guard<std::mutex> lock(mu_);
    return docs_.size();
  }
  int queries() {
    std::lock_guard<std::mutex> lock(mu_);
    return queries_;
  }
  std::vector<uint64_t> applied_seqs() {
    std::lock_guard<std::mutex> lock(mu_);
    return applied_seqs_;
  }

 private:
  std::mutex mu_;
  std::map<std::pair<MailboxId, Uid>, std::string> docs_;
  std::vector<uint64_t> applied_seqs_;
  std::vector<Uid> phantom_uids_;
  bool fail_query_ = false;
  bool fail_apply_ = false;
  int queries_ = 0;
};

class SearchTest : public ::testing::Test {
 protected:
  void Open(std::shared_ptr<TextIndex> index) {
    store_.reset();
    StoreOptions options = testing::TestOptions(dir_);
    options.text_index = std::move(index);
    store_ = OpenStore(options).value();
  }
  void SetUp() override {
    dir_ = testing::FreshDir("search");
    Open(nullptr);
    ASSERT_TRUE(store_->CreateUser("alice", "pw").ok());
    inbox_ = store_->GetStatus(alice_, "INBOX")->id;
    // 1: plain, 2: encoded subject, 3: flagged with keyword, 4: large.
    Add(testing::MakeMessage("Hello World", "The quick brown fox"),
        {kSeen, {}}, 86400 * 100, 0);
    Add("From: =?UTF-8?Q?J=C3=B6rg?= <joerg@example.de>\r\n"
        "Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n"
        "Date: Tue, 1 Mar 2022 23:30:00 -0500\r\n\r\nStra\xc3\x9f" "e body\r\n",
        {kFlagged, {"$Important"}}, 86400 * 100 + 3600 * 23, 120);
    Add(testing::MakeMessage("third", "nothing here"), {kDeleted, {"Work"}},
        86400 * 101, -300);
    Add(testing::MakeMessage("big", std::string(5000, 'b')), {0, {}},
        std::time(nullptr) - 10, 0);
  }
  void Add(const std::string& data, Flags flags, int64_t date, int32_t tz) {
    AppendRequest r{.data = data, .flags = flags, .internal_date = date,
                    .internal_tz_minutes = tz};
    ASSERT_TRUE(store_->Append(alice_, "INBOX", {r}).ok());
  }
  std::vector<Uid> Find(const SearchKey& key) {
    auto r = store_->Search(alice_, inbox_, key);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::vector<Uid>{};
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
  Principal alice_ = PrincipalIssuer::User("alice");
  MailboxId inbox_ = 0;
};

TEST_F(SearchTest, MetadataKeys) {
  EXPECT_THAT(Find(Key(K::kAll)), ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(Find(Num(K::kFlagSet, kSeen)), ElementsAre(1));
  EXPECT_THAT(Find(Num(K::kFlagClear, kSeen | kDeleted)), ElementsAre(2, 4));
  EXPECT_THAT(Find(Key(K::kKeyword, "$important")), ElementsAre(2));
  EXPECT_THAT(Find(Key(K::kUnkeyword, "WORK")), ElementsAre(1, 2, 4));
  SearchKey uids = Key(K::kUids);
  uids.uids = {{2, 3}, {9, 4}};
  EXPECT_THAT(Find(uids), ElementsAre(2, 3, 4));
  EXPECT_THAT(Find(Num(K::kLarger, 1000)), ElementsAre(4));
  EXPECT_THAT(Find(Num(K::kSmaller, 1000)), ElementsAre(1, 2, 3));
  // Message 2 was given at 23:00 UTC in +02:00, i.e. the next local day;
  // message 3 at midnight UTC of day 101 in -05:00, still day 100 there.
  EXPECT_THAT(Find(Num(K::kOn, 100)), ElementsAre(1, 3));
  EXPECT_THAT(Find(Num(K::kOn, 101)), ElementsAre(2));
  EXPECT_THAT(Find(Num(K::kBefore, 101)), ElementsAre(1, 3));
  EXPECT_THAT(Find(Tree(K::kAnd, {Num(K::kSince, 101), Num(K::kBefore, 102)})),
              ElementsAre(2));
  EXPECT_THAT(Find(Num(K::kYounger, 3600)), ElementsAre(4));
  EXPECT_THAT(Find(Num(K::kOlder, 3600)), ElementsAre(1, 2, 3));
  auto metas = store_->GetMessages(alice_, inbox_, {3}).value();
  EXPECT_THAT(Find(Num(K::kModSeq, metas[0].modseq)), ElementsAre(3, 4));
  EXPECT_THAT(Find(Tree(K::kNot, {Num(K::kFlagSet, kSeen)})),
              ElementsAre(2, 3, 4));
  EXPECT_THAT(Find(Tree(K::kOr, {Num(K::kFlagSet, kSeen),
                                 Key(K::kKeyword, "work")})),
              ElementsAre(1, 3));
  EXPECT_THAT(Find(Tree(K::kAnd, {})), ElementsAre(1, 2, 3, 4));
}

TEST_F(SearchTest, SaveDates) {
  // Appended just now, whatever their internal dates (days 100-101).
  const int64_t now = std::time(nullptr);
  absl::StatusOr<std::vector<MessageMeta>> metas =
      store_->GetMessages(alice_, inbox_, {1, 2, 3, 4});
  ASSERT_TRUE(metas.ok()) << metas.status();
  ASSERT_EQ(metas->size(), 4u);
  for (size_t i = 0; i < metas->size(); ++i) {
    EXPECT_LE(std::abs((*metas)[i].save_date - now), 600) << i;
  }
  EXPECT_THAT(Find(Num(K::kSavedOlder, 3600)), IsEmpty());
  EXPECT_THAT(Find(Num(K::kSavedYounger, 3600)), ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(Find(Num(K::kSavedSince, (now - 600) / 86400)),
              ElementsAre(1, 2, 3, 4));

  // Only an administrator may give a save date (restore, migration).
  const std::string data = testing::MakeMessage("restored", "b");
  AppendRequest old{.data = data, .internal_date = 86400 * 100};
  old.save_date = now - 40 * 86400;
  EXPECT_TRUE(absl::IsPermissionDenied(
      store_->Append(alice_, "INBOX", {old}).status()));
  auto appended =
      store_->Append(PrincipalIssuer::Admin("alice"), "INBOX", {old});
  ASSERT_TRUE(appended.ok()) << appended.status();
  EXPECT_THAT(Find(Num(K::kSavedOlder, 30 * 86400)), ElementsAre(5));
  EXPECT_THAT(Find(Num(K::kSavedBefore, now / 86400 - 39)), ElementsAre(5));
  EXPECT_THAT(Find(Num(K::kSavedOn, (now - 40 * 86400) / 86400)),
              ElementsAre(5));

  // A copy is saved anew; it keeps the internal date.
  ASSERT_TRUE(store_->Copy(alice_, inbox_, {5}, "INBOX").ok());
  absl::StatusOr<std::vector<MessageMeta>> copy =
      store_->GetMessages(alice_, inbox_, {6});
  ASSERT_TRUE(copy.ok()) << copy.status();
  ASSERT_EQ(copy->size(), 1u);
  EXPECT_LE(std::abs(copy->front().save_date - now), 600);
  EXPECT_EQ(copy->front().internal_date, 86400 * 100);
  EXPECT_THAT(Find(Num(K::kSavedOlder, 30 * 86400)), ElementsAre(5));
}

TEST_F(SearchTest, SentDatesUseTheDateHeaderInItsOwnZone) {
  // Mon, 7 Feb 1994 21:52:25 -0800 is day 8803 there (8804 in UTC).
  EXPECT_THAT(Find(Num(K::kSentOn, 8803)), ElementsAre(1, 3, 4));
  // Tue, 1 Mar 2022 23:30 -0500 is 2022-03-01 = day 19052.
  EXPECT_THAT(Find(Num(K::kSentOn, 19052)), ElementsAre(2));
  EXPECT_THAT(Find(Num(K::kSentBefore, 19052)), ElementsAre(1, 3, 4));
  EXPECT_THAT(Find(Num(K::kSentSince, 19052)), ElementsAre(2));
}

TEST_F(SearchTest, TextKeysByBruteForce) {
  EXPECT_THAT(Find(Key(K::kHeader, "hello", "subject")), ElementsAre(1));
  EXPECT_THAT(Find(Key(K::kHeader, "GRÜSSE", "subject")), ElementsAre(2));
  EXPECT_THAT(Find(Key(K::kHeader, "jörg", "from")), ElementsAre(2));
  EXPECT_THAT(Find(Key(K::kHeader, "joerg@example", "from")), ElementsAre(2));
  EXPECT_THAT(Find(Key(K::kHeader, "alice", "from")), ElementsAre(1, 3, 4));
  EXPECT_THAT(Find(Key(K::kHeader, "", "message-id")), ElementsAre(1, 3, 4));
  EXPECT_THAT(Find(Key(K::kHeader, "", "x-missing")), IsEmpty());
  EXPECT_THAT(Find(Key(K::kBody, "QUICK brown")), ElementsAre(1));
  EXPECT_THAT(Find(Key(K::kBody, "hello")), IsEmpty());  // subject only
  EXPECT_THAT(Find(Key(K::kText, "hello")), ElementsAre(1));
  EXPECT_THAT(Find(Key(K::kText, "strasse")), ElementsAre(2));
  EXPECT_THAT(Find(Tree(K::kAnd, {Key(K::kText, "example"),
                                  Num(K::kFlagSet, kFlagged)})),
              ElementsAre(2));
}

TEST_F(SearchTest, TextIndexIsCaughtUpBeforeAnswering) {
  auto index = std::make_shared<FakeIndex>();
  index->set_fail_apply(true);  // keep the background thread from helping
  Open(index);
  Add(testing::MakeMessage("late", "a needle in the body"), {0, {}}, 0, 0);
  index->set_fail_apply(false);
  // The index can only know message 5 if Search applied the queue first.
  EXPECT_THAT(Find(Key(K::kBody, "NEEDLE")), ElementsAre(5));
  EXPECT_EQ(index->docs(), 5u);
  EXPECT_GT(index->queries(), 0);
  EXPECT_EQ(store_->GetStats()->index_queue, 0u);
  // Combined with metadata, and with a key the index refuses (fallback).
  EXPECT_THAT(Find(Tree(K::kAnd, {Key(K::kBody, "needle"),
                                  Num(K::kFlagClear, kSeen)})),
              ElementsAre(5));
  EXPECT_THAT(Find(Key(K::kHeader, "late", "subject")), ElementsAre(5));
  index->set_fail_query(true);
  EXPECT_THAT(Find(Key(K::kBody, "needle")), ElementsAre(5));
  // Applied in queue order.
  auto seqs = index->applied_seqs();
  EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end()));
  // Expunge reaches the index too.
  index->set_fail_query(false);
  ASSERT_TRUE(store_->Expunge(alice_, inbox_,
                              {.only_deleted = false,
                               .uids = std::vector<Uid>{5}})
                  .ok());
  EXPECT_THAT(Find(Key(K::kBody, "needle")), IsEmpty());
  EXPECT_EQ(index->docs(), 4u);
}

TEST_F(SearchTest, QueuedWorkIsAppliedAfterReopen) {
  // Work queued while no index was attached (as after a crash) is replayed
  // by the background thread once one is.
  auto index = std::make_shared<FakeIndex>();
  Open(index);
  for (int i = 0; i < 200 && store_->GetStats()->index_queue > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(store_->GetStats()->index_queue, 0u);
  EXPECT_EQ(index->docs(), 4u);
  EXPECT_THAT(store_->IndexBacklog().value(), IsEmpty());
  ASSERT_TRUE(store_->Reindex("alice").ok());
  ASSERT_TRUE(store_->CatchUpIndex().ok());
  EXPECT_EQ(index->docs(), 4u);
}

TEST_F(SearchTest, ASearchWithNothingQueuedDoesNotReadTheQueue) {
  internal::SearchCounters& counters = internal::GetSearchCounters();
  auto index = std::make_shared<FakeIndex>();
  Open(index);
  // The four appends of SetUp were queued before this open: the first
  // search must still apply them.
  EXPECT_THAT(Find(Key(K::kBody, "quick")), ElementsAre(1));
  ASSERT_TRUE(store_->CatchUpIndex().ok());

  const uint64_t scans = counters.index_queue_scans;
  EXPECT_THAT(Find(Key(K::kBody, "quick")), ElementsAre(1));
  EXPECT_THAT(Find(Key(K::kBody, "fox")), ElementsAre(1));
  EXPECT_EQ(counters.index_queue_scans, scans);

  // A new message is in the very next answer.
  Add(testing::MakeMessage("later", "quick again"), {0, {}}, 86400 * 102, 0);
  EXPECT_THAT(Find(Key(K::kBody, "quick")), ElementsAre(1, 5));
  EXPECT_GT(counters.index_queue_scans, scans);
  const uint64_t drained = counters.index_queue_scans;
  EXPECT_THAT(Find(Key(K::kBody, "again")), ElementsAre(5));
  EXPECT_EQ(counters.index_queue_scans, drained);
}

TEST_F(SearchTest, ASearchDuringADeliveryBurstReadsTheQueuedMessagesItself) {
  internal::SearchCounters& counters = internal::GetSearchCounters();
  auto index = std::make_shared<FakeIndex>();
  Open(index);
  ASSERT_TRUE(store_->CatchUpIndex().ok());
  // From here on nothing reaches the index: a search that tried to index
  // the burst first would fail to and fall back to reading every message.
  index->set_fail_apply(true);
  std::vector<std::string> bodies;
  std::vector<AppendRequest> burst;
  for (int i = 0; i < 100; ++i) {
    // Each body its own blob, so each message's text is decoded once.
    bodies.push_back(testing::MakeMessage(
        "burst", (i % 10 == 0 ? "a needle here " : "hay ") + std::to_string(i)));
  }
  for (const std::string& body : bodies) burst.push_back({.data = body});
  ASSERT_TRUE(store_->Append(alice_, "INBOX", burst).ok());  // UIDs 5-104

  const uint64_t read = counters.unindexed_read;
  const uint64_t decoded = counters.unindexed_decoded;
  const int queries = index->queries();
  EXPECT_THAT(Find(Key(K::kBody, "needle")),
              ElementsAre(5, 15, 25, 35, 45, 55, 65, 75, 85, 95));
  EXPECT_THAT(Find(Key(K::kBody, "quick")), ElementsAre(1));
  EXPECT_EQ(index->queries() - queries, 2);
  EXPECT_EQ(counters.unindexed_read - read, 200u);
  // The second search matches the text the first one decoded.
  EXPECT_EQ(counters.unindexed_decoded - decoded, 100u);
  EXPECT_EQ(Find(Key(K::kBody, "hay")).size(), 90u);
  EXPECT_EQ(counters.unindexed_decoded - decoded, 100u);

  // A few queued: indexed before answering, as always.
  index->set_fail_apply(false);
  ASSERT_TRUE(store_->CatchUpIndex().ok());
  Add(testing::MakeMessage("one more", "needle again"), {0, {}}, 86400 * 102,
      0);
  EXPECT_THAT(Find(Key(K::kBody, "needle")),
              ElementsAre(5, 15, 25, 35, 45, 55, 65, 75, 85, 95, 105));
  EXPECT_EQ(counters.unindexed_read - read, 300u);
  EXPECT_EQ(index->docs(), 105u);
}

TEST_F(SearchTest, IndexBoundedQueriesMatchTheFullScan) {
  // Enough messages for several candidate batches, with words and flags
  // spread so that the trees below select different subsets.
  for (int i = 0; i < 700; ++i) {
    std::string body = "message " + std::to_string(i);
    if (i % 3 == 0) body += " alpha";
    if (i % 5 == 0) body += " beta";
    if (i % 7 == 0) body += " gamma";
    Add(testing::MakeMessage("bulk " + std::to_string(i), body),
        {i % 2 == 0 ? static_cast<uint32_t>(kSeen) : 0u, {}}, 86400 * 200, 0);
  }
  std::vector<Uid> gone;
  for (Uid uid = 10; uid < 700; uid += 11) gone.push_back(uid);
  ASSERT_TRUE(store_->Expunge(alice_, inbox_,
                              {.only_deleted = false, .uids = gone})
                  .ok());
  auto body = [](const char* word) { return Key(K::kBody, word); };
  std::vector<SearchKey> queries = {
      body("alpha"),
      Tree(K::kAnd, {body("alpha"), Num(K::kFlagSet, kSeen)}),
      Tree(K::kAnd, {Num(K::kFlagClear, kSeen), body("beta"), body("alpha")}),
      Tree(K::kOr, {body("alpha"), body("gamma")}),
      Tree(K::kOr, {Tree(K::kAnd, {body("beta"), Num(K::kFlagSet, kSeen)}),
                    body("gamma")}),
      // Not bounded: these must still see every message.
      Tree(K::kOr, {body("alpha"), Num(K::kFlagSet, kSeen)}),
      Tree(K::kNot, {body("alpha")}),
      Tree(K::kAnd, {Tree(K::kNot, {body("alpha")}), body("beta")}),
      Tree(K::kAnd, {}),
  };
  std::vector<std::vector<Uid>> scanned;
  for (const SearchKey& q : queries) scanned.push_back(Find(q));

  auto index = std::make_shared<FakeIndex>();
  Open(index);
  ASSERT_TRUE(store_->CatchUpIndex().ok());
  // Expunged and never-assigned UIDs from the index must not leak through.
  index->set_phantom_uids({10, 21, 100000});
  for (size_t i = 0; i < queries.size(); ++i) {
    EXPECT_EQ(Find(queries[i]), scanned[i]) << "query " << i;
  }
  EXPECT_GT(index->queries(), 0);
  EXPECT_FALSE(scanned[0].empty());
  EXPECT_TRUE(std::is_sorted(scanned[3].begin(), scanned[3].end()));
}

}  // namespace
}  // namespace mailroom::store
