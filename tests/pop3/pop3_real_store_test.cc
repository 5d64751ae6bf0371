// The POP3 session over the real RocksDB store (scripted client): the
// store's lease, exact-UID expunge, retrieval marks and \Seen behave the way
// the session relies on.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "protocols/pop3/pop3_session.h"
#include "protocols/pop3/testing/fake_authenticator.h"
#include "protocols/pop3/testing/fake_connection.h"
#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/store/store_test_util.h"

namespace mailroom::pop3 {
namespace {

using ::mailroom::testing::FakeAuthenticator;
using ::mailroom::testing::FakeConnection;

class Pop3RealStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = store::testing::FreshDir("pop3_real_store");
    auto store = store::OpenStore(store::testing::TestOptions(dir_));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_->CreateUser("alice", "secret").ok());
    auth_ = std::make_unique<FakeAuthenticator>(store_.get());
  }

  store::Uid Deliver(const std::string& data) {
    auto results = store_->Deliver({{"alice", "INBOX"}}, data);
    EXPECT_TRUE(results[0].ok()) << results[0].status();
    return results[0].ok() ? results[0]->uids[0] : 0;
  }

  std::vector<std::string> Run(FakeConnection& conn, std::string_view input) {
    conn.AddInput(input);
    plugin::SessionContext context;
    context.connection = &conn;
    context.store = store_.get();
    context.auth = auth_.get();
    context.config = &config_;
    plugin::Spawn(RunPop3Session(&context));
    std::vector<std::string> lines = absl::StrSplit(conn.output(), "\r\n");
    if (!lines.empty() && lines.back().empty()) lines.pop_back();
    return lines;
  }

  store::MailboxSnapshot Inbox() {
    auto snapshot = store_->OpenMailbox(store::PrincipalIssuer::User("alice"), "INBOX");
    EXPECT_TRUE(snapshot.ok()) << snapshot.status();
    return snapshot.ok() ? *snapshot : store::MailboxSnapshot();
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<FakeAuthenticator> auth_;
  plugin::Config config_;
};

TEST_F(Pop3RealStoreTest, QuitExpungesExactlyTheMarkedMessages) {
  Deliver("Subject: 1\r\n\r\na\r\n");
  store::Uid second = Deliver("Subject: 2\r\n\r\nb\r\n");
  Deliver("Subject: 3\r\n\r\nc\r\n");
  // \Deleted set by IMAP on message 3 must not make POP3 remove it.
  store::StoreFlagsRequest flag;
  flag.uids = {3};
  flag.flags.system = store::kDeleted;
  ASSERT_TRUE(store_->StoreFlags(store::PrincipalIssuer::User("alice"), Inbox().status.id, flag).ok());
  FakeConnection conn;
  auto lines = Run(conn, "USER alice\r\nPASS secret\r\nDELE 2\r\nQUIT\r\n");
  EXPECT_TRUE(absl::StartsWith(lines.back(), "+OK")) << lines.back();
  std::vector<store::Uid> left;
  for (const auto& meta : Inbox().messages) left.push_back(meta.uid);
  EXPECT_EQ(left, (std::vector<store::Uid>{1, 3}));
  EXPECT_NE(second, 0u);
}

TEST_F(Pop3RealStoreTest, SecondSessionIsRefusedWhileTheFirstHoldsTheLease) {
  Deliver("Subject: 1\r\n\r\na\r\n");
  auto lease = store_->LockMaildrop(store::PrincipalIssuer::User("alice"));
  ASSERT_TRUE(lease.ok()) << lease.status();
  FakeConnection conn;
  auto lines = Run(conn, "USER alice\r\nPASS secret\r\n");
  EXPECT_TRUE(absl::StartsWith(lines.back(), "-ERR [IN-USE]")) << lines.back();
  lease->reset();
  FakeConnection again;
  lines = Run(again, "USER alice\r\nPASS secret\r\nSTAT\r\n");
  EXPECT_TRUE(absl::StartsWith(lines.back(), "+OK 1 ")) << lines.back();
}

TEST_F(Pop3RealStoreTest, StoreRecordsCrlfSizesAtAppend) {
  Deliver("Subject: lf\n\nbare\nline feeds\n");
  Deliver("Subject: x\r\n\r\n.dot\r\n");
  Deliver("Subject: y\r\n\r\nno final line end");
  std::vector<uint64_t> sizes, crlf_sizes;
  for (const store::MessageMeta& meta : Inbox().messages) {
    sizes.push_back(meta.size);
    crlf_sizes.push_back(meta.crlf_size);
  }
  EXPECT_EQ(sizes, (std::vector<uint64_t>{29, 20, 31}));
  EXPECT_EQ(crlf_sizes, (std::vector<uint64_t>{33, 20, 33}));
  // They survive a reopen (they are part of the message record).
  store_.reset();
  auto store = store::OpenStore(store::testing::TestOptions(dir_));
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = *std::move(store);
  auth_ = std::make_unique<FakeAuthenticator>(store_.get());
  EXPECT_EQ(Inbox().messages.at(0).crlf_size, 33u);
  FakeConnection conn;
  auto lines = Run(conn, "USER alice\r\nPASS secret\r\nSTAT\r\n");
  EXPECT_EQ(lines.back(), "+OK 3 86");
}

TEST_F(Pop3RealStoreTest, RetrSetsSeenAndSizesMatch) {
  Deliver("Subject: lf\n\nbare\nline feeds\n");
  Deliver("Subject: x\r\n\r\n.dot\r\n");
  FakeConnection conn;
  auto lines = Run(conn,
                   "USER alice\r\nPASS secret\r\nLIST\r\nRETR 1\r\nQUIT\r\n");
  EXPECT_EQ(lines[4], "1 33");
  EXPECT_EQ(lines[7], "+OK 33 octets");
  auto messages = Inbox().messages;
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_NE(messages[0].flags.system & store::kSeen, 0u);
  EXPECT_EQ(messages[1].flags.system & store::kSeen, 0u);
}

TEST_F(Pop3RealStoreTest, UidlUsesUidValidityAndUid) {
  store::Uid uid = Deliver("Subject: 1\r\n\r\na\r\n");
  FakeConnection conn;
  auto lines = Run(conn, "USER alice\r\nPASS secret\r\nUIDL 1\r\n");
  EXPECT_EQ(lines.back(),
            absl::StrCat("+OK 1 ", Inbox().status.uidvalidity, ".", uid));
}

}  // namespace
}  // namespace mailroom::pop3
