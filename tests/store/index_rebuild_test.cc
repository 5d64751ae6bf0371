// A text query that finds the owner's index database missing or damaged
// makes search fall back to scanning and queues one rebuild of that owner.
#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/store/store_test_util.h"

namespace mailroom::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Answers BODY keys by substring. While `lost_code` is set, a query for an
// owner fails with it, as the Xapian index does for a missing or corrupt
// owner database, until a rebuild of that owner (kRemoveOwner) is applied.
class LosingIndex : public TextIndex {
 public:
  explicit LosingIndex(absl::StatusCode lost_code) : lost_code_(lost_code) {}

  absl::Status Apply(
      const std::vector<IndexWork>& batch,
      const LoadStoredBody& load_body) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const IndexWork& w : batch) {
      if (w.op == IndexWork::kAdd) {
        auto body = load_body(w.blob_id);
        if (body.ok()) docs_[{w.mailbox, w.uid}] = *body->raw;
      } else if (w.op == IndexWork::kRemove) {
        docs_.erase({w.mailbox, w.uid});
      } else if (w.op == IndexWork::kRemoveOwner) {
        ++rebuilds_[w.owner];
        lost_.erase(w.owner);
        docs_.clear();  // one owner in these tests
      }
    }
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<Uid>> Query(const std::string& owner,
                                         MailboxId mailbox,
                                         const SearchKey& key) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (lost_.contains(owner)) {
      return absl::Status(lost_code_, "text index: no database for " + owner);
    }
    if (key.kind != SearchKey::Kind::kBody) {
      return absl::UnavailableError("unsupported");
    }
    ++answered_;
    std::vector<Uid> out;
    for (const auto& [id, body] : docs_) {
      if (id.first == mailbox && body.find(key.value) != std::string::npos) {
        out.push_back(id.second);
      }
    }
    return out;
  }
  void Lose(const std::string& owner) {
    std::lock_guard<std::mutex> lock(mu_);
    lost_.insert(owner);
    docs_.clear();
  }
  int rebuilds(const std::string& owner) {
    std::lock_guard<std::mutex> lock(mu_);
    return rebuilds_[owner];
  }
  bool lost(const std::string& owner) {
    std::lock_guard<std::mutex> lock(mu_);
    return lost_.contains(owner);
  }
  int answered() {
    std::lock_guard<std::mutex> lock(mu_);
    return answered_;
  }

 private:
  const absl::StatusCode lost_code_;
  std::mutex mu_;
  std::map<std::pair<MailboxId, Uid>, std::string> docs_;
  std::set<std::string> lost_;
  std::map<std::string, int> rebuilds_;
  int answered_ = 0;
};

