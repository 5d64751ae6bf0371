// OpenMailboxTable reads a mailbox's persisted message table and catches it
// up; whatever state the table is in (older than the mailbox after
// concurrent changes or a crash, damaged, disagreeing with the counters),
// the answer must equal a full OpenMailbox: UIDs, flags, keywords, modseqs,
// private flags of each user, and the status.
#include <atomic>
#include <random>
#include <thread>

#include "gtest/gtest.h"
#include "store/engine/engine.h"
#include "store/internal/keys.h"
#include "store/internal/message_table.h"
#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/store/store_damage.h"
#include "tests/store/store_test_util.h"

namespace mailroom::store {
namespace {

using engine::Space;
using internal::DecodeTableCheckpoint;
using internal::EncodeTableCheckpoint;
using internal::MailboxViewKey;
using internal::TableCheckpoint;

constexpr char kDesk[] = "Shared/desk";

struct Row {
  Uid uid;
  Flags flags;
  ModSeq modseq;
  bool operator==(const Row&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Row& r) {
  os << r.uid << ":" << r.flags.system << "/";
  for (const auto& k : r.flags.keywords) os << k << ",";
  return os << "@" << r.modseq;
}

class MailboxTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::FreshDir("mailbox_table");
    Reopen();
    for (const char* user : {"alice", "bob"}) {
      ASSERT_TRUE(store_->CreateUser(user, "pw").ok());
    }
    ASSERT_TRUE(store_->CreateMailbox(admin_, kDesk).ok());
    ASSERT_TRUE(store_->SetAcl(admin_, kDesk, "alice", "lrswipte").ok());
    ASSERT_TRUE(store_->SetAcl(admin_, kDesk, "bob", "lrswipte").ok());
    desk_ = store_->GetStatus(admin_, kDesk)->id;
    std::vector<std::string> bodies;
    for (int i = 0; i < 300; ++i) {
      bodies.push_back(testing::MakeMessage("t" + std::to_string(i), "body"));
    }
    std::vector<AppendRequest> batch;
    for (int i = 0; i < 300; ++i) {
      Flags flags{i % 3 == 0 ? uint32_t{kSeen} : uint32_t{0}};
      if (i % 7 == 0) flags.keywords = {"$Todo"};
      if (i % 11 == 0) flags.keywords.push_back("Zeta");
      batch.push_back({.data = bodies[i], .flags = flags});
      if (batch.size() == 50) {
        ASSERT_TRUE(store_->Append(admin_, kDesk, batch).ok());
        batch.clear();
      }
    }
    // Private \Seen and $Todo, with a few private values of alice's.
    ASSERT_TRUE(
        store_->SetPrivateFlags(admin_, kDesk, {kSeen, {"$Todo"}}).ok());
    ASSERT_TRUE(store_
                    ->StoreFlags(alice_, desk_,
                                 {.uids = {2, 3, 5, 8, 13},
                                  .op = FlagOp::kAdd,
                                  .flags = {kSeen, {"$Todo"}}})
                    .ok());
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

  // Runs fn on the store's engine while the store is closed, then reopens.
  void WithEngine(const std::function<void(engine::Engine&)>& fn) {
    store_.reset();
    auto damage = testing::StoreDamage::Open(testing::TestOptions(dir_));
    ASSERT_TRUE(damage.ok()) << damage.status();
    fn((*damage)->engine());
    damage->reset();
    Reopen();
  }

  static std::vector<std::string> Pieces(engine::Engine& e, MailboxId id) {
    std::vector<std::string> pieces;
    EXPECT_TRUE(e.Latest()
                    .Scan(Space::kMailboxView, MailboxViewKey(id, 0),
                          internal::MailboxColumnKey(id, 0),
                          [&](std::string_view, std::string_view v) {
                            pieces.emplace_back(v);
                            return true;
                          })
                    .ok());
    return pieces;
  }
  static void PutPieces(engine::Engine& e, MailboxId id,
                        const std::vector<std::string>& pieces) {
    std::vector<engine::Mutation> writes;
    const size_t before = Pieces(e, id).size();
    for (uint32_t i = 0; i < before; ++i) {
      writes.push_back({Space::kMailboxView, MailboxViewKey(id, i),
                        std::nullopt});
    }
    for (size_t i = 0; i < pieces.size(); ++i) {
      writes.push_back({Space::kMailboxView,
                        MailboxViewKey(id, static_cast<uint32_t>(i)),
                        pieces[i]});
    }
    ASSERT_TRUE(e.WriteUnguarded(writes, true).ok());
  }
  // The persisted table's checkpoint, read with the store closed.
  absl::StatusOr<TableCheckpoint> Persisted() {
    absl::StatusOr<TableCheckpoint> out = absl::NotFoundError("none");
    WithEngine([&](engine::Engine& e) {
      std::vector<std::string> pieces = Pieces(e, desk_);
      if (!pieces.empty()) out = DecodeTableCheckpoint(pieces);
    });
    return out;
  }

