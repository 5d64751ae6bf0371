// Delivery targets of Sieve filing (DeliveryTarget flags, as_user, create):
// the user's own rights decide, quota applies, and a target that cannot be
// used fails on its own instead of landing somewhere else.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/store/store_fixture.h"

namespace mailroom::store {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class FilingTest : public testing::StoreFixture {
 protected:
  FilingTest() : StoreFixture("filing") {}

  void SetUp() override {
    StoreFixture::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(store_->CreateMailbox(alice_, "Lists").ok());
    ASSERT_TRUE(store_->CreateMailbox(bob_, "Team").ok());
  }

  absl::StatusOr<AppendResult> DeliverOne(DeliveryTarget target) {
    auto results = store_->Deliver({std::move(target)}, data_);
    return results.at(0);
  }
  static DeliveryTarget AsUser(std::string user, std::string mailbox,
                               Flags flags = {}, bool create = false) {
    DeliveryTarget t;
    t.user = std::move(user);
    t.mailbox = std::move(mailbox);
    t.flags = std::move(flags);
    t.as_user = true;
    t.create = create;
    return t;
  }
  uint32_t Count(const Principal& who, std::string_view mailbox) {
    auto status = store_->GetStatus(who, mailbox);
    return status.ok() ? status->messages : 0;
  }
  // The flags of message `uid` in `mailbox`, as `who` sees them.
  Flags FlagsOf(const Principal& who, std::string_view mailbox, Uid uid) {
    auto status = store_->GetStatus(who, mailbox);
    EXPECT_TRUE(status.ok()) << status.status();
    if (!status.ok()) return Flags{~0u, {"missing"}};
    auto metas = store_->GetMessages(who, status->id, {uid});
    EXPECT_TRUE(metas.ok()) << metas.status();
    if (!metas.ok() || metas->size() != 1) return Flags{~0u, {"missing"}};
    return (*metas)[0].flags;
  }
  Flags Marked() { return Flags{kSeen | kFlagged, {"$Work", "Project"}}; }

  std::string data_ = testing::MakeMessage("filing", "body");
};

TEST_F(FilingTest, FlagsAreStoredOnPlainDelivery) {
  DeliveryTarget t{.user = "alice"};
  t.flags = Marked();
  auto r = DeliverOne(t);
  ASSERT_TRUE(r.ok()) << r.status();
  const Flags f = FlagsOf(alice_, "INBOX", r->uids.at(0));
  EXPECT_EQ(f.system, kSeen | kFlagged);
  EXPECT_THAT(f.keywords, ElementsAre("$Work", "Project"));
  EXPECT_EQ(store_->GetStatus(alice_, "INBOX")->unseen, 0u);
}

TEST_F(FilingTest, OwnMailboxByVisibleName) {
  auto r = DeliverOne(AsUser("alice", "Lists", Marked()));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Count(alice_, "Lists"), 1u);
  EXPECT_EQ(Count(alice_, "INBOX"), 0u);
  EXPECT_THAT(FlagsOf(alice_, "Lists", r->uids.at(0)).keywords,
              ElementsAre("$Work", "Project"));
}

TEST_F(FilingTest, MissingMailboxFailsWithoutFallback) {
  auto r = DeliverOne(AsUser("alice", "Nowhere"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound) << r.status();
  EXPECT_EQ(Count(alice_, "INBOX"), 0u);
  EXPECT_FALSE(store_->GetStatus(alice_, "Nowhere").ok());
}

TEST_F(FilingTest, CreateMakesMailboxAndParents) {
  auto r = DeliverOne(AsUser("alice", "Archive/2026/Dec", {}, true));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Count(alice_, "Archive/2026/Dec"), 1u);
  EXPECT_TRUE(store_->GetStatus(alice_, "Archive/2026").ok());
  // An existing mailbox with `create` is simply used.
  ASSERT_TRUE(DeliverOne(AsUser("alice", "Archive/2026/Dec", {}, true)).ok());
  EXPECT_EQ(Count(alice_, "Archive/2026/Dec"), 2u);
}

