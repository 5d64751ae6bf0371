// \Seen per mailbox: shared (the default) or per user (SeenMode), with every
// read path answering per principal and CONDSTORE data kept per user.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/store/store_fixture.h"

// RocksDB is not built with ThreadSanitizer (see concurrency_test.cc).
extern "C" const char* __tsan_default_suppressions() {
  return "called_from_lib:librocksdb.so\nrace:librocksdb.so\n";
}

namespace mailroom::store {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kDesk[] = "Shared/helpdesk";

class SeenTest : public testing::StoreFixture {
 protected:
  SeenTest() : StoreFixture("seen") {}

  void SetUp() override {
    StoreFixture::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(store_->CreateUser("carol", "pw").ok());
    desk_ = MakeSharedMailbox(kDesk, alice_, 4);
  }
  void SetSeen(const Principal& who, std::vector<Uid> uids,
               FlagOp op = FlagOp::kAdd) {
    auto r = store_->StoreFlags(who, desk_,
                                {.uids = uids, .op = op, .flags = {kSeen, {}}});
    ASSERT_TRUE(r.ok()) << r.status();
  }
  std::vector<Uid> SeenUids(const Principal& who) {
    std::vector<Uid> out;
    auto snap = store_->OpenMailbox(who, kDesk);
    EXPECT_TRUE(snap.ok()) << snap.status();
    if (!snap.ok()) return out;
    for (const MessageMeta& m : snap->messages) {
      if (m.flags.system & kSeen) out.push_back(m.uid);
    }
    return out;
  }
  std::vector<Uid> SearchUnseen(const Principal& who) {
    SearchKey key;
    key.kind = SearchKey::Kind::kFlagClear;
    key.number = kSeen;
    auto r = store_->Search(who, desk_, key);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::vector<Uid>{};
  }
  uint32_t Unseen(const Principal& who) {
    return store_->GetStatus(who, kDesk)->unseen;
  }
  ModSeq Highest(const Principal& who) {
    return store_->GetStatus(who, kDesk)->highestmodseq;
  }

  MailboxId desk_ = 0;
  const Principal carol_ = PrincipalIssuer::User("carol");
};

TEST_F(SeenTest, SharedIsTheDefaultEverywhere) {
  EXPECT_EQ(store_->GetStatus(alice_, kDesk)->seen_mode, SeenMode::kShared);
  EXPECT_EQ(store_->GetStatus(alice_, "INBOX")->seen_mode, SeenMode::kShared);
  auto list = store_->ListMailboxes(alice_);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 7u);
  for (const MailboxInfo& info : *list) {
    EXPECT_EQ(info.seen_mode, SeenMode::kShared) << info.name;
  }
  // Helpdesk semantics: one agent reads, everyone sees it read.
  SetSeen(alice_, {2});
  EXPECT_THAT(SeenUids(bob_), ElementsAre(2));
  EXPECT_EQ(Unseen(bob_), 3u);
  EXPECT_EQ(Highest(alice_), Highest(bob_));
}

TEST_F(SeenTest, SettingTheModeNeedsTheAdministerRight) {
  EXPECT_EQ(store_->SetSeenMode(bob_, kDesk, SeenMode::kPerUser).code(),
            absl::StatusCode::kPermissionDenied);
  // No rights at all: the mailbox does not exist for carol.
  EXPECT_EQ(store_->SetSeenMode(carol_, kDesk, SeenMode::kPerUser).code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(store_->SetAcl(admin_, kDesk, "bob", "+a").ok());
  EXPECT_TRUE(store_->SetSeenMode(bob_, kDesk, SeenMode::kPerUser).ok());
  EXPECT_TRUE(store_->SetSeenMode(bob_, kDesk, SeenMode::kPerUser).ok());
  EXPECT_EQ(store_->GetStatus(alice_, kDesk)->seen_mode, SeenMode::kPerUser);
  // An owner administers their own mailboxes.
  EXPECT_TRUE(store_->SetSeenMode(alice_, "INBOX", SeenMode::kPerUser).ok());
  EXPECT_EQ(store_->SetSeenMode(alice_, "Nope", SeenMode::kPerUser).code(),
            absl::StatusCode::kNotFound);
}

TEST_F(SeenTest, TwoUsersKeepTheirOwnSeen) {
  SetSeen(alice_, {1});  // shared: becomes everyone's starting point
  ASSERT_TRUE(store_->SetSeenMode(admin_, kDesk, SeenMode::kPerUser).ok());
  EXPECT_THAT(SeenUids(bob_), ElementsAre(1));

  SetSeen(alice_, {2, 3});
  SetSeen(bob_, {1}, FlagOp::kRemove);
  SetSeen(bob_, {4});
  EXPECT_THAT(SeenUids(alice_), ElementsAre(1, 2, 3));
  EXPECT_THAT(SeenUids(bob_), ElementsAre(4));
  EXPECT_EQ(Unseen(alice_), 1u);
  EXPECT_EQ(Unseen(bob_), 3u);
  EXPECT_THAT(SearchUnseen(alice_), ElementsAre(4));
  EXPECT_THAT(SearchUnseen(bob_), ElementsAre(1, 2, 3));
  // The admin sees the shared bits.
  EXPECT_EQ(Unseen(admin_), 3u);

  auto got = store_->GetMessages(bob_, desk_, {1, 2, 3, 4}).value();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].flags.system & kSeen, 0u);
  EXPECT_NE(got[3].flags.system & kSeen, 0u);

  // Other flags stay shared.
  ASSERT_TRUE(store_->StoreFlags(bob_, desk_, {.uids = {2}, .flags = {kFlagged, {}}})
                  .ok());
  auto alice_view = store_->GetMessages(alice_, desk_, {2}).value();
  EXPECT_EQ(alice_view[0].flags.system, kSeen | kFlagged);
}

