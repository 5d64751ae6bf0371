// Behaviour of every store operation, normal and error cases.
#include <algorithm>
#include <atomic>
#include <set>

#include "absl/synchronization/mutex.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/store/store_test_util.h"

namespace mailroom::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using ::testing::UnorderedElementsAreArray;

class StoreApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::FreshDir("store_api");
    Reopen();
    ASSERT_TRUE(store_->CreateUser("alice", "secret-a").ok());
    ASSERT_TRUE(store_->CreateUser("bob", "secret-b").ok());
  }
  void TearDown() override {
    if (store_ != nullptr) {
      EXPECT_TRUE(store_->CheckConsistency().ok())
          << store_->CheckConsistency().message();
    }
  }
  void Reopen(std::shared_ptr<TextIndex> index = nullptr) {
    store_.reset();
    StoreOptions options = testing::TestOptions(dir_);
    options.text_index = std::move(index);
    auto s = OpenStore(options);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
  }
  Uid AppendOne(const Principal& who, const std::string& mailbox,
                const std::string& data, Flags flags = {}) {
    AppendRequest r;
    r.data = data;
    r.flags = flags;
    auto result = store_->Append(who, mailbox, {r});
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? result->uids.at(0) : 0;
  }
  MailboxId IdOf(const Principal& who, const std::string& name) {
    auto status = store_->GetStatus(who, name);
    EXPECT_TRUE(status.ok()) << status.status();
    return status.ok() ? status->id : 0;
  }
  std::vector<std::string> Names(const Principal& who) {
    std::vector<std::string> names;
    auto list = store_->ListMailboxes(who);
    EXPECT_TRUE(list.ok()) << list.status();
    if (!list.ok()) return names;
    for (const MailboxInfo& m : *list) {
      names.push_back(m.name);
    }
    return names;
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
  Principal alice_ = PrincipalIssuer::User("alice");
  Principal bob_ = PrincipalIssuer::User("bob");
  Principal carol_ = PrincipalIssuer::User("carol");
  Principal admin_ = PrincipalIssuer::Admin();
};

TEST_F(StoreApiTest, CreateUserMakesInboxAndSpecialUseFolders) {
  auto list = store_->ListMailboxes(alice_);
  ASSERT_TRUE(list.ok());
  std::map<std::string, std::optional<std::string>> uses;
  for (const MailboxInfo& m : *list) uses[m.name] = m.special_use;
  EXPECT_EQ(uses.size(), 6u);
  EXPECT_EQ(uses["INBOX"], std::nullopt);
  for (std::string_view use : kSpecialUses) {
    EXPECT_EQ(uses[std::string(use)], std::string(use));
  }
  EXPECT_EQ(store_->CreateUser("Alice", "x").code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(store_->ListUsers().value(), ElementsAre("alice", "bob"));
}

TEST_F(StoreApiTest, RejectsBadUserNames) {
  for (const char* name : {"", ".hidden", "a b", "x/y", "ü",
                           "0123456789012345678901234567890123456789012345678901234567890123456789"}) {
    EXPECT_EQ(store_->CreateUser(name, "pw").code(),
              absl::StatusCode::kInvalidArgument)
        << name;
  }
  EXPECT_TRUE(store_->CreateUser("Mixed.Case_1-x", "pw").ok());
  EXPECT_TRUE(store_->Authenticate("mixed.case_1-x", "pw").ok());
}

TEST_F(StoreApiTest, RefusesUserNamesThatAreAclIdentifiers) {
  for (const char* name : {"anyone", "Authenticated", "-bob", "$staff",
                           "a\r\nFAKE"}) {
    EXPECT_EQ(store_->CreateUser(name, "pw").code(),
              absl::StatusCode::kInvalidArgument)
        << name;
  }
  EXPECT_THAT(store_->ListUsers().value(), ElementsAre("alice", "bob"));
}

TEST_F(StoreApiTest, AuthenticateAndScram) {
  auto ok = store_->Authenticate("ALICE", "secret-a");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->user(), "alice");
  EXPECT_FALSE(ok->admin());
  auto wrong = store_->Authenticate("alice", "nope");
  auto unknown = store_->Authenticate("nobody", "nope");
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(unknown.status(), wrong.status());  // same code and message

  auto creds = store_->GetScramCredentials("alice");
  ASSERT_TRUE(creds.ok());
  EXPECT_EQ(creds->salt.size(), 16u);
  EXPECT_EQ(creds->iterations, 64u);
  EXPECT_EQ(creds->stored_key.size(), 32u);
  EXPECT_EQ(creds->server_key.size(), 32u);

  ASSERT_TRUE(store_->SetPassword("alice", "new").ok());
  EXPECT_FALSE(store_->Authenticate("alice", "secret-a").ok());
  EXPECT_TRUE(store_->Authenticate("alice", "new").ok());
  EXPECT_NE(store_->GetScramCredentials("alice")->salt, creds->salt);
  EXPECT_EQ(store_->SetPassword("nobody", "x").code(),
            absl::StatusCode::kNotFound);
}

