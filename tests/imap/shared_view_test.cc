// Sessions on one mailbox share its messages: the memory a session adds does
// not grow with the mailbox, a session opened from the shared copy sees
// exactly what a full open sees, and private flags are never shared.
#include <malloc.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "protocols/imap/mailbox_open.h"
#include "store/principal_issuer.h"
#include "store/store.h"

namespace mailroom::imap {
namespace {

constexpr char kMessage[] =
    "From: Bob <bob@example.com>\r\nTo: alice@example.com\r\n"
    "Subject: Hello\r\n\r\nBody.\r\n";

class SharedViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat("imap_shared_view_test_", getpid(), "_",
                        ::testing::UnitTest::GetInstance()->random_seed(), "_",
                        counter_++);
    std::filesystem::remove_all(dir_);
    store::StoreOptions options;
    options.data_dir = dir_.string();
    options.sync_writes = false;
    options.password_iterations = 64;
    auto s = store::OpenStore(options);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->CreateUser("alice", "pw").ok());
    ASSERT_TRUE(store_->CreateUser("bob", "pw").ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Appends `n` messages to alice's INBOX, `batch` per transaction; every
  // seventh carries a keyword and every third is \Seen.
  void Fill(uint32_t n, uint32_t batch = 2000) {
    for (uint32_t done = 0; done < n;) {
      std::vector<store::AppendRequest> requests;
      for (uint32_t i = 0; i < batch && done < n; ++i, ++done) {
        store::AppendRequest r;
        r.data = kMessage;
        if (done % 3 == 0) r.flags.system = store::kSeen;
        if (done % 7 == 0) r.flags.keywords = {"$Todo"};
        requests.push_back(std::move(r));
      }
      auto appended = store_->Append(alice_, "INBOX", requests);
      ASSERT_TRUE(appended.ok()) << appended.status();
    }
  }

  // What a full open of `name` shows `who`, compared message by message.
  void ExpectSameAsFullOpen(const MailboxView& view, const store::Principal& who,
                            std::string_view name) {
    auto snapshot = store_->OpenMailbox(who, name);
    ASSERT_TRUE(snapshot.ok()) << snapshot.status();
    ASSERT_EQ(view.count(), snapshot->messages.size());
    for (uint32_t seq = 1; seq <= view.count(); ++seq) {
      const store::MessageMeta& want = snapshot->messages[seq - 1];
      const store::MessageMeta got = view.MessageAt(seq);
      EXPECT_EQ(got.uid, want.uid) << seq;
      EXPECT_EQ(got.flags, want.flags) << seq;
      EXPECT_EQ(got.modseq, want.modseq) << seq;
      EXPECT_EQ(view.SeqOf(want.uid), seq);
    }
    EXPECT_EQ(view.highest_modseq(), snapshot->status.highestmodseq);
  }

  static size_t HeapInUse() { return mallinfo2().uordblks; }

  static inline int counter_ = 0;
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  const store::Principal alice_ = store::PrincipalIssuer::User("alice");
  const store::Principal bob_ = store::PrincipalIssuer::User("bob");
};

TEST_F(SharedViewTest, SessionsOnALargeMailboxShareItsMessages) {
  constexpr uint32_t kMessages = 200000;
  constexpr int kSessions = 20;
  Fill(kMessages);
  auto first = OpenMailboxView(*store_, alice_, "INBOX");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->count(), kMessages);

  std::vector<MailboxView> sessions;
  sessions.reserve(kSessions);
  const size_t before = HeapInUse();
  for (int i = 0; i < kSessions; ++i) {
    auto view = OpenMailboxView(*store_, alice_, "INBOX");
    ASSERT_TRUE(view.ok()) << view.status();
    sessions.push_back(*std::move(view));
  }
  const size_t after = HeapInUse();
  const size_t per_session = (after > before ? after - before : 0) / kSessions;
  // A private copy of 200,000 messages' metadata is tens of MB; a session
  // on the shared copy holds a few hundred bytes plus the keyword list.
  EXPECT_LT(per_session, 64u << 10) << "bytes per session: " << per_session;
  for (const MailboxView& v : sessions) {
    EXPECT_EQ(v.base(), first->base());
    EXPECT_EQ(v.count(), kMessages);
    EXPECT_EQ(v.first_unseen(), 2u);
    EXPECT_EQ(v.keywords().count("$Todo"), 1u);
    EXPECT_LT(v.PrivateBytes(), 4096u);
  }
  EXPECT_LT(first->base()->MemoryBytes(), size_t{kMessages} * 20);
}

TEST_F(SharedViewTest, OpenFromSharedCopyMatchesFullOpen) {
  Fill(300, 50);
  auto first = OpenMailboxView(*store_, alice_, "INBOX");
  ASSERT_TRUE(first.ok()) << first.status();
  const store::MailboxId id = first->id();

  // Changes after the shared copy was made: flags, keywords, expunges and
  // new messages.
  store::StoreFlagsRequest flag;
  flag.uids = {2, 5, 8, 100, 299};
  flag.op = store::FlagOp::kAdd;
  flag.flags.system = store::kFlagged | store::kDeleted;
  flag.flags.keywords = {"$Urgent"};
  ASSERT_TRUE(store_->StoreFlags(alice_, id, flag).ok());
  store::StoreFlagsRequest unflag;
  unflag.uids = {7, 14};
  unflag.op = store::FlagOp::kRemove;
  unflag.flags.keywords = {"$Todo"};
  ASSERT_TRUE(store_->StoreFlags(alice_, id, unflag).ok());
  store::ExpungeRequest expunge;
  expunge.uids = std::vector<store::Uid>{5, 8, 299};
  ASSERT_TRUE(store_->Expunge(alice_, id, expunge).ok());
  Fill(10, 10);

  auto second = OpenMailboxView(*store_, alice_, "INBOX");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->base(), first->base());  // caught up, not reloaded
  ExpectSameAsFullOpen(*second, alice_, "INBOX");
  EXPECT_EQ(second->count(), 307u);
  EXPECT_FALSE(second->has_pending_expunges());
  EXPECT_EQ(second->keywords().count("$Urgent"), 1u);
}

TEST_F(SharedViewTest, PrivateFlagsAreNotShared) {
  Fill(20, 20);
  ASSERT_TRUE(store_->SetAcl(alice_, "INBOX", "bob", "lrsw").ok());
  ASSERT_TRUE(store_->SetSeenMode(alice_, "INBOX", store::SeenMode::kPerUser).ok());
  auto alice_view = OpenMailboxView(*store_, alice_, "INBOX");
  ASSERT_TRUE(alice_view.ok()) << alice_view.status();
  store::StoreFlagsRequest seen;
  seen.uids = {2, 3};
  seen.op = store::FlagOp::kAdd;
  seen.flags.system = store::kSeen;
  ASSERT_TRUE(store_->StoreFlags(alice_, alice_view->id(), seen).ok());
  auto alice_again = OpenMailboxView(*store_, alice_, "INBOX");
  ASSERT_TRUE(alice_again.ok());
  EXPECT_NE(alice_again->SystemFlagsAt(2) & store::kSeen, 0u);

  auto bob_view = OpenMailboxView(*store_, bob_, "Other Users/alice/INBOX");
  ASSERT_TRUE(bob_view.ok()) << bob_view.status();
  EXPECT_NE(bob_view->base(), alice_view->base());
  ExpectSameAsFullOpen(*bob_view, bob_, "Other Users/alice/INBOX");
  EXPECT_EQ(bob_view->SystemFlagsAt(2) & store::kSeen, 0u);
}

}  // namespace
}  // namespace mailroom::imap
