// StoreOptions::max_keywords_per_mailbox: a command that would bring one
// keyword too many into a mailbox is refused whole, known keywords stay
// usable, room comes back once no message carries a keyword, and delivery
// drops what does not fit instead of failing.
#include <functional>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/store/store_damage.h"
#include "tests/store/store_test_util.h"

namespace mailroom::store {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class KeywordLimitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_ = testing::TestOptions(testing::FreshDir("keyword_limit"));
    options_.max_keywords_per_mailbox = 3;
    Reopen();
    ASSERT_TRUE(store_->CreateUser("alice", "secret-a").ok());
    ASSERT_TRUE(store_->CreateMailbox(alice_, "Other").ok());
    ASSERT_TRUE(Append("INBOX", {}).ok());
    inbox_ = store_->GetStatus(alice_, "INBOX").value().id;
  }
  void TearDown() override { EXPECT_TRUE(store_->CheckConsistency().ok()); }

  absl::StatusOr<AppendResult> Append(std::string_view mailbox,
                                      std::vector<std::string> keywords) {
    AppendRequest r;
    r.data = testing::MakeMessage("kw", "body");
    r.flags.keywords = std::move(keywords);
    return store_->Append(alice_, mailbox, {r});
  }
  absl::Status StoreKeywords(FlagOp op, std::vector<std::string> keywords,
                     std::vector<Uid> uids = {1}) {
    StoreFlagsRequest request;
    request.uids = std::move(uids);
    request.op = op;
    request.flags.keywords = std::move(keywords);
    return store_->StoreFlags(alice_, inbox_, request).status();
  }
  std::vector<std::string> KeywordsOf(Uid uid) {
    auto metas = store_->GetMessages(alice_, inbox_, {uid});
    EXPECT_TRUE(metas.ok() && metas->size() == 1);
    if (!metas.ok() || metas->size() != 1) return {"missing"};
    return (*metas)[0].flags.keywords;
  }
  bool Full(std::string_view mailbox) {
    return store_->OpenMailbox(alice_, mailbox).value().status.keywords_full;
  }

  void Reopen() {
    store_.reset();
    auto s = OpenStore(options_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
  }
  // Closes the store, damages it with `fn`, and opens it again.
  void Damage(const std::function<absl::Status(testing::StoreDamage&)>& fn) {
    store_.reset();
    {
      auto damage = testing::StoreDamage::Open(options_);
      ASSERT_TRUE(damage.ok()) << damage.status();
      absl::Status s = fn(**damage);
      ASSERT_TRUE(s.ok()) << s;
    }
    Reopen();
  }
  // The problems Verify finds (repairing them when `repair`).
  std::vector<std::string> Problems(bool repair) {
    auto report = store_->Verify("", repair, nullptr);
    EXPECT_TRUE(report.ok()) << report.status();
    std::vector<std::string> problems;
    if (!report.ok()) return {"verify failed"};
    for (const VerifyProblem& p : report->problems) {
      problems.push_back(p.problem);
    }
    return problems;
  }

  StoreOptions options_;
  std::unique_ptr<Store> store_;
  Principal alice_ = PrincipalIssuer::User("alice");
  MailboxId inbox_ = 0;
};

TEST_F(KeywordLimitTest, StorePastTheBoundIsRefusedAndChangesNothing) {
  ASSERT_TRUE(StoreKeywords(FlagOp::kAdd, {"a", "b"}).ok());
  EXPECT_FALSE(Full("INBOX"));
  ASSERT_TRUE(StoreKeywords(FlagOp::kAdd, {"c"}).ok());
  EXPECT_TRUE(Full("INBOX"));
  const absl::Status refused = StoreKeywords(FlagOp::kAdd, {"d", "A"});
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << refused;
  EXPECT_THAT(KeywordsOf(1), ElementsAre("a", "b", "c"));
  // Known keywords (any case) still go on and off; removal is never refused.
  EXPECT_TRUE(StoreKeywords(FlagOp::kRemove, {"d", "B"}).ok());
  EXPECT_TRUE(StoreKeywords(FlagOp::kReplace, {"C"}).ok());
  EXPECT_THAT(KeywordsOf(1), ElementsAre("C"));
}

