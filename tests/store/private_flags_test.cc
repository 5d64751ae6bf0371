// Private flags beyond \Seen: an admin makes some flags and keywords of a
// shared mailbox private to each user; every read path answers per user and
// CONDSTORE data stays exact per user.
#include <mutex>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/store/store_fixture.h"

namespace mailroom::store {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kDesk[] = "Shared/helpdesk";

class PrivateFlagsTest : public testing::StoreFixture {
 protected:
  PrivateFlagsTest() : StoreFixture("private_flags") {}

  void SetUp() override {
    StoreFixture::SetUp();
    if (HasFatalFailure()) return;
    desk_ = MakeSharedMailbox(kDesk, admin_, 4);
  }
  void TearDown() override {
    StoreFixture::TearDown();
    auto report = store_->Verify("", false, {});
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->ok()) << report->problems[0].problem;
  }
  void MakeHelpdesk() {
    ASSERT_TRUE(
        store_->SetPrivateFlags(admin_, kDesk, {kFlagged, {"$Todo"}}).ok());
  }
  void SetFlags(const Principal& who, std::vector<Uid> uids, Flags flags,
             FlagOp op = FlagOp::kAdd) {
    auto r = store_->StoreFlags(who, desk_,
                                {.uids = uids, .op = op, .flags = flags});
    ASSERT_TRUE(r.ok()) << r.status();
  }
  Flags FlagsOf(const Principal& who, Uid uid) {
    auto m = store_->GetMessages(who, desk_, {uid});
    EXPECT_TRUE(m.ok() && m->size() == 1);
    return m.ok() && m->size() == 1 ? (*m)[0].flags : Flags();
  }
  std::vector<Uid> Search(const Principal& who, SearchKey::Kind kind,
                          uint32_t number, std::string value = "") {
    SearchKey key;
    key.kind = kind;
    key.number = number;
    key.value = value;
    auto r = store_->Search(who, desk_, key);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::vector<Uid>{};
  }
  ModSeq Highest(const Principal& who) {
    return store_->GetStatus(who, kDesk)->highestmodseq;
  }
  std::vector<Uid> ChangedSince(const Principal& who, ModSeq since) {
    std::vector<Uid> out;
    auto c = store_->ChangesSince(who, desk_, since);
    EXPECT_TRUE(c.ok()) << c.status();
    if (c.ok()) {
      for (const MessageMeta& m : c->changed) out.push_back(m.uid);
    }
    return out;
  }

  MailboxId desk_ = 0;
};

