// Many threads appending to and flagging one mailbox. Each thread owns one
// keyword, so the final keyword set of every message is known exactly.
#include <algorithm>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "gtest/gtest.h"
#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/store/store_test_util.h"

// RocksDB is not built with ThreadSanitizer; its internal synchronisation is
// invisible to TSan, so reports from inside it are not ours to judge. (The
// same holds for Debian's Abseil: this test guards its own bookkeeping with
// std::mutex, which TSan intercepts, rather than absl::Mutex.)
extern "C" const char* __tsan_default_suppressions() {
  return "called_from_lib:librocksdb.so\nrace:librocksdb.so\n";
}

namespace mailroom::store {
namespace {

constexpr int kThreads = 8;
constexpr int kAppendsPerThread = 30;

TEST(ConcurrencyTest, ParallelAppendsAndFlagUpdatesLoseNothing) {
  std::string dir = testing::FreshDir("concurrency");
  auto opened = OpenStore(testing::TestOptions(dir));
  ASSERT_TRUE(opened.ok()) << opened.status();
  Store& store = **opened;
  ASSERT_TRUE(store.CreateUser("team", "pw").ok());
  Principal who = PrincipalIssuer::User("team");
  MailboxId inbox = store.GetStatus(who, "INBOX")->id;

  std::mutex mu;
  std::vector<Uid> all_uids;  // guarded by mu
  uint64_t total_bytes = 0;
  // Per thread: its keyword's last intended state per UID.
  std::vector<std::map<Uid, bool>> expected(kThreads);
  std::vector<std::vector<ModSeq>> seen_modseqs(kThreads);
  std::vector<std::vector<Uid>> own_uids(kThreads);

  auto worker = [&](int t) {
    std::mt19937 rng(t);
    std::string keyword = "kw" + std::to_string(t);
    for (int i = 0; i < kAppendsPerThread; ++i) {
      std::string data = testing::MakeMessage(
          "t" + std::to_string(t) + "-" + std::to_string(i),
          std::string(100 + rng() % 3000, 'a' + t));
      auto appended = store.Append(who, "INBOX", {AppendRequest{.data = data}});
      ASSERT_TRUE(appended.ok()) << appended.status();
      Uid uid = appended->uids[0];
      own_uids[t].push_back(uid);
      std::vector<Uid> targets;
      {
        std::lock_guard<std::mutex> lock(mu);
        all_uids.push_back(uid);
        total_bytes += data.size();
        for (int k = 0; k < 4; ++k) {
          targets.push_back(all_uids[rng() % all_uids.size()]);
        }
      }
      bool add = rng() % 3 != 0;
      auto stored = store.StoreFlags(
          who, inbox,
          {.uids = targets,
           .op = add ? FlagOp::kAdd : FlagOp::kRemove,
           .flags = Flags{0, {keyword}}});
      ASSERT_TRUE(stored.ok()) << stored.status();
      for (Uid target : targets) expected[t][target] = add;
      for (const MessageMeta& m : stored->changed) {
        seen_modseqs[t].push_back(m.modseq);
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(worker, t);
  for (std::thread& th : threads) th.join();

  // UIDs unique, and increasing within each thread.
  std::lock_guard<std::mutex> lock(mu);
  std::set<Uid> unique(all_uids.begin(), all_uids.end());
  EXPECT_EQ(unique.size(), all_uids.size());
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_TRUE(std::is_sorted(own_uids[t].begin(), own_uids[t].end()));
    EXPECT_TRUE(std::adjacent_find(seen_modseqs[t].begin(),
                                   seen_modseqs[t].end(),
                                   std::greater_equal<ModSeq>()) ==
                seen_modseqs[t].end())
        << "modseq not strictly increasing for thread " << t;
  }

  auto snap = store.OpenMailbox(who, "INBOX");
  ASSERT_TRUE(snap.ok());
  ASSERT_EQ(snap->messages.size(), all_uids.size());
  std::set<ModSeq> modseqs;
  for (const MessageMeta& m : snap->messages) {
    EXPECT_TRUE(modseqs.insert(m.modseq).second) << "duplicate modseq";
    EXPECT_LE(m.modseq, snap->status.highestmodseq);
    std::set<std::string> want;
    for (int t = 0; t < kThreads; ++t) {
      auto it = expected[t].find(m.uid);
      if (it != expected[t].end() && it->second) {
        want.insert("kw" + std::to_string(t));
      }
    }
    std::set<std::string> got(m.flags.keywords.begin(), m.flags.keywords.end());
    EXPECT_EQ(got, want) << "UID " << m.uid;
  }
  EXPECT_EQ(snap->status.uidnext, *unique.rbegin() + 1);
  auto quota = store.GetQuota(store::PrincipalIssuer::Admin(), "team");
  ASSERT_TRUE(quota.ok());
  EXPECT_EQ(quota->messages, all_uids.size());
  EXPECT_EQ(quota->storage_bytes, total_bytes);
  EXPECT_EQ(snap->status.size, total_bytes);
  EXPECT_TRUE(store.CheckConsistency().ok()) << store.CheckConsistency();
}

TEST(ConcurrencyTest, ConcurrentDeliveriesInOpposingOrdersAllLand) {
  // Deliveries lock recipients' mailboxes in target order; opposing orders
  // provoke lock conflicts and deadlocks that must be retried, not lost.
  std::string dir = testing::FreshDir("deliveries");
  auto opened = OpenStore(testing::TestOptions(dir));
  ASSERT_TRUE(opened.ok()) << opened.status();
  Store& store = **opened;
  std::vector<DeliveryTarget> forward, backward;
  for (int i = 0; i < 5; ++i) {
    std::string user = "u" + std::to_string(i);
    ASSERT_TRUE(store.CreateUser(user, "pw").ok());
    forward.push_back({user});
  }
  backward.assign(forward.rbegin(), forward.rend());
  constexpr int kDeliveries = 15;
  std::vector<std::thread> threads;
  std::mutex mu;
  int failures = 0;  // guarded by mu
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kDeliveries; ++i) {
        std::string data = testing::MakeMessage(
            "d" + std::to_string(t) + "-" + std::to_string(i), "body");
        auto results = store.Deliver(t % 2 == 0 ? forward : backward, data);
        for (const auto& r : results) {
          if (!r.ok()) {
            std::lock_guard<std::mutex> lock(mu);
            ++failures;
          }
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures, 0);
  for (int i = 0; i < 5; ++i) {
    Principal who = PrincipalIssuer::User("u" + std::to_string(i));
    auto status = store.GetStatus(who, "INBOX");
    ASSERT_TRUE(status.ok());
    EXPECT_EQ(status->messages, 4u * kDeliveries);
    EXPECT_EQ(store.GetQuota(who, who.user())->messages, 4u * kDeliveries);
  }
  // Each distinct message body is stored once for all five recipients.
  EXPECT_EQ(store.GetStats()->blobs, 4u * kDeliveries);
  EXPECT_TRUE(store.CheckConsistency().ok()) << store.CheckConsistency();
}

}  // namespace
}  // namespace mailroom::store