TEST_F(SeenTest, ChangesSinceAndHighestModSeqArePerUser) {
  ASSERT_TRUE(store_->SetSeenMode(admin_, kDesk, SeenMode::kPerUser).ok());
  ModSeq alice_mark = Highest(alice_);
  ModSeq bob_mark = Highest(bob_);
  ASSERT_EQ(alice_mark, bob_mark);

  SetSeen(alice_, {2});
  EXPECT_GT(Highest(alice_), alice_mark);
  EXPECT_EQ(Highest(bob_), bob_mark);  // nothing bob can see changed
  auto alice_changes = store_->ChangesSince(alice_, desk_, alice_mark).value();
  ASSERT_EQ(alice_changes.changed.size(), 1u);
  EXPECT_EQ(alice_changes.changed[0].uid, 2u);
  EXPECT_NE(alice_changes.changed[0].flags.system & kSeen, 0u);
  EXPECT_EQ(alice_changes.changed[0].modseq, alice_changes.highestmodseq);
  EXPECT_EQ(alice_changes.highestmodseq, Highest(alice_));
  auto bob_changes = store_->ChangesSince(bob_, desk_, bob_mark).value();
  EXPECT_THAT(bob_changes.changed, IsEmpty());
  EXPECT_EQ(bob_changes.highestmodseq, bob_mark);

  // A shared change is above every modseq either user was shown.
  ModSeq alice_before = Highest(alice_);
  ASSERT_TRUE(store_->StoreFlags(bob_, desk_, {.uids = {3}, .flags = {kFlagged, {}}})
                  .ok());
  EXPECT_GT(Highest(alice_), alice_before);
  auto after = store_->ChangesSince(alice_, desk_, alice_before).value();
  ASSERT_EQ(after.changed.size(), 1u);
  EXPECT_EQ(after.changed[0].uid, 3u);
  auto bob_after = store_->ChangesSince(bob_, desk_, bob_mark).value();
  ASSERT_EQ(bob_after.changed.size(), 1u);
  EXPECT_EQ(bob_after.changed[0].uid, 3u);

  // Per-user modseq decides UNCHANGEDSINCE too.
  auto conditional = store_->StoreFlags(
      bob_, desk_,
      {.uids = {2}, .flags = {kAnswered, {}}, .unchanged_since = bob_mark});
  ASSERT_TRUE(conditional.ok());
  EXPECT_THAT(conditional->modified, IsEmpty());  // alice's \Seen is hers
  auto refused = store_->StoreFlags(
      alice_, desk_,
      {.uids = {2}, .flags = {kDraft, {}}, .unchanged_since = alice_mark});
  ASSERT_TRUE(refused.ok());
  EXPECT_THAT(refused->modified, ElementsAre(2));
}

