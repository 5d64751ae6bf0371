// Object ids (RFC 8474) and Replace (RFC 8508) in the store's mail logic.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/store/store_fixture.h"

namespace mailroom::store {
namespace {

using ::testing::ElementsAre;

class ObjectIdReplaceTest : public testing::StoreFixture {
 protected:
  ObjectIdReplaceTest() : StoreFixture("object_id_replace") {}

  Uid AppendOne(const std::string& mailbox, const std::string& data) {
    AppendRequest r;
    r.data = data;
    auto result = store_->Append(alice_, mailbox, {r});
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? result->uids.at(0) : 0;
  }
  MailboxStatus Status(const std::string& name) {
    auto status = store_->GetStatus(alice_, name);
    EXPECT_TRUE(status.ok()) << status.status();
    return status.ok() ? *status : MailboxStatus();
  }
  std::vector<MessageMeta> Messages(const std::string& name) {
    auto snap = store_->OpenMailbox(alice_, name);
    EXPECT_TRUE(snap.ok()) << snap.status();
    return snap.ok() ? snap->messages : std::vector<MessageMeta>();
  }
};

TEST_F(ObjectIdReplaceTest, MailboxIdKeptByRenameAndReopenNewAfterDelete) {
  ASSERT_TRUE(store_->CreateMailbox(alice_, "Work").ok());
  const std::string id = Status("Work").object_id;
  EXPECT_EQ(id.size(), 17u);
  EXPECT_EQ(id[0], 'F');
  EXPECT_NE(id, Status("INBOX").object_id);
  ASSERT_TRUE(store_->RenameMailbox(alice_, "Work", "Old/Work").ok());
  EXPECT_EQ(Status("Old/Work").object_id, id);
  Reopen();
  EXPECT_EQ(Status("Old/Work").object_id, id);
  ASSERT_TRUE(store_->DeleteMailbox(alice_, "Old/Work").ok());
  ASSERT_TRUE(store_->CreateMailbox(alice_, "Old/Work").ok());
  EXPECT_NE(Status("Old/Work").object_id, id);
}

TEST_F(ObjectIdReplaceTest, EmailIdFollowsCopiesThreadIdFollowsReplies) {
  AppendOne("INBOX", "Message-ID: <root@x>\r\nSubject: a\r\n\r\nhello\r\n");
  AppendOne("INBOX",
            "Message-ID: <reply@x>\r\nReferences: <root@x>\r\n\r\nre\r\n");
  AppendOne("INBOX", "Subject: alone\r\n\r\nno ids\r\n");
  std::vector<MessageMeta> inbox = Messages("INBOX");
  ASSERT_EQ(inbox.size(), 3u);
  EXPECT_EQ(inbox[0].thread_id, inbox[1].thread_id);
  EXPECT_NE(inbox[0].thread_id, inbox[2].thread_id);
  EXPECT_FALSE(inbox[2].thread_id.empty());
  EXPECT_NE(inbox[0].email_id, inbox[1].email_id);
  const MailboxId id = Status("INBOX").id;
  ASSERT_TRUE(store_->Copy(alice_, id, {1}, "Archive").ok());
  ASSERT_TRUE(store_->Move(alice_, id, {2}, "Trash").ok());
  EXPECT_EQ(Messages("Archive").at(0).email_id, inbox[0].email_id);
  EXPECT_EQ(Messages("Trash").at(0).email_id, inbox[1].email_id);
  EXPECT_EQ(Messages("Trash").at(0).thread_id, inbox[1].thread_id);
  // Both engines answer the search keys from the metadata.
  SearchKey key;
  key.kind = SearchKey::Kind::kEmailId;
  key.value = inbox[2].email_id;
  auto found = store_->Search(alice_, id, key);
  ASSERT_TRUE(found.ok());
  EXPECT_THAT(*found, ElementsAre(3));
  key.kind = SearchKey::Kind::kThreadId;
  key.value = inbox[0].thread_id;
  found = store_->Search(alice_, id, key);
  ASSERT_TRUE(found.ok());
  EXPECT_THAT(*found, ElementsAre(1));
}

TEST_F(ObjectIdReplaceTest, ReplaceSwapsInOneStep) {
  AppendOne("Drafts", "Subject: v1\r\n\r\none\r\n");
  const MailboxId drafts = Status("Drafts").id;
  AppendRequest next;
  next.data = "Subject: v2\r\n\r\ntwo\r\n";
  next.flags.system = kDraft;
  auto result = store_->Replace(alice_, drafts, 1, "Drafts", next);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->uids, ElementsAre(2));
  std::vector<MessageMeta> now = Messages("Drafts");
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0].uid, 2u);
  EXPECT_EQ(now[0].flags.system, uint32_t{kDraft});
  auto changes = store_->ChangesSince(alice_, drafts, 0);
  ASSERT_TRUE(changes.ok());
  EXPECT_THAT(changes->vanished, ElementsAre(1));

  // Into another mailbox.
  next.data = "Subject: v3\r\n\r\nthree\r\n";
  result = store_->Replace(alice_, drafts, 2, "Sent", next);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(Messages("Drafts").empty());
  EXPECT_EQ(Messages("Sent").size(), 1u);
}

TEST_F(ObjectIdReplaceTest, ReplaceOfAGoneMessageAppendsNothing) {
  const MailboxId drafts = Status("Drafts").id;
  AppendRequest next;
  next.data = "Subject: v2\r\n\r\ntwo\r\n";
  auto result = store_->Replace(alice_, drafts, 7, "Sent", next);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Messages("Sent").empty());
  // No such target: the original stays.
  AppendOne("Drafts", "Subject: v1\r\n\r\none\r\n");
  result = store_->Replace(alice_, drafts, 1, "Nowhere", next);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Messages("Drafts").size(), 1u);
}

TEST_F(ObjectIdReplaceTest, ReplaceNeedsInsertOnTargetAndDeleteOnSource) {
  ASSERT_TRUE(store_->CreateMailbox(alice_, "Team").ok());
  AppendOne("Team", "Subject: v1\r\n\r\none\r\n");
  const MailboxId team = Status("Team").id;
  ASSERT_TRUE(store_->SetAcl(alice_, "Team", "bob", "lri").ok());
  AppendRequest next;
  next.data = "Subject: v2\r\n\r\ntwo\r\n";
  auto result = store_->Replace(bob_, team, 1, "INBOX", next);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(store_->SetAcl(alice_, "Team", "bob", "lrte").ok());
  // `i` missing on the target now.
  result = store_->Replace(bob_, team, 1, "Other Users/alice/Team", next);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Messages("Team").size(), 1u);
  ASSERT_TRUE(store_->SetAcl(alice_, "Team", "bob", "lrite").ok());
  result = store_->Replace(bob_, team, 1, "Other Users/alice/Team", next);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(Messages("Team").size(), 1u);
}

}  // namespace
}  // namespace mailroom::store