TEST_F(KeywordLimitTest, AppendAndCopyArePartOfTheSameBound) {
  ASSERT_TRUE(StoreKeywords(FlagOp::kAdd, {"a", "b", "c"}).ok());
  EXPECT_EQ(Append("INBOX", {"z"}).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(store_->GetStatus(alice_, "INBOX")->messages, 1u);
  EXPECT_TRUE(Append("INBOX", {"b"}).ok());

  // Other holds three keywords of its own; a copy bringing "a" is refused.
  ASSERT_TRUE(Append("Other", {"x", "y", "w"}).ok());
  auto copy = store_->Copy(alice_, inbox_, {1}, "Other");
  EXPECT_EQ(copy.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(store_->GetStatus(alice_, "Other")->messages, 1u);
  auto move = store_->Move(alice_, inbox_, {1}, "Other");
  EXPECT_EQ(move.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(store_->GetStatus(alice_, "INBOX")->messages, 2u);
}

TEST_F(KeywordLimitTest, KeywordsNoMessageCarriesStopCounting) {
  ASSERT_TRUE(StoreKeywords(FlagOp::kAdd, {"a", "b", "c"}).ok());
  ASSERT_TRUE(StoreKeywords(FlagOp::kRemove, {"a", "b", "c"}).ok());
  // The mailbox remembers them until a new one needs the room.
  EXPECT_TRUE(Full("INBOX"));
  EXPECT_TRUE(StoreKeywords(FlagOp::kAdd, {"d", "e", "f"}).ok());
  EXPECT_THAT(KeywordsOf(1), ElementsAre("d", "e", "f"));
}

TEST_F(KeywordLimitTest, DeliveryKeepsWhatFitsAndNeverFails) {
  ASSERT_TRUE(StoreKeywords(FlagOp::kAdd, {"a", "b"}).ok());
  DeliveryTarget target;
  target.user = "alice";
  target.flags.keywords = {"b", "c", "d", "e"};
  auto results = store_->Deliver({target}, testing::MakeMessage("in", "x"));
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0].ok()) << results[0].status();
  // "b" was known; "c" took the last place; "d" and "e" were dropped.
  EXPECT_THAT(KeywordsOf(results[0]->uids[0]), ElementsAre("b", "c"));
  EXPECT_TRUE(Full("INBOX"));
}

TEST_F(KeywordLimitTest, EmptyMailboxIsNotFull) {
  EXPECT_FALSE(Full("Other"));
  EXPECT_THAT(KeywordsOf(1), IsEmpty());
}

TEST_F(KeywordLimitTest, OlderStatesWithTheListInlineKeepTheBoundAndMoveIt) {
  ASSERT_TRUE(StoreKeywords(FlagOp::kAdd, {"a", "b", "c"}).ok());
  Damage([](testing::StoreDamage& d) {
    return d.InlineKeywordList("alice", "INBOX");
  });
  // Read from the older record: still full, still refusing a fourth.
  EXPECT_TRUE(Full("INBOX"));
  EXPECT_EQ(StoreKeywords(FlagOp::kAdd, {"d"}).code(),
            absl::StatusCode::kResourceExhausted);
  // A write moves the list to its own key; nothing is lost on the way.
  StoreFlagsRequest seen;
  seen.uids = {1};
  seen.op = FlagOp::kAdd;
  seen.flags.system = kSeen;
  ASSERT_TRUE(store_->StoreFlags(alice_, inbox_, seen).ok());
  Reopen();
  EXPECT_TRUE(Full("INBOX"));
  EXPECT_THAT(Problems(false), IsEmpty());
  EXPECT_TRUE(StoreKeywords(FlagOp::kAdd, {"B"}).ok());
  EXPECT_EQ(StoreKeywords(FlagOp::kAdd, {"d"}).code(),
            absl::StatusCode::kResourceExhausted);
}

TEST_F(KeywordLimitTest, VerifyFindsALostListAndRepairRebuildsIt) {
  ASSERT_TRUE(StoreKeywords(FlagOp::kAdd, {"a", "b"}).ok());
  Damage([](testing::StoreDamage& d) {
    return d.DropKeywordList("alice", "INBOX");
  });
  std::vector<std::string> problems = Problems(/*repair=*/true);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], ::testing::HasSubstr("keyword"));
  EXPECT_THAT(Problems(false), IsEmpty());
  // The rebuilt list counts both: one more fits, a second does not.
  EXPECT_TRUE(StoreKeywords(FlagOp::kAdd, {"c"}).ok());
  EXPECT_EQ(StoreKeywords(FlagOp::kAdd, {"d"}).code(),
            absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace mailroom::store