TEST_F(PrivateFlagsTest, EachAgentSeesAndChangesOnlyTheirOwnValues) {
  MakeHelpdesk();
  SetFlags(alice_, {1, 2}, {kFlagged, {"$todo"}});
  SetFlags(bob_, {2}, {0, {"$Assigned"}});
  EXPECT_EQ(FlagsOf(alice_, 1), (Flags{kFlagged, {"$Todo"}}));
  EXPECT_EQ(FlagsOf(bob_, 1), Flags());
  // $Assigned is shared: both see it; alice keeps her private values.
  EXPECT_EQ(FlagsOf(alice_, 2), (Flags{kFlagged, {"$Assigned", "$Todo"}}));
  EXPECT_EQ(FlagsOf(bob_, 2), (Flags{0, {"$Assigned"}}));
  EXPECT_EQ(FlagsOf(admin_, 2), (Flags{0, {"$Assigned"}}));

  EXPECT_THAT(Search(alice_, SearchKey::Kind::kFlagSet, kFlagged),
              ElementsAre(1, 2));
  EXPECT_THAT(Search(bob_, SearchKey::Kind::kFlagSet, kFlagged), IsEmpty());
  EXPECT_THAT(Search(bob_, SearchKey::Kind::kKeyword, 0, "$TODO"), IsEmpty());
  EXPECT_THAT(Search(bob_, SearchKey::Kind::kUnkeyword, 0, "$todo"),
              ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(Search(alice_, SearchKey::Kind::kKeyword, 0, "$todo"),
              ElementsAre(1, 2));
  EXPECT_THAT(Search(bob_, SearchKey::Kind::kKeyword, 0, "$assigned"),
              ElementsAre(2));

  // Bob flags message 1 himself: alice's value stays hers.
  SetFlags(bob_, {1}, {kFlagged, {}});
  SetFlags(alice_, {1}, {kFlagged, {}}, FlagOp::kRemove);
  EXPECT_EQ(FlagsOf(alice_, 1).system, 0u);
  EXPECT_EQ(FlagsOf(bob_, 1).system, uint32_t{kFlagged});
  // A replacement leaves the shared flags as asked and private ones per user.
  SetFlags(alice_, {3}, {kAnswered, {"$Todo", "$Assigned"}}, FlagOp::kReplace);
  EXPECT_EQ(FlagsOf(bob_, 3), (Flags{kAnswered, {"$Assigned"}}));
  EXPECT_EQ(FlagsOf(alice_, 3), (Flags{kAnswered, {"$Assigned", "$Todo"}}));
}

TEST_F(PrivateFlagsTest, CondstoreIsExactPerUser) {
  MakeHelpdesk();
  const ModSeq alice0 = Highest(alice_), bob0 = Highest(bob_);
  ASSERT_EQ(alice0, bob0);
  SetFlags(alice_, {2}, {kFlagged, {}});
  const ModSeq alice1 = Highest(alice_);
  EXPECT_GT(alice1, alice0);
  EXPECT_EQ(Highest(bob_), bob0);  // another user's private change
  EXPECT_THAT(ChangedSince(alice_, alice0), ElementsAre(2));
  EXPECT_THAT(ChangedSince(bob_, bob0), IsEmpty());
  EXPECT_EQ(store_->GetMessages(bob_, desk_, {2}).value()[0].modseq <= bob0,
            true);
  EXPECT_EQ(store_->GetMessages(alice_, desk_, {2}).value()[0].modseq, alice1);

  // UNCHANGEDSINCE: bob's view of message 2 did not change, alice's did.
  auto bob_store = store_->StoreFlags(
      bob_, desk_, {.uids = {2}, .flags = {0, {"$Todo"}}, .unchanged_since = bob0});
  ASSERT_TRUE(bob_store.ok());
  EXPECT_THAT(bob_store->modified, IsEmpty());
  auto alice_store = store_->StoreFlags(
      alice_, desk_,
      {.uids = {2}, .flags = {0, {"$Todo"}}, .unchanged_since = alice0});
  ASSERT_TRUE(alice_store.ok());
  EXPECT_THAT(alice_store->modified, ElementsAre(2));
  EXPECT_EQ(Highest(alice_), alice1);  // bob's $Todo did not move alice

  // A shared change moves both, above everything either was shown.
  const ModSeq bob1 = Highest(bob_);
  SetFlags(bob_, {4}, {0, {"$Assigned"}});
  EXPECT_GT(Highest(alice_), alice1);
  EXPECT_GT(Highest(bob_), bob1);
  EXPECT_THAT(ChangedSince(alice_, alice1), ElementsAre(4));
  EXPECT_THAT(ChangedSince(bob_, bob1), ElementsAre(4));
}

TEST_F(PrivateFlagsTest, UnseenAndNotificationsFollowTheUser) {
  ASSERT_TRUE(store_->SetPrivateFlags(admin_, kDesk,
                                      {kSeen | kFlagged, {"$Todo"}})
                  .ok());
  EXPECT_EQ(store_->GetStatus(alice_, kDesk)->seen_mode, SeenMode::kPerUser);
  std::mutex mu;
  std::vector<ChangeEvent> bob_events, alice_events;
  auto bob_watch = store_->WatchChanges(bob_, desk_, [&](const ChangeEvent& e) {
    std::lock_guard<std::mutex> lock(mu);
    bob_events.push_back(e);
  });
  auto alice_watch =
      store_->WatchChanges(alice_, desk_, [&](const ChangeEvent& e) {
        std::lock_guard<std::mutex> lock(mu);
        alice_events.push_back(e);
      });
  SetFlags(alice_, {1, 2}, {kSeen | kFlagged, {"$Todo"}});
  EXPECT_EQ(store_->GetStatus(alice_, kDesk)->unseen, 2u);
  EXPECT_EQ(store_->GetStatus(bob_, kDesk)->unseen, 4u);
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_THAT(bob_events, IsEmpty());
    ASSERT_EQ(alice_events.size(), 1u);
    EXPECT_EQ(alice_events[0].user, "alice");
  }
  SetFlags(alice_, {1}, {kAnswered, {}});
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(bob_events.size(), 1u);
  EXPECT_EQ(bob_events[0].user, "");
}

