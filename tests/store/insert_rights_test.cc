// RFC 4314 section 4 at insertion: APPEND, COPY and MOVE into a mailbox
// keep only the flags the inserter's rights there let it set.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/store/store_fixture.h"

namespace mailroom::store {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kDrop[] = "Other Users/alice/Drop";

class InsertRightsTest : public testing::StoreFixture {
 protected:
  InsertRightsTest() : StoreFixture("insert_rights") {}

  void SetUp() override {
    StoreFixture::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(store_->CreateMailbox(alice_, "Drop").ok());
  }
  absl::StatusOr<AppendResult> AppendTo(const Principal& who,
                                        std::string_view mailbox, Flags flags) {
    AppendRequest r;
    r.data = data_;
    r.flags = std::move(flags);
    return store_->Append(who, mailbox, {r});
  }
  // The flags of the only message in alice's Drop, as alice sees them.
  Flags OwnerView() {
    const MailboxId id = store_->GetStatus(alice_, "Drop").value().id;
    auto metas = store_->GetMessages(alice_, id, {1});
    EXPECT_TRUE(metas.ok()) << metas.status();
    if (!metas.ok() || metas->size() != 1) return Flags{~0u, {"missing"}};
    return (*metas)[0].flags;
  }
  Flags Planted() { return Flags{kSeen | kDeleted | kFlagged, {"$Spam"}}; }

  std::string data_ = testing::MakeMessage("drop", "body");
};

TEST_F(InsertRightsTest, AppendWithInsertOnlyKeepsNoFlags) {
  ASSERT_TRUE(store_->SetAcl(alice_, "Drop", "bob", "i").ok());
  ASSERT_TRUE(AppendTo(bob_, kDrop, Planted()).ok());
  const Flags seen = OwnerView();
  EXPECT_EQ(seen.system, 0u);
  EXPECT_THAT(seen.keywords, IsEmpty());
  EXPECT_EQ(store_->GetStatus(alice_, "Drop")->unseen, 1u);
}

TEST_F(InsertRightsTest, AnyonePostRightKeepsNoFlags) {
  ASSERT_TRUE(store_->SetAcl(alice_, "Drop", "anyone", "lp").ok());
  ASSERT_TRUE(store_->SetAcl(alice_, "Drop", "bob", "i").ok());
  ASSERT_TRUE(AppendTo(bob_, kDrop, Planted()).ok());
  EXPECT_EQ(OwnerView().system, 0u);
}

TEST_F(InsertRightsTest, EachRightKeepsItsOwnFlags) {
  // `s` keeps \Seen only; `t` \Deleted only; `w` the rest and keywords.
  ASSERT_TRUE(store_->SetAcl(alice_, "Drop", "bob", "lrsi").ok());
  ASSERT_TRUE(AppendTo(bob_, kDrop, Planted()).ok());
  EXPECT_EQ(OwnerView().system, kSeen);
  EXPECT_THAT(OwnerView().keywords, IsEmpty());
  ASSERT_TRUE(store_->Expunge(alice_, store_->GetStatus(alice_, "Drop")->id,
                              {1}).ok());

  ASSERT_TRUE(store_->CreateMailbox(alice_, "Drop2").ok());
  ASSERT_TRUE(store_->SetAcl(alice_, "Drop2", "bob", "lrwi").ok());
  ASSERT_TRUE(AppendTo(bob_, "Other Users/alice/Drop2", Planted()).ok());
  const MailboxId id2 = store_->GetStatus(alice_, "Drop2")->id;
  const Flags w = store_->GetMessages(alice_, id2, {1}).value().at(0).flags;
  EXPECT_EQ(w.system, kFlagged);
  EXPECT_THAT(w.keywords, ElementsAre("$Spam"));
}

TEST_F(InsertRightsTest, CopyAndMoveDropFlagsTheTargetRightsDoNotGrant) {
  ASSERT_TRUE(store_->SetAcl(alice_, "Drop", "bob", "li").ok());
  ASSERT_TRUE(AppendTo(bob_, "INBOX", Planted()).ok());
  const MailboxId bob_inbox = store_->GetStatus(bob_, "INBOX")->id;
  ASSERT_TRUE(store_->Copy(bob_, bob_inbox, {1}, kDrop).ok());
  EXPECT_EQ(OwnerView().system, 0u);
  EXPECT_THAT(OwnerView().keywords, IsEmpty());
  // The source keeps its flags.
  EXPECT_EQ(store_->GetMessages(bob_, bob_inbox, {1})->at(0).flags, Planted());

  ASSERT_TRUE(store_->CreateMailbox(alice_, "Drop2").ok());
  ASSERT_TRUE(store_->SetAcl(alice_, "Drop2", "bob", "lit").ok());
  ASSERT_TRUE(store_->Move(bob_, bob_inbox, {1}, "Other Users/alice/Drop2").ok());
  const MailboxId id2 = store_->GetStatus(alice_, "Drop2")->id;
  EXPECT_EQ(store_->GetMessages(alice_, id2, {1})->at(0).flags.system, kDeleted);
}

TEST_F(InsertRightsTest, OwnerAndFullRightsKeepEverything) {
  ASSERT_TRUE(AppendTo(alice_, "Drop", Planted()).ok());
  EXPECT_EQ(OwnerView(), Planted());
}

TEST_F(InsertRightsTest, PerUserSeenNeedsTheSeenRightToo) {
  ASSERT_TRUE(store_->SetSeenMode(alice_, "Drop", SeenMode::kPerUser).ok());
  ASSERT_TRUE(store_->SetAcl(alice_, "Drop", "bob", "lri").ok());
  ASSERT_TRUE(AppendTo(bob_, kDrop, Planted()).ok());
  EXPECT_EQ(store_->GetStatus(bob_, kDrop)->unseen, 1u);
  EXPECT_EQ(store_->GetStatus(alice_, "Drop")->unseen, 1u);
  EXPECT_EQ(OwnerView().system, 0u);
}

}  // namespace
}  // namespace mailroom::store
