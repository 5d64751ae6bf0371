// What migration and restore need of the store: messages keep the UIDs and
// the mailbox the UIDVALIDITY their clients know from another server.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/store/store_test_util.h"

namespace mailroom::store {
namespace {

using ::testing::ElementsAre;

class MigrationApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::FreshDir("migration-api");
    store_ = OpenStore(testing::TestOptions(dir_)).value();
    ASSERT_TRUE(store_->CreateUser("ann", "pw").ok());
  }
  void TearDown() override {
    absl::Status check = store_->CheckConsistency();
    EXPECT_TRUE(check.ok()) << check;
  }
  std::vector<Uid> Uids(const std::string& mailbox) {
    std::vector<Uid> uids;
    absl::StatusOr<MailboxSnapshot> snapshot =
        store_->OpenMailbox(admin_, mailbox);
    EXPECT_TRUE(snapshot.ok()) << snapshot.status();
    if (!snapshot.ok()) return uids;
    for (const MessageMeta& m : snapshot->messages) uids.push_back(m.uid);
    return uids;
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
  const Principal admin_ = PrincipalIssuer::Admin("ann");
  const Principal ann_ = PrincipalIssuer::User("ann", false);
  const std::string data_ = testing::MakeMessage("hello", "body");
};

TEST_F(MigrationApiTest, AppendKeepsTheGivenUids) {
  std::vector<AppendRequest> batch = {
      {.data = data_, .flags = {kSeen, {"$Label1"}}, .uid = 7},
      {.data = data_, .uid = 9}};
  absl::StatusOr<AppendResult> r = store_->Append(admin_, "INBOX", batch);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->uids, ElementsAre(7, 9));
  EXPECT_THAT(Uids("INBOX"), ElementsAre(7, 9));
  EXPECT_EQ(store_->GetStatus(admin_, "INBOX")->uidnext, 10u);

  // A message without a UID comes after them.
  r = store_->Append(admin_, "INBOX", {{.data = data_}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->uids, ElementsAre(10));

  // Below UIDNEXT (a UID already used) is refused and nothing is stored.
  r = store_->Append(admin_, "INBOX",
                     {{.data = data_, .uid = 11}, {.data = data_, .uid = 8}});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Uids("INBOX"), ElementsAre(7, 9, 10));
}

TEST_F(MigrationApiTest, OnlyAnAdministratorPicksUids) {
  absl::StatusOr<AppendResult> r =
      store_->Append(ann_, "INBOX", {{.data = data_, .uid = 5}});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(Uids("INBOX").empty());
  EXPECT_EQ(store_->SetUidValidity(ann_, "INBOX", 1234).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(MigrationApiTest, UidValidityOfAFreshMailboxCanBeSetOnce) {
  ASSERT_TRUE(store_->SetUidValidity(admin_, "INBOX", 1234).ok());
  EXPECT_EQ(store_->GetStatus(admin_, "INBOX")->uidvalidity, 1234u);
  ASSERT_TRUE(store_->Append(admin_, "INBOX", {{.data = data_, .uid = 3}}).ok());
  EXPECT_EQ(store_->Append(admin_, "INBOX", {{.data = data_}})->uidvalidity,
            1234u);
  // Same value again: nothing to do. Another: the UIDs are in use.
  EXPECT_TRUE(store_->SetUidValidity(admin_, "INBOX", 1234).ok());
  EXPECT_EQ(store_->SetUidValidity(admin_, "INBOX", 99).code(),
            absl::StatusCode::kFailedPrecondition);
  // Expunged messages still count: UIDs were handed out.
  ASSERT_TRUE(store_->SetUidValidity(admin_, "Sent", 4000000000u).ok());
  EXPECT_EQ(store_->GetStatus(admin_, "Sent")->uidvalidity, 4000000000u);
  // A mailbox created later gets a value above every one set.
  ASSERT_TRUE(store_->CreateMailbox(admin_, "Later").ok());
  EXPECT_GT(store_->GetStatus(admin_, "Later")->uidvalidity, 4000000000u);
  EXPECT_EQ(store_->SetUidValidity(admin_, "Missing", 5).code(),
            absl::StatusCode::kNotFound);
}

TEST_F(MigrationApiTest, ExpungedMessagesKeepTheUidValidity) {
  ASSERT_TRUE(store_->Append(admin_, "Drafts", {{.data = data_}}).ok());
  MailboxId id = store_->GetStatus(admin_, "Drafts")->id;
  ASSERT_TRUE(store_->Expunge(admin_, id, {.only_deleted = false}).ok());
  EXPECT_EQ(store_->SetUidValidity(admin_, "Drafts", 77).code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace mailroom::store