TEST_F(FilingTest, OtherUsersMailboxNeedsPostOrInsert) {
  const std::string theirs = "Other Users/bob/Team";
  // Invisible to alice: looks missing, and `create` cannot reveal it.
  EXPECT_EQ(DeliverOne(AsUser("alice", theirs)).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(DeliverOne(AsUser("alice", theirs, {}, true)).status().code(),
            absl::StatusCode::kPermissionDenied);
  // Visible but not writable.
  ASSERT_TRUE(store_->SetAcl(bob_, "Team", "alice", "lr").ok());
  EXPECT_EQ(DeliverOne(AsUser("alice", theirs)).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Count(bob_, "Team"), 0u);
  // `p` alone files, keeping no flags (alice could not STORE them there).
  ASSERT_TRUE(store_->SetAcl(bob_, "Team", "alice", "p").ok());
  auto r = DeliverOne(AsUser("alice", theirs, Marked()));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(FlagsOf(bob_, "Team", r->uids.at(0)).system, 0u);
  EXPECT_THAT(FlagsOf(bob_, "Team", r->uids.at(0)).keywords, IsEmpty());
  // `i` with `s` and `w` keeps them.
  ASSERT_TRUE(store_->SetAcl(bob_, "Team", "alice", "lrswi").ok());
  r = DeliverOne(AsUser("alice", theirs, Marked()));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(FlagsOf(bob_, "Team", r->uids.at(0)).system, kSeen | kFlagged);
  EXPECT_EQ(Count(bob_, "Team"), 2u);
}

TEST_F(FilingTest, CreateInAnotherNamespaceNeedsCreateRightOnParent) {
  const std::string child = "Other Users/bob/Team/Alice";
  ASSERT_TRUE(store_->SetAcl(bob_, "Team", "alice", "lrip").ok());
  EXPECT_EQ(DeliverOne(AsUser("alice", child, {}, true)).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_FALSE(store_->GetStatus(bob_, "Team/Alice").ok());
  ASSERT_TRUE(store_->SetAcl(bob_, "Team", "alice", "lripk").ok());
  auto r = DeliverOne(AsUser("alice", child, {}, true));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Count(bob_, "Team/Alice"), 1u);
  // The new mailbox inherits Team's ACL (RFC 4314 CREATE).
  EXPECT_EQ(store_->MyRights(alice_, child).value_or(""),
            store_->MyRights(alice_, "Other Users/bob/Team").value_or("-"));
}

TEST_F(FilingTest, SharedNamespace) {
  ASSERT_TRUE(store_->CreateUser("shared", "secret-s").ok());
  const Principal admin = PrincipalIssuer::Admin("shared");
  ASSERT_TRUE(store_->CreateMailbox(admin, "Shared/helpdesk").ok());
  ASSERT_TRUE(store_->SetAcl(admin, "Shared/helpdesk", "alice", "lrp").ok());
  auto r = DeliverOne(AsUser("alice", "Shared/helpdesk"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Count(admin, "Shared/helpdesk"), 1u);
  EXPECT_EQ(DeliverOne(AsUser("bob", "Shared/helpdesk")).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(FilingTest, QuotaOfTheMailboxOwnerApplies) {
  const Principal admin = PrincipalIssuer::Admin();
  ASSERT_TRUE(store_->SetQuota(admin, "bob", std::nullopt, 0).ok());
  ASSERT_TRUE(store_->SetAcl(bob_, "Team", "alice", "lrip").ok());
  EXPECT_EQ(
      DeliverOne(AsUser("alice", "Other Users/bob/Team")).status().code(),
      absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(Count(bob_, "Team"), 0u);
  // Alice's own mailboxes are under her own quota.
  EXPECT_TRUE(DeliverOne(AsUser("alice", "Lists")).ok());
}

TEST_F(FilingTest, TargetsFailOneByOne) {
  std::vector<DeliveryTarget> targets = {
      AsUser("alice", "Nowhere"), AsUser("alice", "Lists"),
      AsUser("alice", "Other Users/bob/Team"), DeliveryTarget{.user = "bob"}};
  auto results = store_->Deliver(targets, data_);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(results[1].ok()) << results[1].status();
  EXPECT_EQ(results[2].status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(results[3].ok()) << results[3].status();
  EXPECT_EQ(Count(alice_, "Lists"), 1u);
  EXPECT_EQ(Count(alice_, "INBOX"), 0u);
  EXPECT_EQ(Count(bob_, "INBOX"), 1u);
}

TEST_F(FilingTest, PlainDeliveryIsUnchanged) {
  // Without as_user, a mailbox without `p` for anyone falls back to INBOX.
  auto r = DeliverOne(DeliveryTarget{.user = "alice", .mailbox = "Lists"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Count(alice_, "INBOX"), 1u);
  EXPECT_EQ(Count(alice_, "Lists"), 0u);
}

}  // namespace
}  // namespace mailroom::store