TEST_F(SeenTest, NotificationsOfAPerUserSeenReachOnlyThatUser) {
  ASSERT_TRUE(store_->SetSeenMode(admin_, kDesk, SeenMode::kPerUser).ok());
  std::mutex mu;
  std::vector<ChangeEvent> alice_events, bob_events;
  auto alice_watch = store_->WatchChanges(alice_, desk_, [&](const ChangeEvent& e) {
    std::lock_guard<std::mutex> lock(mu);
    alice_events.push_back(e);
  });
  auto bob_watch = store_->WatchChanges(bob_, desk_, [&](const ChangeEvent& e) {
    std::lock_guard<std::mutex> lock(mu);
    bob_events.push_back(e);
  });
  SetSeen(alice_, {1});
  {
    std::lock_guard<std::mutex> lock(mu);
    ASSERT_EQ(alice_events.size(), 1u);
    EXPECT_EQ(alice_events[0].user, "alice");
    EXPECT_EQ(alice_events[0].modseq, Highest(alice_));
    EXPECT_THAT(bob_events, IsEmpty());
  }
  ASSERT_TRUE(store_->StoreFlags(alice_, desk_, {.uids = {1}, .flags = {kFlagged, {}}})
                  .ok());
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(bob_events.size(), 1u);
  EXPECT_EQ(bob_events[0].user, "");
}

TEST_F(SeenTest, AppendCopyAndMoveCarryTheActorsSeen) {
  ASSERT_TRUE(store_->SetSeenMode(admin_, kDesk, SeenMode::kPerUser).ok());
  std::string data = testing::MakeMessage("read", "x");
  AppendRequest seen{.data = data, .flags = {kSeen, {}}};
  Uid appended = store_->Append(alice_, kDesk, {seen})->uids[0];
  EXPECT_THAT(SeenUids(alice_), ElementsAre(appended));
  EXPECT_THAT(SeenUids(bob_), IsEmpty());

  SetSeen(bob_, {2});
  // Into bob's own (shared-mode) mailbox: bob's view becomes the flag.
  auto copied = store_->Copy(bob_, desk_, {1, 2}, "INBOX");
  ASSERT_TRUE(copied.ok()) << copied.status();
  auto inbox = store_->OpenMailbox(bob_, "INBOX").value();
  ASSERT_EQ(inbox.messages.size(), 2u);
  EXPECT_EQ(inbox.messages[0].flags.system & kSeen, 0u);
  EXPECT_NE(inbox.messages[1].flags.system & kSeen, 0u);

  // Into a per-user mailbox: the copier's \Seen is the copier's own.
  MailboxId bob_inbox = inbox.status.id;
  ASSERT_TRUE(store_->SetSeenMode(bob_, "INBOX", SeenMode::kPerUser).ok());
  auto back = store_->Copy(bob_, bob_inbox, {inbox.messages[1].uid}, kDesk);
  ASSERT_TRUE(back.ok()) << back.status();
  Uid back_uid = back->dest_uids[0];
  EXPECT_THAT(SeenUids(bob_), ElementsAre(2, back_uid));
  EXPECT_THAT(SeenUids(alice_), ElementsAre(appended));

  // Move drops the mover's rows with the source message.
  ASSERT_TRUE(store_->Move(alice_, desk_, {appended}, "INBOX").ok());
  EXPECT_THAT(SeenUids(alice_), IsEmpty());
  auto alice_inbox = store_->OpenMailbox(alice_, "INBOX").value();
  ASSERT_EQ(alice_inbox.messages.size(), 1u);
  EXPECT_NE(alice_inbox.messages[0].flags.system & kSeen, 0u);
}

TEST_F(SeenTest, ExpungeAndModeSwitchDropRows) {
  ASSERT_TRUE(store_->SetSeenMode(admin_, kDesk, SeenMode::kPerUser).ok());
  SetSeen(alice_, {1, 2});
  SetSeen(bob_, {2, 3});
  ASSERT_TRUE(store_->StoreFlags(alice_, desk_, {.uids = {2}, .flags = {kDeleted, {}}})
                  .ok());
  ModSeq bob_mark = Highest(bob_);
  ASSERT_THAT(store_->Expunge(alice_, desk_, {}).value(), ElementsAre(2));
  EXPECT_EQ(Unseen(alice_), 2u);  // 3 and 4
  EXPECT_EQ(Unseen(bob_), 2u);    // 1 and 4
  EXPECT_THAT(store_->ChangesSince(bob_, desk_, bob_mark)->vanished,
              ElementsAre(2));
  ASSERT_TRUE(store_->CheckConsistency().ok());

  // Back to shared: rows go, the messages that had one get a new modseq.
  ModSeq alice_mark = Highest(alice_);
  ASSERT_TRUE(store_->SetSeenMode(admin_, kDesk, SeenMode::kShared).ok());
  EXPECT_THAT(SeenUids(alice_), IsEmpty());
  EXPECT_THAT(SeenUids(bob_), IsEmpty());
  auto changes = store_->ChangesSince(alice_, desk_, alice_mark).value();
  std::vector<Uid> changed;
  for (const MessageMeta& m : changes.changed) changed.push_back(m.uid);
  EXPECT_THAT(changed, ElementsAre(1, 3));
  EXPECT_EQ(Highest(alice_), Highest(bob_));
}