TEST_F(StoreApiTest, DeleteUserRemovesEverythingAndReleasesBlobs) {
  AppendOne(alice_, "INBOX", testing::MakeMessage("one", "body"));
  ASSERT_TRUE(store_->SetAcl(alice_, "INBOX", "bob", "lr").ok());
  ASSERT_TRUE(store_->DeleteUser("alice").ok());
  EXPECT_EQ(store_->Authenticate("alice", "secret-a").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(store_->GetQuota(store::PrincipalIssuer::Admin(), "alice").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetStats()->blobs, 0u);
  EXPECT_THAT(Names(bob_), ::testing::Not(::testing::Contains(
                               "Other Users/alice/INBOX")));
  EXPECT_EQ(store_->DeleteUser("alice").code(), absl::StatusCode::kNotFound);
}

TEST_F(StoreApiTest, RejectsBadMailboxNames) {
  std::string long_name(256, 'x');
  for (std::string name :
       {std::string(""), std::string("a//b"), std::string("/a"),
        std::string("a/"), std::string("a/./b"), std::string("../x"),
        std::string("a*"), std::string("a%b"), std::string("tab\there"),
        std::string("bad\xff utf8"), std::string("\xc0\xaf"), long_name}) {
    EXPECT_EQ(store_->CreateMailbox(alice_, name).code(),
              absl::StatusCode::kInvalidArgument)
        << name;
  }
  EXPECT_TRUE(store_->CreateMailbox(alice_, "Größe/日本").ok());
  EXPECT_TRUE(store_->GetStatus(alice_, "Größe/日本").ok());
}

TEST_F(StoreApiTest, InboxIsCaseInsensitive) {
  Uid uid = AppendOne(alice_, "inbox", testing::MakeMessage("x", "y"));
  EXPECT_EQ(uid, 1u);
  EXPECT_EQ(store_->GetStatus(alice_, "InBoX")->messages, 1u);
  EXPECT_EQ(store_->CreateMailbox(alice_, "inbox").code(),
            absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(store_->CreateMailbox(alice_, "Inbox/Sub").ok());
  EXPECT_THAT(Names(alice_), ::testing::Contains("INBOX/Sub"));
  EXPECT_TRUE(store_->GetStatus(alice_, "inbox/Sub").ok());
  EXPECT_FALSE(store_->GetStatus(alice_, "INBOX/sub").ok());
}

TEST_F(StoreApiTest, CreateMakesParentsAndRefusesDuplicates) {
  ASSERT_TRUE(store_->CreateMailbox(alice_, "a/b/c").ok());
  EXPECT_TRUE(store_->GetStatus(alice_, "a").ok());
  EXPECT_TRUE(store_->GetStatus(alice_, "a/b").ok());
  EXPECT_EQ(store_->CreateMailbox(alice_, "a/b").code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->CreateMailbox(alice_, "x", "Bogus").code(),
            absl::StatusCode::kInvalidArgument);
  auto list = store_->ListMailboxes(alice_).value();
  auto a = std::find_if(list.begin(), list.end(),
                        [](const MailboxInfo& m) { return m.name == "a"; });
  ASSERT_NE(a, list.end());
  EXPECT_TRUE(a->has_children);
  // Distinct UIDVALIDITY per mailbox.
  std::set<uint32_t> validities;
  for (const MailboxInfo& m : list) validities.insert(m.uidvalidity);
  EXPECT_EQ(validities.size(), list.size());
}

TEST_F(StoreApiTest, DeleteWithChildrenLeavesNoselectParent) {
  ASSERT_TRUE(store_->CreateMailbox(alice_, "p/child").ok());
  AppendOne(alice_, "p", testing::MakeMessage("m", "in parent"));
  uint32_t old_validity = store_->GetStatus(alice_, "p")->uidvalidity;
  ASSERT_TRUE(store_->DeleteMailbox(alice_, "p").ok());
  auto list = store_->ListMailboxes(alice_).value();
  auto p = std::find_if(list.begin(), list.end(),
                        [](const MailboxInfo& m) { return m.name == "p"; });
  ASSERT_NE(p, list.end());
  EXPECT_TRUE(p->noselect);
  EXPECT_EQ(store_->OpenMailbox(alice_, "p").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->GetQuota(store::PrincipalIssuer::Admin(), "alice")->messages, 0u);
  EXPECT_EQ(store_->DeleteMailbox(alice_, "p").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->Append(alice_, "p", {AppendRequest{.data = "x"}})
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  // Creating it again makes a new incarnation.
  ASSERT_TRUE(store_->CreateMailbox(alice_, "p").ok());
  auto status = store_->GetStatus(alice_, "p");
  ASSERT_TRUE(status.ok());
  EXPECT_GT(status->uidvalidity, old_validity);
  EXPECT_EQ(status->messages, 0u);
  // A leaf goes away entirely; the noselect-free parent then too.
  ASSERT_TRUE(store_->DeleteMailbox(alice_, "p/child").ok());
  ASSERT_TRUE(store_->DeleteMailbox(alice_, "p").ok());
  EXPECT_EQ(store_->GetStatus(alice_, "p").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(StoreApiTest, DeleteInboxIsRefused) {
  EXPECT_EQ(store_->DeleteMailbox(alice_, "INBOX").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->DeleteMailbox(alice_, "missing").code(),
            absl::StatusCode::kNotFound);
}

TEST_F(StoreApiTest, OperationsOnADeletedMailboxFail) {
  ASSERT_TRUE(store_->CreateMailbox(alice_, "gone").ok());
  Uid uid = AppendOne(alice_, "gone", testing::MakeMessage("m", "b"));
  MailboxId id = IdOf(alice_, "gone");
  ASSERT_TRUE(store_->DeleteMailbox(alice_, "gone").ok());
  EXPECT_EQ(store_->GetStatus(alice_, "gone").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->ReadMessage(alice_, id, uid).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->StoreFlags(alice_, id, {.uids = {uid}}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Expunge(alice_, id, {}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Copy(alice_, id, {uid}, "INBOX").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Append(alice_, "gone", {AppendRequest{.data = "x"}})
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->RenameMailbox(alice_, "gone", "back").code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetStats()->blobs, 0u);
}

TEST_F(StoreApiTest, RenameMovesChildrenAndRefusesExistingTarget) {
  ASSERT_TRUE(store_->CreateMailbox(alice_, "old/kid/grandkid").ok());
  Uid uid = AppendOne(alice_, "old/kid", testing::MakeMessage("k", "kid"));
  MailboxId kid = IdOf(alice_, "old/kid");
  uint32_t validity = store_->GetStatus(alice_, "old/kid")->uidvalidity;
  ASSERT_TRUE(store_->RenameMailbox(alice_, "old", "new/place").ok());
  EXPECT_EQ(store_->GetStatus(alice_, "old").status().code(),
            absl::StatusCode::kNotFound);
  auto status = store_->GetStatus(alice_, "new/place/kid");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->id, kid);
  EXPECT_EQ(status->uidvalidity, validity);
  EXPECT_TRUE(store_->GetStatus(alice_, "new/place/kid/grandkid").ok());
  EXPECT_TRUE(store_->GetStatus(alice_, "new").ok());
  EXPECT_TRUE(store_->ReadMessage(alice_, kid, uid).ok());

  ASSERT_TRUE(store_->CreateMailbox(alice_, "other").ok());
  EXPECT_EQ(store_->RenameMailbox(alice_, "other", "new/place").code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->RenameMailbox(alice_, "other", "Trash").code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->RenameMailbox(alice_, "other", "other/inside").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->RenameMailbox(alice_, "other", "a//b").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(StoreApiTest, RenameInboxMovesMessagesAndLeavesInboxEmpty) {
  ASSERT_TRUE(store_->CreateMailbox(alice_, "INBOX/child").ok());
  std::string m1 = testing::MakeMessage("one", "first");
  std::string m2 = testing::MakeMessage("two", "second");
  AppendOne(alice_, "INBOX", m1, Flags{kSeen, {"$Work"}});
  AppendOne(alice_, "INBOX", m2);
  auto before = store_->GetStatus(alice_, "INBOX").value();
  ASSERT_TRUE(store_->RenameMailbox(alice_, "INBOX", "Old Mail").ok());
  auto inbox = store_->GetStatus(alice_, "INBOX").value();
  EXPECT_EQ(inbox.messages, 0u);
  EXPECT_EQ(inbox.uidvalidity, before.uidvalidity);
  EXPECT_GE(inbox.uidnext, before.uidnext);  // UIDs are never reused
  EXPECT_TRUE(store_->GetStatus(alice_, "INBOX/child").ok());
  auto moved = store_->OpenMailbox(alice_, "Old Mail");
  ASSERT_TRUE(moved.ok());
  ASSERT_EQ(moved->messages.size(), 2u);
  EXPECT_EQ(moved->status.unseen, 1u);
  EXPECT_EQ(moved->messages[0].flags, (Flags{kSeen, {"$Work"}}));
  EXPECT_EQ(*store_->ReadMessage(alice_, moved->status.id,
                                 moved->messages[1].uid)
                 .value(),
            m2);
  EXPECT_EQ(store_->GetQuota(store::PrincipalIssuer::Admin(), "alice")->messages, 2u);
}

TEST_F(StoreApiTest, ReadMessageRangeReadsOnlyTheRange) {
  std::string data = "Subject: big\r\n\r\n";
  for (int i = 0; data.size() < 300000; ++i) {
    absl::StrAppend(&data, "line ", i, "\r\n");
  }
  const Uid uid = AppendOne(alice_, "INBOX", data);
  const MailboxId inbox = IdOf(alice_, "INBOX");
  auto middle = store_->ReadMessageRange(alice_, inbox, uid, 100000, 4096);
  ASSERT_TRUE(middle.ok()) << middle.status();
  EXPECT_EQ(*middle, data.substr(100000, 4096));
  auto tail = store_->ReadMessageRange(alice_, inbox, uid, data.size() - 10, 4096);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(*tail, data.substr(data.size() - 10));
  auto past = store_->ReadMessageRange(alice_, inbox, uid, data.size() + 1, 10);
  ASSERT_TRUE(past.ok());
  EXPECT_EQ(*past, "");
  // Rights and expunges apply as to whole reads.
  EXPECT_EQ(store_->ReadMessageRange(bob_, inbox, uid, 0, 10).status().code(),
            absl::StatusCode::kNotFound);
  ExpungeRequest expunge;
  expunge.only_deleted = false;
  expunge.uids = std::vector<Uid>{uid};
  ASSERT_TRUE(store_->Expunge(alice_, inbox, expunge).ok());
  EXPECT_EQ(store_->ReadMessageRange(alice_, inbox, uid, 0, 10).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(StoreApiTest, AppendFlagsAndCountersStayExact) {
  std::string data = testing::MakeMessage("hello", "world");
  AppendRequest r1{.data = data, .flags = Flags{kSeen | kFlagged, {"b", "a", "A"}},
                   .internal_date = 1000000, .internal_tz_minutes = 120};
  AppendRequest r2{.data = data};
  auto appended = store_->Append(alice_, "INBOX", {r1, r2});
  ASSERT_TRUE(appended.ok()) << appended.status();
  EXPECT_THAT(appended->uids, ElementsAre(1, 2));
  MailboxId inbox = IdOf(alice_, "INBOX");
  auto status = store_->GetStatus(alice_, "INBOX").value();
  EXPECT_EQ(status.messages, 2u);
  EXPECT_EQ(status.unseen, 1u);
  EXPECT_EQ(status.size, 2 * data.size());
  EXPECT_EQ(status.uidnext, 3u);
  EXPECT_EQ(status.uidvalidity, appended->uidvalidity);

  auto metas = store_->GetMessages(alice_, inbox, {2, 1, 7});
  ASSERT_TRUE(metas.ok());
  ASSERT_EQ(metas->size(), 2u);
  EXPECT_EQ((*metas)[0].flags.keywords, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ((*metas)[0].internal_date, 1000000);
  EXPECT_EQ((*metas)[0].internal_tz_minutes, 120);
  EXPECT_EQ((*metas)[0].blob_id, (*metas)[1].blob_id);
  EXPECT_EQ((*metas)[0].blob_id.size(), 64u);
  EXPECT_LT((*metas)[0].modseq, (*metas)[1].modseq);
  EXPECT_EQ(*store_->ReadMessage(alice_, inbox, 1).value(), data);
  EXPECT_EQ(store_->GetStats()->blobs, 1u);  // identical bodies shared

  ModSeq before = store_->GetStatus(alice_, "INBOX")->highestmodseq;
  // No-op change: nothing changes, no modseq bump.
  auto noop = store_->StoreFlags(
      alice_, inbox, {.uids = {1}, .op = FlagOp::kAdd, .flags = {kSeen, {}}});
  ASSERT_TRUE(noop.ok());
  EXPECT_THAT(noop->changed, IsEmpty());
  EXPECT_EQ(store_->GetStatus(alice_, "INBOX")->highestmodseq, before);

  auto added = store_->StoreFlags(
      alice_, inbox,
      {.uids = {1, 2, 99}, .op = FlagOp::kAdd, .flags = {kDeleted, {"X"}}});
  ASSERT_TRUE(added.ok());
  ASSERT_EQ(added->changed.size(), 2u);
  EXPECT_EQ(added->changed[1].flags, (Flags{kDeleted, {"X"}}));
  status = store_->GetStatus(alice_, "INBOX").value();
  EXPECT_EQ(status.deleted, 2u);
  EXPECT_GT(status.highestmodseq, before);

  auto removed = store_->StoreFlags(
      alice_, inbox, {.uids = {1}, .op = FlagOp::kRemove, .flags = {kSeen, {"x"}}});
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->changed.at(0).flags,
            (Flags{kFlagged | kDeleted, {"a", "b"}}));
  EXPECT_EQ(store_->GetStatus(alice_, "INBOX")->unseen, 2u);

  auto replaced = store_->StoreFlags(
      alice_, inbox, {.uids = {2}, .op = FlagOp::kReplace, .flags = {kSeen, {}}});
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(replaced->changed.at(0).flags, (Flags{kSeen, {}}));

  auto expunged = store_->Expunge(alice_, inbox, {});
  ASSERT_TRUE(expunged.ok());
  EXPECT_THAT(*expunged, ElementsAre(1));
  status = store_->GetStatus(alice_, "INBOX").value();
  EXPECT_EQ(status.messages, 1u);
  EXPECT_EQ(status.deleted, 0u);
  EXPECT_EQ(status.unseen, 0u);
  EXPECT_EQ(store_->ReadMessage(alice_, inbox, 1).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetStats()->blobs, 1u);  // uid 2 still uses it
  EXPECT_EQ(store_->Append(alice_, "INBOX",
                           {AppendRequest{.data = "x", .flags = {0, {"bad word"}}}})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(StoreApiTest, UnchangedSinceReportsModifiedAndLeavesThemAlone) {
  MailboxId inbox = IdOf(alice_, "INBOX");
  AppendOne(alice_, "INBOX", testing::MakeMessage("1", "a"));
  AppendOne(alice_, "INBOX", testing::MakeMessage("2", "b"));
  auto metas = store_->GetMessages(alice_, inbox, {1, 2}).value();
  ASSERT_TRUE(store_->StoreFlags(alice_, inbox,
                                 {.uids = {2}, .flags = {kFlagged, {}}})
                  .ok());
  auto result = store_->StoreFlags(alice_, inbox,
                                   {.uids = {1, 2},
                                    .flags = {kSeen, {}},
                                    .unchanged_since = metas[1].modseq});
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(result->modified, ElementsAre(2));
  ASSERT_EQ(result->changed.size(), 1u);
  EXPECT_EQ(result->changed[0].uid, 1u);
  EXPECT_EQ(store_->GetMessages(alice_, inbox, {2})->at(0).flags.system,
            uint32_t{kFlagged});
}

TEST_F(StoreApiTest, ExpungeOfExactUidsIgnoresDeletedFlag) {
  MailboxId inbox = IdOf(alice_, "INBOX");
  for (int i = 0; i < 3; ++i) {
    AppendOne(alice_, "INBOX", testing::MakeMessage(std::to_string(i), "x"));
  }
  auto result = store_->Expunge(
      alice_, inbox, {.only_deleted = false, .uids = std::vector<Uid>{3, 1, 8}});
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(*result, ElementsAre(1, 3));
  EXPECT_EQ(store_->GetQuota(store::PrincipalIssuer::Admin(), "alice")->messages, 1u);
}

TEST_F(StoreApiTest, QuotaExceededChangesNothing) {
  ASSERT_EQ(store_->SetQuota(alice_, "alice", 10, std::nullopt).code(),
            absl::StatusCode::kPermissionDenied);
  std::string small = testing::MakeMessage("s", "small");
  ASSERT_TRUE(store_->SetQuota(admin_, "alice", small.size() * 2 + 1, 3).ok());
  AppendOne(alice_, "INBOX", small);
  auto before = store_->GetStatus(alice_, "INBOX").value();
  std::string big(small.size() * 2, 'x');
  auto over = store_->Append(alice_, "INBOX",
                             {AppendRequest{.data = small}, AppendRequest{.data = big}});
  EXPECT_EQ(over.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(over.status().message()), HasSubstr("OVERQUOTA"));
  auto after = store_->GetStatus(alice_, "INBOX").value();
  EXPECT_EQ(after.messages, before.messages);
  EXPECT_EQ(after.uidnext, before.uidnext);
  EXPECT_EQ(after.highestmodseq, before.highestmodseq);
  EXPECT_EQ(store_->GetStats()->blobs, 1u);
  auto quota = store_->GetQuota(store::PrincipalIssuer::Admin(), "alice").value();
  EXPECT_EQ(quota.storage_bytes, small.size());
  EXPECT_EQ(quota.messages, 1u);
  EXPECT_EQ(quota.storage_limit_bytes, small.size() * 2 + 1);
  EXPECT_EQ(quota.message_limit, 3u);

  // Copy counts against quota too; move within one user does not.
  AppendOne(alice_, "INBOX", small);  // 2 messages, 2*small bytes
  MailboxId inbox = IdOf(alice_, "INBOX");
  EXPECT_EQ(store_->Copy(alice_, inbox, {1}, "Trash").status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(store_->Move(alice_, inbox, {1}, "Trash").ok());
  EXPECT_EQ(store_->GetQuota(store::PrincipalIssuer::Admin(), "alice")->messages, 2u);
  ASSERT_TRUE(store_->SetQuota(admin_, "alice", std::nullopt, std::nullopt).ok());
  EXPECT_TRUE(store_->Copy(alice_, inbox, {2}, "Trash").ok());
  EXPECT_EQ(store_->GetQuota(store::PrincipalIssuer::Admin(), "alice")->messages, 3u);
  ASSERT_TRUE(store_->DeleteMailbox(alice_, "Trash").ok());
  EXPECT_EQ(store_->GetQuota(store::PrincipalIssuer::Admin(), "alice")->messages, 1u);
  EXPECT_EQ(store_->GetQuota(store::PrincipalIssuer::Admin(), "alice")->storage_bytes, small.size());
}

TEST_F(StoreApiTest, DefaultQuotaAppliesToNewUsers) {
  store_.reset();
  StoreOptions options = testing::TestOptions(dir_);
  options.default_message_quota = 1;
  store_ = OpenStore(options).value();
  ASSERT_TRUE(store_->CreateUser("dave", "pw").ok());
  Principal dave = PrincipalIssuer::User("dave");
  AppendOne(dave, "INBOX", "one");
  EXPECT_EQ(store_->Append(dave, "INBOX", {AppendRequest{.data = "two"}})
                .status()
                .code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(store_->GetQuota(store::PrincipalIssuer::Admin(), "alice")->message_limit, std::nullopt);
}

TEST_F(StoreApiTest, UserWithoutRightsCannotTellAMailboxExists) {
  MailboxId inbox = IdOf(alice_, "INBOX");
  AppendOne(alice_, "INBOX", testing::MakeMessage("private", "secret"));
  auto hidden = store_->GetStatus(bob_, "Other Users/alice/INBOX");
  auto missing = store_->GetStatus(bob_, "Other Users/alice/NoSuchBox");
  auto no_user = store_->GetStatus(bob_, "Other Users/nobody/INBOX");
  EXPECT_EQ(hidden.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(hidden.status(), missing.status());
  EXPECT_EQ(hidden.status(), no_user.status());
  EXPECT_EQ(store_->ReadMessage(bob_, inbox, 1).status(),
            store_->ReadMessage(bob_, 999999, 1).status());
  EXPECT_EQ(store_->MyRights(bob_, "Other Users/alice/INBOX").status(),
            missing.status());
  EXPECT_EQ(store_->Append(bob_, "Other Users/alice/INBOX",
                           {AppendRequest{.data = "x"}})
                .status(),
            store_->Append(bob_, "Other Users/alice/Nope",
                           {AppendRequest{.data = "x"}})
                .status());
  EXPECT_EQ(store_->SetAcl(bob_, "Other Users/alice/INBOX", "bob", "lr"),
            store_->SetAcl(bob_, "Other Users/alice/Nope", "bob", "lr"));
  EXPECT_THAT(Names(bob_), ::testing::Each(::testing::Not(HasSubstr("alice"))));
  // Admin bypasses ACL.
  EXPECT_TRUE(store_->ReadMessage(admin_, inbox, 1).ok());
}

TEST_F(StoreApiTest, AclGrantsLookupReadAndDeniesTheRest) {
  MailboxId inbox = IdOf(alice_, "INBOX");
  AppendOne(alice_, "INBOX", testing::MakeMessage("shared", "text"));
  ASSERT_TRUE(store_->SetAcl(alice_, "INBOX", "Bob", "lr").ok());
  EXPECT_THAT(Names(bob_), ::testing::Contains("Other Users/alice/INBOX"));
  EXPECT_EQ(store_->MyRights(bob_, "Other Users/alice/INBOX").value(), "lr");
  EXPECT_EQ(store_->MyRights(alice_, "INBOX").value(), "lrswipkxtea");
  auto snap = store_->OpenMailbox(bob_, "Other Users/alice/INBOX");
  ASSERT_TRUE(snap.ok());
  EXPECT_TRUE(snap->read_only);
  EXPECT_EQ(snap->name, "Other Users/alice/INBOX");
  EXPECT_TRUE(store_->ReadMessage(bob_, inbox, 1).ok());
  EXPECT_EQ(store_->Append(bob_, "Other Users/alice/INBOX",
                           {AppendRequest{.data = "x"}})
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(store_->StoreFlags(bob_, inbox, {.uids = {1}, .flags = {kSeen, {}}})
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(store_->Expunge(bob_, inbox, {}).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(store_->DeleteMailbox(bob_, "Other Users/alice/INBOX").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(store_->SetAcl(bob_, "Other Users/alice/INBOX", "bob", "lrswi").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(store_->GetAcl(bob_, "Other Users/alice/INBOX").status().code(),
            absl::StatusCode::kPermissionDenied);

  // 's' only: \Seen changes, other flags keep their value.
  ASSERT_TRUE(store_->SetAcl(alice_, "INBOX", "bob", "+s").ok());
  auto stored = store_->StoreFlags(
      bob_, inbox, {.uids = {1}, .flags = {kSeen | kFlagged, {"k"}}});
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->changed.at(0).flags, (Flags{kSeen, {}}));

  auto acl = store_->GetAcl(alice_, "INBOX").value();
  ASSERT_EQ(acl.size(), 2u);
  EXPECT_EQ(acl[0].identifier, "alice");
  EXPECT_EQ(acl[1].identifier, "bob");
  EXPECT_EQ(acl[1].rights, "lrs");
  EXPECT_EQ(store_->SetAcl(alice_, "INBOX", "bob", "lrz").code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(store_->SetAcl(alice_, "INBOX", "bob", "").ok());
  EXPECT_EQ(store_->GetStatus(bob_, "Other Users/alice/INBOX").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(StoreApiTest, GroupAnyoneAndNegativeRights) {
  ASSERT_TRUE(store_->CreateUser("carol", "pw").ok());
  ASSERT_TRUE(store_->CreateMailbox(alice_, "Team").ok());
  ASSERT_TRUE(store_->SetGroupMembers("$support", {"bob", "CAROL"}).ok());
  ASSERT_TRUE(store_->SetAcl(alice_, "Team", "$support", "lrswite").ok());
  EXPECT_EQ(store_->MyRights(carol_, "Other Users/alice/Team").value(),
            "lrswite");
  ASSERT_TRUE(store_->SetAcl(alice_, "Team", "-carol", "we").ok());
  EXPECT_EQ(store_->MyRights(carol_, "Other Users/alice/Team").value(), "lrsit");
  ASSERT_TRUE(store_->SetGroupMembers("support", {"bob"}).ok());
  EXPECT_EQ(store_->GetStatus(carol_, "Other Users/alice/Team").status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(store_->SetAcl(alice_, "Sent", "anyone", "l").ok());
  EXPECT_THAT(Names(carol_), ::testing::Contains("Other Users/alice/Sent"));
  // `l` without `r`: visible but not readable.
  EXPECT_EQ(store_->GetStatus(carol_, "Other Users/alice/Sent").status().code(),
            absl::StatusCode::kPermissionDenied);
  // Writing into a shared helpdesk mailbox with `i`.
  ASSERT_TRUE(store_->SetAcl(alice_, "Team", "bob", "lri").ok());
  auto appended = store_->Append(bob_, "Other Users/alice/Team",
                                 {AppendRequest{.data = "ticket"}});
  ASSERT_TRUE(appended.ok()) << appended.status();
  EXPECT_EQ(store_->GetQuota(store::PrincipalIssuer::Admin(), "alice")->messages, 1u);  // charged to owner
}

TEST_F(StoreApiTest, DropBoxTakesMailButStaysInvisible) {
  ASSERT_TRUE(store_->CreateUser("carol", "pw").ok());
  ASSERT_TRUE(store_->CreateMailbox(alice_, "Drop").ok());
  ASSERT_TRUE(store_->SetAcl(alice_, "Drop", "bob", "i").ok());
  EXPECT_TRUE(store_->Append(bob_, "Other Users/alice/Drop",
                             {AppendRequest{.data = "dropped"}})
                  .ok());
  AppendOne(bob_, "INBOX", "to copy");
  EXPECT_TRUE(
      store_->Copy(bob_, IdOf(bob_, "INBOX"), {1}, "Other Users/alice/Drop")
          .ok());
  EXPECT_EQ(store_->GetStatus(alice_, "Drop")->messages, 2u);
  // Every other command answers as for a missing mailbox.
  EXPECT_EQ(store_->GetStatus(bob_, "Other Users/alice/Drop").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->MyRights(bob_, "Other Users/alice/Drop").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_THAT(Names(bob_), ::testing::Each(::testing::Not(HasSubstr("Drop"))));
  // Without any right the append looks exactly like one to a missing box.
  EXPECT_EQ(store_->Append(carol_, "Other Users/alice/Drop",
                           {AppendRequest{.data = "x"}})
                .status(),
            store_->Append(carol_, "Other Users/alice/NoDrop",
                           {AppendRequest{.data = "x"}})
                .status());
}

TEST_F(StoreApiTest, InsertOrFlagRightsOpenReadWrite) {
  ASSERT_TRUE(store_->CreateMailbox(alice_, "Box").ok());
  for (const auto& [rights, read_only] :
       std::vector<std::pair<std::string, bool>>{{"lr", true},
                                                 {"lri", false},
                                                 {"lre", false},
                                                 {"lrs", false},
                                                 {"lrp", true}}) {
    ASSERT_TRUE(store_->SetAcl(alice_, "Box", "bob", rights).ok());
    auto snap = store_->OpenMailbox(bob_, "Other Users/alice/Box");
    ASSERT_TRUE(snap.ok()) << snap.status();
    EXPECT_EQ(snap->read_only, read_only) << rights;
  }
}

TEST_F(StoreApiTest, StoreNamingOnlyForbiddenFlagsIsRefused) {
  AppendOne(alice_, "INBOX", "m");
  MailboxId inbox = IdOf(alice_, "INBOX");
  ASSERT_TRUE(store_->SetAcl(alice_, "INBOX", "bob", "lrw").ok());
  EXPECT_EQ(store_->StoreFlags(bob_, inbox, {.uids = {1}, .flags = {kSeen, {}}})
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(store_->StoreFlags(bob_, inbox,
                               {.uids = {1},
                                .op = FlagOp::kRemove,
                                .flags = {kDeleted, {}}})
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  // One flag it may change: that one changes, the other is left alone.
  auto stored = store_->StoreFlags(
      bob_, inbox, {.uids = {1}, .flags = {kSeen | kFlagged, {"k"}}});
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->changed.at(0).flags, (Flags{kFlagged, {"k"}}));
  // A replacement touches every flag, so one flag right is enough.
  EXPECT_TRUE(store_->StoreFlags(bob_, inbox,
                                 {.uids = {1},
                                  .op = FlagOp::kReplace,
                                  .flags = {kSeen, {}}})
                  .ok());
}

TEST_F(StoreApiTest, RenameNeedsCreateRightOnTheNewParent) {
  ASSERT_TRUE(store_->CreateMailbox(alice_, "Proj/a").ok());
  ASSERT_TRUE(store_->SetAcl(alice_, "Proj/a", "bob", "lx").ok());
  ASSERT_TRUE(store_->SetAcl(alice_, "Proj", "bob", "l").ok());
  EXPECT_EQ(store_->RenameMailbox(bob_, "Other Users/alice/Proj/a",
                                  "Other Users/alice/Proj/b")
                .code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(store_->RenameMailbox(bob_, "Other Users/alice/Proj/a",
                                  "Other Users/alice/top")
                .code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(store_->SetAcl(alice_, "Proj", "bob", "lk").ok());
  EXPECT_TRUE(store_->RenameMailbox(bob_, "Other Users/alice/Proj/a",
                                    "Other Users/alice/Proj/b")
                  .ok());
  // The renamed mailbox keeps its ACL.
  EXPECT_EQ(store_->MyRights(bob_, "Other Users/alice/Proj/b").value(), "lx");
}

TEST_F(StoreApiTest, CreatedMailboxesInheritTheNearestAncestorsAcl) {
  ASSERT_TRUE(store_->CreateUser("carol", "pw").ok());
  ASSERT_TRUE(store_->CreateMailbox(alice_, "Team").ok());
  ASSERT_TRUE(store_->SetAcl(alice_, "Team", "bob", "lk").ok());
  ASSERT_TRUE(store_->SetAcl(alice_, "Team", "-carol", "w").ok());
  ASSERT_TRUE(store_->CreateMailbox(bob_, "Other Users/alice/Team/new").ok());
  EXPECT_EQ(store_->MyRights(bob_, "Other Users/alice/Team/new").value(), "lk");
  EXPECT_THAT(Names(bob_), ::testing::Contains("Other Users/alice/Team/new"));
  // The owner's own creations inherit too, missing parents included.
  ASSERT_TRUE(store_->CreateMailbox(alice_, "Team/x/y").ok());
  for (const char* name : {"Team/x", "Team/x/y"}) {
    auto acl = store_->GetAcl(alice_, name).value();
    ASSERT_EQ(acl.size(), 3u) << name;
    EXPECT_EQ(acl[1].identifier, "-carol");
    EXPECT_EQ(acl[1].rights, "w");
    EXPECT_EQ(acl[2].identifier, "bob");
    EXPECT_EQ(acl[2].rights, "lk");
  }
  // Without an ancestor ACL nothing is granted.
  ASSERT_TRUE(store_->CreateMailbox(alice_, "Solo/child").ok());
  EXPECT_EQ(store_->GetAcl(alice_, "Solo/child")->size(), 1u);
}

TEST_F(StoreApiTest, SharedNamespace) {
  ASSERT_TRUE(store_->CreateMailbox(admin_, "Shared/helpdesk").ok());
  EXPECT_EQ(store_->GetStatus(alice_, "Shared/helpdesk").status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(
      store_->SetAcl(admin_, "Shared/helpdesk", "authenticated", "lrswte").ok());
  EXPECT_THAT(Names(alice_), ::testing::Contains("Shared/helpdesk"));
  auto result = store_->Deliver({{"alice"}}, "x");  // sanity: unrelated
  ASSERT_TRUE(result[0].ok());
  EXPECT_EQ(store_->Append(alice_, "Shared/helpdesk", {AppendRequest{.data = "y"}})
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(store_->SetAcl(admin_, "Shared/helpdesk", "alice", "lri").ok());
  EXPECT_TRUE(store_->Append(alice_, "Shared/helpdesk",
                             {AppendRequest{.data = "y"}})
                  .ok());
  EXPECT_EQ(store_->GetStatus(bob_, "Shared/helpdesk")->messages, 1u);
  EXPECT_EQ(store_->CreateMailbox(alice_, "Shared/mine").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(store_->CreateMailbox(alice_, "Other Users").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(StoreApiTest, CopySharesTheBlobUntilTheLastExpunge) {
  std::string data = testing::MakeMessage("big", std::string(20000, 'z'));
  AppendOne(alice_, "INBOX", data);
  MailboxId inbox = IdOf(alice_, "INBOX");
  auto copied = store_->Copy(alice_, inbox, {1, 5}, "Archive");
  ASSERT_TRUE(copied.ok());
  EXPECT_THAT(copied->source_uids, ElementsAre(1));
  EXPECT_THAT(copied->dest_uids, ElementsAre(1));
  EXPECT_EQ(copied->dest_uidvalidity,
            store_->GetStatus(alice_, "Archive")->uidvalidity);
  auto stats = store_->GetStats().value();
  EXPECT_EQ(stats.blobs, 1u);
  EXPECT_EQ(stats.blob_bytes, data.size());
  EXPECT_EQ(store_->GetQuota(store::PrincipalIssuer::Admin(), "alice")->storage_bytes, 2 * data.size());
  ASSERT_TRUE(
      store_->Expunge(alice_, inbox, {.only_deleted = false}).ok());
  EXPECT_EQ(store_->GetStats()->blobs, 1u);
  MailboxId archive = IdOf(alice_, "Archive");
  EXPECT_EQ(*store_->ReadMessage(alice_, archive, 1).value(), data);
  ASSERT_TRUE(
      store_->Expunge(alice_, archive, {.only_deleted = false}).ok());
  EXPECT_EQ(store_->GetStats()->blobs, 0u);
}

TEST_F(StoreApiTest, MoveIsAtomicAndKeepsFlags) {
  AppendOne(alice_, "INBOX", testing::MakeMessage("m", "b"),
            Flags{kFlagged, {"Keep"}});
  MailboxId inbox = IdOf(alice_, "INBOX");
  auto moved = store_->Move(alice_, inbox, {1}, "Junk");
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(store_->GetStatus(alice_, "INBOX")->messages, 0u);
  auto junk = store_->OpenMailbox(alice_, "Junk").value();
  ASSERT_EQ(junk.messages.size(), 1u);
  EXPECT_EQ(junk.messages[0].flags, (Flags{kFlagged, {"Keep"}}));
  EXPECT_EQ(store_->GetQuota(store::PrincipalIssuer::Admin(), "alice")->messages, 1u);
  EXPECT_EQ(store_->GetStats()->blobs, 1u);
  auto changes = store_->ChangesSince(alice_, inbox, 0).value();
  EXPECT_THAT(changes.vanished, ElementsAre(1));
  // Moving to another user's mailbox moves the quota charge.
  ASSERT_TRUE(store_->SetAcl(bob_, "INBOX", "alice", "lri").ok());
  MailboxId junk_id = junk.status.id;
  ASSERT_TRUE(store_->Move(alice_, junk_id, {1}, "Other Users/bob/INBOX").ok());
  EXPECT_EQ(store_->GetQuota(store::PrincipalIssuer::Admin(), "alice")->messages, 0u);
  EXPECT_EQ(store_->GetQuota(store::PrincipalIssuer::Admin(), "bob")->messages, 1u);
}

TEST_F(StoreApiTest, DeliverStoresOneCopyForManyRecipients) {
  std::vector<DeliveryTarget> targets;
  for (int i = 0; i < 10; ++i) {
    std::string user = "r" + std::to_string(i);
    ASSERT_TRUE(store_->CreateUser(user, "pw").ok());
    targets.push_back({user, i == 3   ? "Archive"
                             : i == 4 ? "NoSuch"
                             : i == 6 ? "Drafts"
                                      : "INBOX"});
  }
  // Only a folder granting `p` to anyone takes a +detail delivery; r6's
  // Drafts does not, so that message goes to INBOX.
  ASSERT_TRUE(
      store_->SetAcl(PrincipalIssuer::User("r3"), "Archive", "anyone", "p").ok());
  ASSERT_TRUE(
      store_->SetAcl(PrincipalIssuer::User("r6"), "Drafts", "authenticated", "p").ok());
  targets.push_back({"ghost"});
  ASSERT_TRUE(store_->SetQuota(admin_, "r5", std::nullopt, 0).ok());
  std::string data = testing::MakeMessage("news", std::string(10000, 'n'));
  auto results = store_->Deliver(targets, data);
  ASSERT_EQ(results.size(), 11u);
  for (int i = 0; i < 10; ++i) {
    if (i == 5) {
      EXPECT_EQ(results[i].status().code(), absl::StatusCode::kResourceExhausted);
      EXPECT_THAT(std::string(results[i].status().message()),
                  HasSubstr("OVERQUOTA"));
      continue;
    }
    ASSERT_TRUE(results[i].ok()) << i << results[i].status();
    EXPECT_THAT(results[i]->uids, ElementsAre(1));
  }
  EXPECT_EQ(results[10].status().code(), absl::StatusCode::kNotFound);
  Principal r3 = PrincipalIssuer::User("r3"), r4 = PrincipalIssuer::User("r4"), r5 = PrincipalIssuer::User("r5");
  EXPECT_EQ(store_->GetStatus(r3, "Archive")->messages, 1u);
  EXPECT_EQ(store_->GetStatus(r4, "INBOX")->messages, 1u);  // fallback
  EXPECT_EQ(store_->GetStatus(r5, "INBOX")->messages, 0u);
  Principal r6 = PrincipalIssuer::User("r6");
  EXPECT_EQ(store_->GetStatus(r6, "INBOX")->messages, 1u);
  EXPECT_EQ(store_->GetStatus(r6, "Drafts")->messages, 0u);
  auto stats = store_->GetStats().value();
  EXPECT_EQ(stats.blobs, 1u);
  EXPECT_EQ(stats.blob_bytes, data.size());
  for (int i = 0; i < 10; ++i) {
    if (i == 5) continue;
    Principal p = PrincipalIssuer::User("r" + std::to_string(i));
    std::string box = i == 3 ? "Archive" : "INBOX";
    ASSERT_TRUE(store_->Expunge(p, IdOf(p, box), {.only_deleted = false}).ok());
    EXPECT_EQ(store_->GetStats()->blobs, i == 9 ? 0u : 1u) << i;
  }
}

TEST_F(StoreApiTest, ChangesSinceGivesQresyncData) {
  MailboxId inbox = IdOf(alice_, "INBOX");
  for (int i = 0; i < 4; ++i) {
    AppendOne(alice_, "INBOX", testing::MakeMessage(std::to_string(i), "x"));
  }
  ModSeq mark = store_->GetStatus(alice_, "INBOX")->highestmodseq;
  ASSERT_TRUE(store_->StoreFlags(alice_, inbox,
                                 {.uids = {2}, .flags = {kDeleted, {}}})
                  .ok());
  ASSERT_TRUE(store_->Expunge(alice_, inbox, {}).ok());
  ASSERT_TRUE(store_->StoreFlags(alice_, inbox,
                                 {.uids = {3}, .flags = {kSeen, {}}})
                  .ok());
  AppendOne(alice_, "INBOX", testing::MakeMessage("new", "x"));
  auto changes = store_->ChangesSince(alice_, inbox, mark);
  ASSERT_TRUE(changes.ok());
  EXPECT_EQ(changes->highestmodseq,
            store_->GetStatus(alice_, "INBOX")->highestmodseq);
  EXPECT_THAT(changes->vanished, ElementsAre(2));
  ASSERT_EQ(changes->changed.size(), 2u);
  EXPECT_EQ(changes->changed[0].uid, 3u);
  EXPECT_EQ(changes->changed[1].uid, 5u);
  EXPECT_TRUE(changes->vanished_complete);
  auto all = store_->ChangesSince(alice_, inbox, 0).value();
  EXPECT_EQ(all.changed.size(), 4u);
  EXPECT_TRUE(store_->ChangesSince(alice_, inbox, all.highestmodseq)
                  ->changed.empty());
}

TEST_F(StoreApiTest, NotificationsArriveAfterCommit) {
  MailboxId inbox = IdOf(alice_, "INBOX");
  absl::Mutex mu;
  std::vector<ChangeEvent> events;
  std::vector<uint32_t> visible_counts;
  Store* store = store_.get();
  Principal alice = alice_;
  auto watch = store_->WatchChanges(inbox, [&](const ChangeEvent& e) {
    // Test only: reading here proves the commit is visible when called.
    auto status = store->GetStatus(alice, "INBOX");
    absl::MutexLock lock(&mu);
    events.push_back(e);
    visible_counts.push_back(status.ok() ? status->messages : 999);
  });
  std::atomic<int> any_count{0};
  auto watch_all = store_->WatchChanges(
      std::nullopt, [&](const ChangeEvent&) { any_count++; });
  AppendOne(alice_, "INBOX", testing::MakeMessage("1", "x"));
  AppendOne(alice_, "Sent", testing::MakeMessage("2", "x"));
  {
    absl::MutexLock lock(&mu);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].mailbox, inbox);
    EXPECT_EQ(events[0].owner, "alice");
    EXPECT_EQ(events[0].kind, ChangeEvent::kMessages);
    EXPECT_EQ(events[0].modseq,
              store_->GetStatus(alice_, "INBOX")->highestmodseq);
    EXPECT_THAT(visible_counts, ElementsAre(1));
  }
  EXPECT_EQ(any_count.load(), 2);
  watch.reset();
  AppendOne(alice_, "INBOX", testing::MakeMessage("3", "x"));
  absl::MutexLock lock(&mu);
  EXPECT_EQ(events.size(), 1u);  // unsubscribed
  EXPECT_EQ(any_count.load(), 3);
}

TEST_F(StoreApiTest, SubscriptionsPersistForMissingMailboxes) {
  ASSERT_TRUE(store_->CreateMailbox(alice_, "Lists").ok());
  ASSERT_TRUE(store_->SetSubscribed(alice_, "Lists", true).ok());
  ASSERT_TRUE(store_->SetSubscribed(alice_, "inbox", true).ok());
  ASSERT_TRUE(store_->DeleteMailbox(alice_, "Lists").ok());
  auto subs = store_->ListSubscriptions(alice_).value();
  EXPECT_THAT(subs, ::testing::Contains("Lists"));
  EXPECT_THAT(subs, ::testing::Contains("INBOX"));
  ASSERT_TRUE(store_->SetSubscribed(alice_, "Lists", false).ok());
  EXPECT_THAT(store_->ListSubscriptions(alice_).value(),
              ::testing::Not(::testing::Contains("Lists")));
  EXPECT_EQ(store_->SetSubscribed(alice_, "a//b", true).code(),
            absl::StatusCode::kInvalidArgument);
  auto list = store_->ListMailboxes(alice_).value();
  EXPECT_TRUE(std::find_if(list.begin(), list.end(), [](const MailboxInfo& m) {
                return m.name == "INBOX" && m.subscribed;
              }) != list.end());
}

TEST_F(StoreApiTest, StructureIsParsedAndCached) {
  std::string data =
      "Subject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; "
      "boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
      "--XX\r\nContent-Type: application/pdf\r\n\r\nPDF\r\n--XX--\r\n";
  AppendOne(alice_, "INBOX", data);
  MailboxId inbox = IdOf(alice_, "INBOX");
  auto first = store_->GetStructure(alice_, inbox, 1);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ((*first)->root.type, "multipart");
  ASSERT_EQ((*first)->root.children.size(), 2u);
  EXPECT_EQ((*first)->root.children[1].subtype, "pdf");
  auto second = store_->GetStructure(alice_, inbox, 1);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*second)->root.children[0].body.offset,
            (*first)->root.children[0].body.offset);
  EXPECT_EQ(store_->GetStructure(alice_, inbox, 2).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(StoreApiTest, MaildropLeaseAndRetention) {
  auto lease = store_->LockMaildrop(alice_);
  ASSERT_TRUE(lease.ok());
  auto second = store_->LockMaildrop(alice_);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("IN-USE"));
  EXPECT_TRUE(store_->LockMaildrop(bob_).ok());
  lease->reset();
  EXPECT_TRUE(store_->LockMaildrop(alice_).ok());

  MailboxId inbox = IdOf(alice_, "INBOX");
  AppendOne(alice_, "INBOX", testing::MakeMessage("a", "x"));
  AppendOne(alice_, "INBOX", testing::MakeMessage("b", "x"));
  AppendRequest old{.data = "old", .internal_date = 1000};
  ASSERT_TRUE(store_->Append(alice_, "INBOX", {old}).ok());
  ASSERT_TRUE(store_->MarkRetrieved(alice_, inbox, {1, 42}).ok());
  RetentionPolicy policy;
  policy.delete_after_retrieval_seconds = 0;
  EXPECT_EQ(store_->ApplyRetention(policy).value(), 1u);
  auto status = store_->GetStatus(alice_, "INBOX").value();
  EXPECT_EQ(status.messages, 2u);
  RetentionPolicy arrival;
  arrival.delete_after_arrival_seconds = 86400;
  EXPECT_EQ(store_->ApplyRetention(arrival).value(), 1u);
  EXPECT_EQ(store_->GetMessages(alice_, inbox, {1, 2, 3})->size(), 1u);
  EXPECT_EQ(store_->ApplyRetention(RetentionPolicy()).value(), 0u);
}

TEST_F(StoreApiTest, IndexQueueBacklogAndReindex) {
  if (testing::TestOnRados()) {
    GTEST_SKIP() << "a shared store has no index queue (store_impl.h)";
  }
  AppendOne(alice_, "INBOX", testing::MakeMessage("a", "x"));
  AppendOne(bob_, "INBOX", testing::MakeMessage("b", "x"));
  auto backlog = store_->IndexBacklog().value();
  std::map<std::string, uint64_t> by_user(backlog.begin(), backlog.end());
  EXPECT_EQ(by_user["alice"], 1u);
  EXPECT_EQ(by_user["bob"], 1u);
  ASSERT_TRUE(store_->Reindex("alice").ok());
  backlog = store_->IndexBacklog().value();
  by_user = std::map<std::string, uint64_t>(backlog.begin(), backlog.end());
  EXPECT_EQ(by_user["alice"], 3u);  // add, remove-owner, add
  ASSERT_TRUE(store_->Reindex("").ok());
  EXPECT_EQ(store_->GetStats()->index_queue, 3u + 1 + 2 + 2);
}

TEST_F(StoreApiTest, SecondOpenIsRefusedAndUnknownFormatIsDataLoss) {
  if (testing::TestOnRados()) {
    GTEST_SKIP() << "RocksDB-specific: RADOS nodes share the store, and "
                    "store/rados has its own format version test";
  }
  auto second = OpenStore(testing::TestOptions(dir_));
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  store_.reset();
  {
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir_, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const std::string& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir_, cfs, &handles, &db).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "format_version",
                        std::string("\0\0\0\x63", 4))
                    .ok());
    for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
    delete db;
  }
  auto reopened = OpenStore(testing::TestOptions(dir_));
  EXPECT_EQ(reopened.status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(StoreApiTest, RenameInboxToItsOwnChild) {
  AppendOne(alice_, "INBOX", testing::MakeMessage("m", "x"));
  ASSERT_TRUE(store_->RenameMailbox(alice_, "INBOX", "INBOX/old").ok());
  EXPECT_EQ(store_->GetStatus(alice_, "INBOX")->messages, 0u);
  EXPECT_EQ(store_->GetStatus(alice_, "INBOX/old")->messages, 1u);
}

TEST_F(StoreApiTest, BadInputIsRejectedOrHarmless) {
  MailboxId inbox = IdOf(alice_, "INBOX");
  AppendOne(alice_, "INBOX", testing::MakeMessage("m", "x"));
  EXPECT_EQ(store_->Append(alice_, "INBOX", {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Append(alice_, "INBOX", {AppendRequest{.data = ""}})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  for (const char* keyword : {"", "\\Seen", "a b", "x(", "\x01"}) {
    EXPECT_EQ(store_->StoreFlags(alice_, inbox,
                                 {.uids = {1}, .flags = {0, {keyword}}})
                  .status()
                  .code(),
              absl::StatusCode::kInvalidArgument)
        << keyword;
  }
  // Unknown flag bits are ignored, not stored.
  auto stored = store_->StoreFlags(alice_, inbox,
                                   {.uids = {1}, .flags = {0xffffffffu, {}}});
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->changed.at(0).flags.system, kAllSystemFlags);
  // Extreme UIDs and modseqs.
  EXPECT_THAT(store_->GetMessages(alice_, inbox, {0, 0xffffffffu}).value(),
              IsEmpty());
  EXPECT_EQ(store_->GetMessages(alice_, inbox, {0, 1, 0xffffffffu})->size(), 1u);
  EXPECT_EQ(store_->ReadMessage(alice_, inbox, 0).status().code(),
            absl::StatusCode::kNotFound);
  auto none = store_->ChangesSince(alice_, inbox, ~ModSeq{0});
  ASSERT_TRUE(none.ok());
  EXPECT_THAT(none->changed, IsEmpty());
  EXPECT_THAT(store_->Expunge(alice_, inbox,
                              {.only_deleted = false, .uids = std::vector<Uid>{}})
                  .value(),
              IsEmpty());
  EXPECT_EQ(store_->Copy(alice_, inbox, {1}, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Copy(alice_, inbox, {1}, "Missing").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_THAT(store_->Copy(alice_, inbox, {}, "Trash")->dest_uids, IsEmpty());
  // Names, identifiers, users.
  EXPECT_EQ(store_->SetAcl(alice_, "INBOX", "", "lr").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->SetAcl(alice_, "INBOX", "bad name!", "lr").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetQuota(store::PrincipalIssuer::Admin(), "no such").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetQuota(store::PrincipalIssuer::Admin(), "nobody").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->RenameMailbox(alice_, "Trash", "Other Users/bob/x").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->CreateMailbox(alice_, "Other Users/bob").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->SetGroupMembers("$", {"alice"}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->SetGroupMembers("g", {"not valid"}).code(),
            absl::StatusCode::kInvalidArgument);
  auto results = store_->Deliver({{"bad user!"}, {"alice", "a//b"}}, "x");
  EXPECT_EQ(results[0].status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(results[1].ok());  // a bad folder name falls back to INBOX
  EXPECT_EQ(store_->Deliver({{"alice"}}, "")[0].status().code(),
            absl::StatusCode::kInvalidArgument);
  // A NOT without children and an empty OR match nothing.
  SearchKey bad_not;
  bad_not.kind = SearchKey::Kind::kNot;
  EXPECT_THAT(store_->Search(alice_, inbox, bad_not).value(), IsEmpty());
  SearchKey empty_or;
  empty_or.kind = SearchKey::Kind::kOr;
  EXPECT_THAT(store_->Search(alice_, inbox, empty_or).value(), IsEmpty());
  EXPECT_EQ(OpenStore(StoreOptions{}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mailroom::store