  std::vector<Row> Full(const Principal& who, MailboxSnapshot* header) {
    absl::StatusOr<MailboxSnapshot> snap = store_->OpenMailbox(who, kDesk);
    EXPECT_TRUE(snap.ok()) << snap.status();
    std::vector<Row> rows;
    for (const MessageMeta& m : snap->messages) {
      rows.push_back({m.uid, m.flags, m.modseq});
    }
    *header = *std::move(snap);
    return rows;
  }
  std::vector<Row> FromTable(const Principal& who, MailboxSnapshot* header) {
    absl::StatusOr<MailboxTableSnapshot> snap =
        store_->OpenMailboxTable(who, kDesk);
    EXPECT_TRUE(snap.ok()) << snap.status();
    std::vector<Row> rows;
    for (const CompactMessage& m : snap->table.messages) {
      rows.push_back({m.uid,
                      Flags{m.system(), snap->table.keyword_sets.at(
                                            m.keyword_set())},
                      m.modseq});
    }
    EXPECT_TRUE(snap->header.messages.empty());
    *header = std::move(snap->header);
    return rows;
  }
  // Every principal's table open equals its full open.
  void ExpectSameAsFull() {
    for (const Principal* who : {&admin_, &alice_, &bob_}) {
      MailboxSnapshot full_header, table_header;
      std::vector<Row> full = Full(*who, &full_header);
      std::vector<Row> table = FromTable(*who, &table_header);
      EXPECT_EQ(table, full) << who->user();
      const MailboxStatus& a = table_header.status;
      const MailboxStatus& b = full_header.status;
      EXPECT_EQ(a.messages, b.messages);
      EXPECT_EQ(a.unseen, b.unseen);
      EXPECT_EQ(a.uidnext, b.uidnext);
      EXPECT_EQ(a.uidvalidity, b.uidvalidity);
      EXPECT_EQ(a.highestmodseq, b.highestmodseq);
      EXPECT_EQ(a.recent, b.recent);
      EXPECT_EQ(table_header.recent_claimed, full_header.recent_claimed);
      EXPECT_EQ(table_header.private_view, full_header.private_view);
      EXPECT_EQ(table_header.rights, full_header.rights);
    }
  }
  ModSeq SharedHighest() {
    return store_->GetStatus(admin_, kDesk)->highestmodseq;
  }