TEST_F(PrivateFlagsTest, ChangingTheSet) {
  // Shared values from before: \Flagged on 1, $Todo on 2.
  SetFlags(bob_, {1}, {kFlagged, {}});
  SetFlags(bob_, {2}, {0, {"$Todo"}});
  MakeHelpdesk();
  // A flag that becomes private starts from its shared value for everyone.
  EXPECT_EQ(FlagsOf(alice_, 1).system, uint32_t{kFlagged});
  EXPECT_EQ(FlagsOf(bob_, 2).keywords, std::vector<std::string>{"$Todo"});
  SetFlags(alice_, {1}, {kFlagged, {}}, FlagOp::kRemove);
  SetFlags(alice_, {3}, {kFlagged, {"$Todo"}});
  EXPECT_EQ(FlagsOf(alice_, 1).system, 0u);
  EXPECT_EQ(FlagsOf(bob_, 1).system, uint32_t{kFlagged});

  // \Flagged becomes shared again: its shared value for everyone, alice's
  // overrides of it go, and both users are told about the messages.
  const ModSeq bob_before = Highest(bob_);
  ASSERT_TRUE(store_->SetPrivateFlags(admin_, kDesk, {0, {"$Todo"}}).ok());
  EXPECT_EQ(FlagsOf(alice_, 1).system, uint32_t{kFlagged});
  EXPECT_EQ(FlagsOf(alice_, 3), (Flags{0, {"$Todo"}}));  // $Todo still hers
  EXPECT_EQ(FlagsOf(bob_, 3), Flags());
  EXPECT_THAT(ChangedSince(bob_, bob_before), ElementsAre(1, 3));
  auto got = store_->GetPrivateFlags(admin_, kDesk);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, (Flags{0, {"$Todo"}}));

  // \Deleted cannot be private; the set is unchanged.
  absl::Status refused =
      store_->SetPrivateFlags(admin_, kDesk, {kDeleted | kFlagged, {}});
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetPrivateFlags(admin_, kDesk).value(), *got);
  // Only with the administer right.
  EXPECT_EQ(store_->SetPrivateFlags(bob_, kDesk, {kFlagged, {}}).code(),
            absl::StatusCode::kPermissionDenied);

  // The seen mode adds or removes \Seen and keeps the rest.
  ASSERT_TRUE(store_->SetSeenMode(admin_, kDesk, SeenMode::kPerUser).ok());
  EXPECT_EQ(store_->GetPrivateFlags(admin_, kDesk).value(),
            (Flags{kSeen, {"$Todo"}}));
  ASSERT_TRUE(store_->SetSeenMode(admin_, kDesk, SeenMode::kShared).ok());
  EXPECT_EQ(store_->GetPrivateFlags(admin_, kDesk).value(),
            (Flags{0, {"$Todo"}}));
  // Nothing private: everyone sees the shared values.
  ASSERT_TRUE(store_->SetPrivateFlags(admin_, kDesk, {}).ok());
  EXPECT_EQ(FlagsOf(alice_, 3), Flags());
  EXPECT_EQ(FlagsOf(bob_, 2).keywords, std::vector<std::string>{"$Todo"});
}

TEST_F(PrivateFlagsTest, AppendCopyAndMoveCarryTheCallersValues) {
  MakeHelpdesk();
  std::string data = testing::MakeMessage("new", "x");
  AppendRequest todo{.data = data, .flags = {kFlagged | kAnswered, {"$Todo"}}};
  Uid appended = store_->Append(alice_, kDesk, {todo})->uids[0];
  EXPECT_EQ(FlagsOf(alice_, appended), (Flags{kFlagged | kAnswered, {"$Todo"}}));
  EXPECT_EQ(FlagsOf(bob_, appended), (Flags{kAnswered, {}}));

  // Out of the mailbox: alice's view becomes the copy's shared flags.
  auto copied = store_->Copy(alice_, desk_, {appended}, "INBOX");
  ASSERT_TRUE(copied.ok()) << copied.status();
  MailboxId inbox = store_->GetStatus(alice_, "INBOX")->id;
  auto in_inbox = store_->GetMessages(alice_, inbox, copied->dest_uids);
  ASSERT_TRUE(in_inbox.ok());
  EXPECT_EQ((*in_inbox)[0].flags, (Flags{kFlagged | kAnswered, {"$Todo"}}));

  // Back in: alice's private values stay hers.
  auto moved = store_->Move(alice_, inbox, copied->dest_uids, kDesk);
  ASSERT_TRUE(moved.ok()) << moved.status();
  Uid back = moved->dest_uids[0];
  EXPECT_EQ(FlagsOf(alice_, back), (Flags{kFlagged | kAnswered, {"$Todo"}}));
  EXPECT_EQ(FlagsOf(bob_, back), (Flags{kAnswered, {}}));
  // Expunging a message drops its rows (checked by TearDown's verify).
  SetFlags(alice_, {back}, {kDeleted, {}});
  ASSERT_TRUE(store_->Expunge(bob_, desk_, {}).ok());
}

TEST_F(PrivateFlagsTest, DeletingAUserDropsTheirRows) {
  MakeHelpdesk();
  SetFlags(bob_, {1, 2}, {kFlagged, {"$Todo"}});
  SetFlags(alice_, {3}, {kFlagged, {}});
  ASSERT_TRUE(store_->DeleteUser("bob").ok());
  ASSERT_TRUE(store_->CreateUser("bob", "pw").ok());
  ASSERT_TRUE(store_->SetAcl(admin_, kDesk, "bob", "lrswi").ok());
  EXPECT_EQ(FlagsOf(bob_, 1), Flags());  // a new bob starts afresh
  EXPECT_EQ(FlagsOf(alice_, 3).system, uint32_t{kFlagged});
}

}  // namespace
}  // namespace mailroom::store