TEST_F(SeenTest, AdminChangesTheSharedStartingPoint) {
  ASSERT_TRUE(store_->SetSeenMode(admin_, kDesk, SeenMode::kPerUser).ok());
  SetSeen(alice_, {1});
  SetSeen(bob_, {2});
  auto r = store_->StoreFlags(admin_, desk_,
                              {.uids = {1, 3}, .flags = {kSeen, {}}});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(SeenUids(alice_), ElementsAre(1, 3));
  EXPECT_THAT(SeenUids(bob_), ElementsAre(1, 2, 3));
  EXPECT_EQ(Unseen(alice_), 2u);
  EXPECT_EQ(Unseen(bob_), 1u);
}

TEST_F(SeenTest, DeletingTheMailboxDropsEveryRow) {
  ASSERT_TRUE(store_->SetSeenMode(admin_, kDesk, SeenMode::kPerUser).ok());
  SetSeen(alice_, {1, 2});
  SetSeen(bob_, {3});
  ASSERT_TRUE(store_->DeleteMailbox(admin_, kDesk).ok());
  ASSERT_TRUE(store_->CheckConsistency().ok());
  ASSERT_TRUE(store_->CreateMailbox(admin_, kDesk).ok());
  ASSERT_TRUE(store_->SetAcl(admin_, kDesk, "alice", "lrs").ok());
  EXPECT_EQ(store_->GetStatus(alice_, kDesk)->unseen, 0u);
}

TEST_F(SeenTest, DeletingAUserDropsTheirSeen) {
  ASSERT_TRUE(store_->SetSeenMode(admin_, kDesk, SeenMode::kPerUser).ok());
  SetSeen(bob_, {1, 2});
  SetSeen(alice_, {3});
  ASSERT_TRUE(store_->DeleteUser("bob").ok());
  ASSERT_TRUE(store_->CheckConsistency().ok());
  ASSERT_TRUE(store_->CreateUser("bob", "pw").ok());
  ASSERT_TRUE(store_->SetAcl(admin_, kDesk, "bob", "lrs").ok());
  EXPECT_THAT(SeenUids(bob_), IsEmpty());  // a new bob starts afresh
  EXPECT_EQ(Unseen(bob_), 4u);
  EXPECT_THAT(SeenUids(alice_), ElementsAre(3));
}

TEST_F(SeenTest, ParallelPerUserSeenUpdatesLoseNothing) {
  ASSERT_TRUE(store_->SetSeenMode(admin_, kDesk, SeenMode::kPerUser).ok());
  std::vector<Principal> users;
  for (int i = 0; i < 6; ++i) {
    std::string name = "agent" + std::to_string(i);
    ASSERT_TRUE(store_->CreateUser(name, "pw").ok());
    ASSERT_TRUE(store_->SetAcl(admin_, kDesk, name, "lrs").ok());
    users.push_back(PrincipalIssuer::User(name));
  }
  constexpr int kRounds = 20;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (size_t t = 0; t < users.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        Uid uid = 1 + (t + round) % 4;
        FlagOp op = round % 3 == 2 ? FlagOp::kRemove : FlagOp::kAdd;
        auto r = store_->StoreFlags(users[t], desk_,
                                    {.uids = {uid}, .op = op,
                                     .flags = {kSeen, {}}});
        if (!r.ok()) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  // Replay each user's operations alone to know their final view.
  for (size_t t = 0; t < users.size(); ++t) {
    std::set<Uid> expected;
    for (int round = 0; round < kRounds; ++round) {
      Uid uid = 1 + (t + round) % 4;
      if (round % 3 == 2) {
        expected.erase(uid);
      } else {
        expected.insert(uid);
      }
    }
    std::vector<Uid> seen = SeenUids(users[t]);
    EXPECT_EQ(std::set<Uid>(seen.begin(), seen.end()), expected) << t;
    EXPECT_EQ(Unseen(users[t]), 4u - expected.size());
  }
  EXPECT_THAT(SeenUids(alice_), IsEmpty());
}

}  // namespace
}  // namespace mailroom::store