  // A few of every kind of change, by several threads at once.
  void ConcurrentChanges(int rounds) {
    std::atomic<bool> failed{false};
    auto check = [&](const absl::Status& s) {
      if (!s.ok() && s.code() != absl::StatusCode::kNotFound) failed = true;
    };
    std::vector<std::thread> threads;
    threads.emplace_back([&] {
      for (int i = 0; i < rounds; ++i) {
        std::string data = testing::MakeMessage("new", "x");
        check(store_
                  ->Append(admin_, kDesk,
                           {{.data = data, .flags = {kFlagged, {"New"}}}})
                  .status());
      }
    });
    threads.emplace_back([&] {
      std::mt19937 rng(1);
      for (int i = 0; i < rounds; ++i) {
        Uid uid = 1 + rng() % 300;
        check(store_
                  ->StoreFlags(admin_, desk_,
                               {.uids = {uid},
                                .op = rng() % 2 ? FlagOp::kAdd : FlagOp::kRemove,
                                .flags = {kAnswered, {"Other"}}})
                  .status());
      }
    });
    threads.emplace_back([&] {
      std::mt19937 rng(2);
      for (int i = 0; i < rounds; ++i) {
        Uid uid = 1 + rng() % 300;
        check(store_
                  ->StoreFlags(bob_, desk_,
                               {.uids = {uid},
                                .op = FlagOp::kAdd,
                                .flags = {kSeen | kDeleted, {"$Todo"}}})
                  .status());
        if (i % 5 == 0) {
          check(store_->Expunge(bob_, desk_, {}).status());
        }
      }
    });
    threads.emplace_back([&] {
      // Opens while the others write: each answer is whole.
      for (int i = 0; i < rounds / 4; ++i) {
        auto snap = store_->OpenMailboxTable(alice_, kDesk);
        if (!snap.ok()) {
          failed = true;
          continue;
        }
        const auto& m = snap->table.messages;
        if (m.size() != snap->header.status.messages) failed = true;
        for (size_t k = 1; k < m.size(); ++k) {
          if (m[k - 1].uid >= m[k].uid) failed = true;
        }
      }
    });
    for (std::thread& t : threads) t.join();
    EXPECT_FALSE(failed.load());
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
  MailboxId desk_ = 0;
  Principal alice_ = PrincipalIssuer::User("alice");
  Principal bob_ = PrincipalIssuer::User("bob");
  Principal admin_ = PrincipalIssuer::Admin();
};

TEST_F(MailboxTableTest, FirstOpenPersistsTheTable) {
  ExpectSameAsFull();
  absl::StatusOr<TableCheckpoint> persisted = Persisted();
  ASSERT_TRUE(persisted.ok()) << persisted.status();
  EXPECT_EQ(persisted->modseq, SharedHighest());
  EXPECT_EQ(persisted->table.messages.size(), 300u);
  ExpectSameAsFull();
}

TEST_F(MailboxTableTest, CatchesUpAfterConcurrentChanges) {
  ExpectSameAsFull();
  const ModSeq written = SharedHighest();
  ConcurrentChanges(120);
  Reopen();  // a restart: nothing is left in memory
  ExpectSameAsFull();
  // The table was caught up from the change log, not rebuilt.
  absl::StatusOr<TableCheckpoint> persisted = Persisted();
  ASSERT_TRUE(persisted.ok()) << persisted.status();
  EXPECT_EQ(persisted->modseq, written);
  EXPECT_LT(persisted->modseq, SharedHighest());
  ExpectSameAsFull();
}

TEST_F(MailboxTableTest, OlderTableAfterACrashIsCaughtUp) {
  ExpectSameAsFull();
  std::vector<std::string> old;
  WithEngine([&](engine::Engine& e) { old = Pieces(e, desk_); });
  ASSERT_FALSE(old.empty());
  // Mail written after the table, then a crash before the table is written
  // again: the store comes back with the older table.
  ConcurrentChanges(60);
  ExpectSameAsFull();
  WithEngine([&](engine::Engine& e) { PutPieces(e, desk_, old); });
  ExpectSameAsFull();
}

TEST_F(MailboxTableTest, DamagedTableIsRebuilt) {
  ExpectSameAsFull();
  WithEngine([&](engine::Engine& e) {
    std::vector<std::string> pieces = Pieces(e, desk_);
    ASSERT_FALSE(pieces.empty());
    pieces[0][pieces[0].size() / 2 + 20] ^= 0x5a;
    PutPieces(e, desk_, pieces);
  });
  ConcurrentChanges(20);
  ExpectSameAsFull();
  // Written again, whole (the damaged one no longer decodes).
  absl::StatusOr<TableCheckpoint> persisted = Persisted();
  ASSERT_TRUE(persisted.ok()) << persisted.status();
  EXPECT_LE(persisted->modseq, SharedHighest());
  ExpectSameAsFull();
}

TEST_F(MailboxTableTest, TableDisagreeingWithCountersIsRebuilt) {
  ExpectSameAsFull();
  // A well-formed table at the current modseq that lost a message.
  WithEngine([&](engine::Engine& e) {
    absl::StatusOr<TableCheckpoint> checkpoint =
        DecodeTableCheckpoint(Pieces(e, desk_));
    ASSERT_TRUE(checkpoint.ok());
    checkpoint->table.messages.erase(checkpoint->table.messages.begin() + 10);
    PutPieces(e, desk_, EncodeTableCheckpoint(*checkpoint));
  });
  ExpectSameAsFull();
}

TEST_F(MailboxTableTest, VerifyFindsAndDropsAWrongTable) {
  ExpectSameAsFull();
  WithEngine([&](engine::Engine& e) {
    absl::StatusOr<TableCheckpoint> checkpoint =
        DecodeTableCheckpoint(Pieces(e, desk_));
    ASSERT_TRUE(checkpoint.ok());
    checkpoint->table.messages[5].modseq += 1;
    PutPieces(e, desk_, EncodeTableCheckpoint(*checkpoint));
  });
  auto report = store_->Verify("", false, {});
  ASSERT_TRUE(report.ok());
  ASSERT_FALSE(report->ok());
  EXPECT_NE(report->problems[0].problem.find("message table"),
            std::string::npos)
      << report->problems[0].problem;
  ASSERT_TRUE(store_->Verify("", true, {}).ok());
  EXPECT_FALSE(Persisted().ok());  // dropped
  ExpectSameAsFull();
  EXPECT_TRUE(Persisted().ok());  // written again by the open
}

TEST_F(MailboxTableTest, DeletedMailboxTakesItsTable) {
  ExpectSameAsFull();
  ASSERT_TRUE(store_->DeleteMailbox(admin_, kDesk).ok());
  WithEngine([&](engine::Engine& e) { EXPECT_TRUE(Pieces(e, desk_).empty()); });
}

}  // namespace
}  // namespace mailroom::store
