// The outbound queue: admins queue, the relay worker claims (exclusively,
// even when several claim at once), defers and removes; the limit holds and
// the queue survives reopening the store.
#include <algorithm>
#include <ctime>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/store/store_test_util.h"

namespace mailroom::store {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class OutboundTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void TearDown() override {
    if (store_ != nullptr) {
      EXPECT_TRUE(store_->CheckConsistency().ok());
    }
  }
  void Open() {
    store_.reset();
    auto s = OpenStore(options_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
  }
  static OutboundMessage Message(std::string to, std::string from = "") {
    OutboundMessage m;
    m.envelope_from = std::move(from);
    m.recipients = {std::move(to)};
    m.data = testing::MakeMessage("away", "I am away.");
    m.reason = "vacation alice";
    return m;
  }
  std::string Queue(std::string to) {
    auto id = store_->QueueOutbound(admin_, Message(std::move(to)));
    EXPECT_TRUE(id.ok()) << id.status();
    return id.value_or("");
  }
  static std::vector<std::string> Ids(const std::vector<OutboundMessage>& ms) {
    std::vector<std::string> ids;
    for (const auto& m : ms) ids.push_back(m.id);
    return ids;
  }

  StoreOptions options_ =
      testing::TestOptions(testing::FreshDir("outbound"));
  std::unique_ptr<Store> store_;
  const Principal admin_ = PrincipalIssuer::Admin();
  const int64_t now_ = static_cast<int64_t>(std::time(nullptr));
};

TEST_F(OutboundTest, OnlyAdminsQueue) {
  ASSERT_TRUE(store_->CreateUser("alice", "secret").ok());
  EXPECT_EQ(store_->QueueOutbound(PrincipalIssuer::User("alice"),
                                  Message("bob@example.org"))
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  OutboundMessage nobody = Message("x@example.org");
  nobody.recipients.clear();
  EXPECT_EQ(store_->QueueOutbound(admin_, nobody).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(store_->ListOutbound().value(), IsEmpty());
}

TEST_F(OutboundTest, QueueListClaimRemove) {
  const std::string a = Queue("a@example.org");
  const std::string b = Queue("b@example.org");
  ASSERT_NE(a, b);
  auto listed = store_->ListOutbound();
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_THAT(Ids(*listed), ElementsAre(a, b));  // oldest first
  EXPECT_TRUE((*listed)[0].data.empty());
  EXPECT_EQ((*listed)[0].reason, "vacation alice");
  EXPECT_EQ((*listed)[0].envelope_from, "");
  EXPECT_GE((*listed)[0].queued_at, now_);

  auto claimed = store_->ClaimOutbound(now_ + 1, 60, 10);
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  ASSERT_THAT(Ids(*claimed), ElementsAre(a, b));
  EXPECT_EQ((*claimed)[0].data, Message("").data);
  EXPECT_THAT((*claimed)[0].recipients, ElementsAre("a@example.org"));
  EXPECT_EQ((*claimed)[0].attempts, 1u);
  EXPECT_EQ((*claimed)[0].next_attempt_at, now_ + 61);
  // Claimed: nobody else gets them until the claim runs out.
  EXPECT_THAT(store_->ClaimOutbound(now_ + 30, 60, 10).value(), IsEmpty());
  claimed = store_->ClaimOutbound(now_ + 61, 60, 1);
  ASSERT_THAT(Ids(*claimed), ElementsAre(a));
  EXPECT_EQ((*claimed)[0].attempts, 2u);

  ASSERT_TRUE(store_->RemoveOutbound(a).ok());
  ASSERT_TRUE(store_->RemoveOutbound(a).ok());  // gone already: fine
  EXPECT_THAT(Ids(store_->ListOutbound().value()), ElementsAre(b));
}

TEST_F(OutboundTest, DeferKeepsErrorAndWaits) {
  const std::string a = Queue("a@example.org");
  ASSERT_THAT(store_->ClaimOutbound(now_ + 1, 600, 10).value(), SizeIs(1));
  ASSERT_TRUE(store_->DeferOutbound(a, now_ + 100, "451 4.3.0 try later").ok());
  EXPECT_THAT(store_->ClaimOutbound(now_ + 99, 600, 10).value(), IsEmpty());
  auto listed = store_->ListOutbound().value();
  ASSERT_THAT(listed, SizeIs(1));
  EXPECT_EQ(listed[0].last_error, "451 4.3.0 try later");
  EXPECT_EQ(listed[0].next_attempt_at, now_ + 100);
  auto claimed = store_->ClaimOutbound(now_ + 100, 600, 10).value();
  ASSERT_THAT(Ids(claimed), ElementsAre(a));
  EXPECT_EQ(claimed[0].attempts, 2u);
  // The worker handing it back "now" makes it due at once.
  ASSERT_TRUE(store_->DeferOutbound(a, now_, "handed back").ok());
  EXPECT_THAT(store_->ClaimOutbound(now_ + 1, 600, 10).value(), SizeIs(1));
  EXPECT_EQ(store_->DeferOutbound("0123456789abcdef01234567", now_, "")
                .code(),
            absl::StatusCode::kNotFound);
}

// mailroomctl queue flush: what waits for a retry becomes due now; what a
// worker is sending stays with it, so it is never sent twice, and becomes
// due again only when the claim runs out (the worker died mid-send).
TEST_F(OutboundTest, FlushSkipsMessagesBeingSent) {
  const std::string sending = Queue("a@example.org");
  ASSERT_THAT(Ids(store_->ClaimOutbound(now_ + 1, 600, 1).value()),
              ElementsAre(sending));
  const std::string waiting = Queue("b@example.org");
  ASSERT_THAT(Ids(store_->ClaimOutbound(now_ + 1, 600, 1).value()),
              ElementsAre(waiting));
  ASSERT_TRUE(store_->DeferOutbound(waiting, now_ + 300, "451 later").ok());

  auto listed = store_->ListOutbound().value();
  ASSERT_THAT(Ids(listed), ElementsAre(sending, waiting));
  EXPECT_EQ(listed[0].claimed_until, now_ + 601);
  EXPECT_EQ(listed[1].claimed_until, 0);

  auto flushed = store_->FlushOutbound(now_ + 2);
  ASSERT_TRUE(flushed.ok()) << flushed.status();
  EXPECT_EQ(*flushed, 1u);
  // Another worker finds only the deferred one.
  EXPECT_THAT(Ids(store_->ClaimOutbound(now_ + 3, 600, 10).value()),
              ElementsAre(waiting));
  // A worker that died mid-send: its claim runs out, a flush is not needed.
  EXPECT_EQ(store_->FlushOutbound(now_ + 4).value(), 0u);
  EXPECT_THAT(Ids(store_->ClaimOutbound(now_ + 601, 600, 10).value()),
              ElementsAre(sending));
}

TEST_F(OutboundTest, LimitRefusesThenRecovers) {
  options_.outbound_max_queued = 3;
  Open();
  for (int i = 0; i < 3; ++i) Queue(absl::StrCat(i, "@example.org"));
  auto over = store_->QueueOutbound(admin_, Message("x@example.org"));
  ASSERT_EQ(over.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(absl::StartsWith(over.status().message(), "LIMIT"))
      << over.status();
  ASSERT_TRUE(store_->RemoveOutbound(store_->ListOutbound()->at(0).id).ok());
  EXPECT_TRUE(store_->QueueOutbound(admin_, Message("x@example.org")).ok());
  EXPECT_THAT(store_->ListOutbound().value(), SizeIs(3));
}

TEST_F(OutboundTest, ConcurrentClaimsNeverShareAMessage) {
  constexpr int kMessages = 40;
  std::set<std::string> queued;
  for (int i = 0; i < kMessages; ++i) {
    queued.insert(Queue(absl::StrCat(i, "@example.org")));
  }
  absl::Mutex mu;
  std::vector<std::string> taken;
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      for (;;) {
        auto claimed = store_->ClaimOutbound(now_ + 1, 600, 3);
        ASSERT_TRUE(claimed.ok()) << claimed.status();
        if (claimed->empty()) return;
        absl::MutexLock lock(&mu);
        for (const auto& m : *claimed) taken.push_back(m.id);
      }
    });
  }
  for (auto& t : workers) t.join();
  std::sort(taken.begin(), taken.end());
  EXPECT_EQ(std::adjacent_find(taken.begin(), taken.end()), taken.end())
      << "a message was claimed twice";
  EXPECT_EQ(std::set<std::string>(taken.begin(), taken.end()), queued);
}

TEST_F(OutboundTest, SurvivesReopen) {
  const std::string a = Queue("a@example.org");
  ASSERT_THAT(store_->ClaimOutbound(now_ + 1, 5, 10).value(), SizeIs(1));
  Open();
  auto listed = store_->ListOutbound().value();
  ASSERT_THAT(Ids(listed), ElementsAre(a));
  EXPECT_EQ(listed[0].attempts, 1u);
  // The claim of a worker that died runs out.
  EXPECT_THAT(Ids(store_->ClaimOutbound(now_ + 6, 5, 10).value()),
              ElementsAre(a));
}

}  // namespace
}  // namespace mailroom::store