class IndexRebuildTest : public ::testing::TestWithParam<absl::StatusCode> {
 protected:
  void SetUp() override {
    index_ = std::make_shared<LosingIndex>(GetParam());
    StoreOptions options = testing::TestOptions(testing::FreshDir("rebuild"));
    options.text_index = index_;
    options.log = [this](std::string_view line) {
      std::lock_guard<std::mutex> lock(log_mu_);
      log_.emplace_back(line);
    };
    store_ = OpenStore(options).value();
    ASSERT_TRUE(store_->CreateUser("alice", "pw").ok());
    inbox_ = store_->GetStatus(alice_, "INBOX")->id;
    for (const char* body : {"apple pie", "banana split", "apple juice"}) {
      std::string data = testing::MakeMessage("s", body);
      AppendRequest r{.data = data};
      ASSERT_TRUE(store_->Append(alice_, "INBOX", {r}).ok());
    }
  }
  std::vector<Uid> FindBody(const std::string& text) {
    SearchKey key;
    key.kind = SearchKey::Kind::kBody;
    key.value = text;
    auto r = store_->Search(alice_, inbox_, key);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::vector<Uid>{};
  }
  std::vector<std::string> Log() {
    std::lock_guard<std::mutex> lock(log_mu_);
    return log_;
  }
  // The indexer thread works on its own; wait (bounded) for it.
  bool WaitFor(const std::function<bool()>& done) {
    for (int i = 0; i < 1000 && !done(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
  }

  std::shared_ptr<LosingIndex> index_;
  std::unique_ptr<Store> store_;
  Principal alice_ = PrincipalIssuer::User("alice");
  MailboxId inbox_ = 0;
  std::mutex log_mu_;
  std::vector<std::string> log_;
};

TEST_P(IndexRebuildTest, ALostOwnerDatabaseIsRebuiltOnceAndUsedAgain) {
  EXPECT_THAT(FindBody("apple"), ElementsAre(1, 3));
  int answered = index_->answered();
  index_->Lose("alice");

  // Answered by scanning meanwhile; the rebuild is queued and logged.
  EXPECT_THAT(FindBody("apple"), ElementsAre(1, 3));
  ASSERT_TRUE(WaitFor([&] { return !index_->lost("alice"); }));
  EXPECT_EQ(index_->rebuilds("alice"), 1);
  std::vector<std::string> log = Log();
  ASSERT_FALSE(log.empty());
  EXPECT_THAT(log[0], HasSubstr("alice"));
  EXPECT_THAT(log[0], HasSubstr("rebuilding"));

  // The index answers again, from the rebuilt documents.
  EXPECT_THAT(FindBody("banana"), ElementsAre(2));
  EXPECT_GT(index_->answered(), answered);
  EXPECT_EQ(index_->rebuilds("alice"), 1);
  EXPECT_TRUE(store_->CheckConsistency().ok());
}

TEST_P(IndexRebuildTest, ABurstOfFailingSearchesQueuesOneRebuild) {
  index_->Lose("alice");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) EXPECT_THAT(FindBody("juice"), ElementsAre(3));
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_TRUE(WaitFor([&] { return !index_->lost("alice"); }));
  // Searches that failed before the rebuild was applied did not queue
  // another; once applied, the index answered.
  EXPECT_EQ(index_->rebuilds("alice"), 1);
  EXPECT_THAT(FindBody("juice"), ElementsAre(3));
}

INSTANTIATE_TEST_SUITE_P(MissingOrDamaged, IndexRebuildTest,
                         ::testing::Values(absl::StatusCode::kDataLoss,
                                           absl::StatusCode::kNotFound));

TEST(IndexRebuildOtherErrorsTest, TransientErrorsQueueNoRebuild) {
  auto index = std::make_shared<LosingIndex>(absl::StatusCode::kUnavailable);
  StoreOptions options = testing::TestOptions(testing::FreshDir("rebuild"));
  options.text_index = index;
  std::vector<std::string> log;
  std::mutex mu;
  options.log = [&](std::string_view line) {
    std::lock_guard<std::mutex> lock(mu);
    log.emplace_back(line);
  };
  auto store = OpenStore(options).value();
  Principal alice = PrincipalIssuer::User("alice");
  ASSERT_TRUE(store->CreateUser("alice", "pw").ok());
  ASSERT_TRUE(store->Append(alice, "INBOX",
                            {AppendRequest{.data = testing::MakeMessage(
                                               "s", "apple")}})
                  .ok());
  ASSERT_TRUE(store->CatchUpIndex().ok());
  index->Lose("alice");
  SearchKey key;
  key.kind = SearchKey::Kind::kBody;
  key.value = "apple";
  auto found = store->Search(alice, store->GetStatus(alice, "INBOX")->id, key);
  ASSERT_TRUE(found.ok());
  EXPECT_THAT(*found, ElementsAre(1));
  ASSERT_TRUE(store->CatchUpIndex().ok());
  EXPECT_EQ(index->rebuilds("alice"), 0);
  EXPECT_THAT(store->IndexBacklog().value(), IsEmpty());
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_THAT(log, IsEmpty());
}

}  // namespace
}  // namespace mailroom::store
