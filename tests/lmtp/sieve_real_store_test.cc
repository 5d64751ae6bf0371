// Sieve at LMTP delivery over the real RocksDB store: scripts kept by the
// store (global before, the user's active script), filing with flags and
// :create, a per-recipient reject, and duplicate/vacation memory in the
// store's marks.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "protocols/lmtp/lmtp_session.h"
#include "protocols/pop3/testing/fake_authenticator.h"
#include "protocols/pop3/testing/fake_connection.h"
#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/store/store_test_util.h"

namespace mailroom::lmtp {
namespace {

using ::mailroom::testing::FakeAuthenticator;
using ::mailroom::testing::FakeConnection;

store::Principal Host(std::string_view user) {
  return store::PrincipalIssuer::Admin(user);
}

constexpr char kMessage[] =
    "From: carol@far.example\r\nTo: alice@example.com\r\n"
    "Subject: Invoice 9\r\nMessage-ID: <inv9@far.example>\r\n\r\npay\r\n.\r\n";

class SieveRealStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = store::testing::FreshDir("sieve_real_store");
    auto store = store::OpenStore(store::testing::TestOptions(dir_));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auth_ = std::make_unique<FakeAuthenticator>(store_.get());
    config_.local_domains = {"example.com"};
    ASSERT_TRUE(store_->CreateUser("alice", "a").ok());
    ASSERT_TRUE(store_->CreateUser("bob", "b").ok());
  }

  void Activate(const std::string& user, const std::string& source) {
    ASSERT_TRUE(store_->PutSieveScript(Host(""), user, "main", source).ok());
    ASSERT_TRUE(store_->ActivateSieveScript(Host(""), user, "main").ok());
  }

  // The replies after DATA, one per recipient.
  std::vector<std::string> Send(const std::vector<std::string>& rcpts,
                                const std::string& message = kMessage) {
    FakeConnection conn;
    std::string input = "LHLO t\r\nMAIL FROM:<carol@far.example>\r\n";
    for (const std::string& r : rcpts) absl::StrAppend(&input, "RCPT TO:<", r, ">\r\n");
    absl::StrAppend(&input, "DATA\r\n", message);
    conn.AddInput(input);
    plugin::SessionContext context;
    context.connection = &conn;
    context.store = store_.get();
    context.auth = auth_.get();
    context.config = &config_;
    context.delivery_principal = &Host;
    plugin::Spawn(RunLmtpSession(&context));
    log_ = conn.log();
    std::vector<std::string> lines = absl::StrSplit(conn.output(), "\r\n");
    std::vector<std::string> replies;
    bool after = false;
    for (const std::string& line : lines) {
      if (absl::StartsWith(line, "354")) {
        after = true;
      } else if (after && !line.empty()) {
        replies.push_back(line);
      }
    }
    return replies;
  }

  std::vector<store::MessageMeta> Messages(const std::string& user,
                                           const std::string& mailbox) {
    auto snapshot = store_->OpenMailbox(store::PrincipalIssuer::User(user), mailbox);
    return snapshot.ok() ? snapshot->messages : std::vector<store::MessageMeta>();
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<FakeAuthenticator> auth_;
  plugin::Config config_;
  std::string log_;
};

TEST_F(SieveRealStoreTest, FileIntoCreateWithFlags) {
  Activate("alice",
           "require [\"fileinto\", \"imap4flags\", \"mailbox\"];\r\n"
           "fileinto :create :flags [\"\\\\Flagged\", \"$Invoice\"] \"Billing\";\r\n");
  EXPECT_EQ(Send({"alice@example.com"}),
            std::vector<std::string>{"250 2.0.0 <alice@example.com> Delivered"});
  EXPECT_TRUE(Messages("alice", "INBOX").empty());
  std::vector<store::MessageMeta> billing = Messages("alice", "Billing");
  ASSERT_EQ(billing.size(), 1u) << log_;
  EXPECT_TRUE(billing[0].flags.system & store::kFlagged);
  EXPECT_EQ(billing[0].flags.keywords, std::vector<std::string>{"$Invoice"});
}

TEST_F(SieveRealStoreTest, FileIntoMissingKeepsInInbox) {
  Activate("alice", "require \"fileinto\"; fileinto \"Nowhere\";");
  Send({"alice@example.com"});
  EXPECT_EQ(Messages("alice", "INBOX").size(), 1u);
  EXPECT_TRUE(absl::StrContains(log_, "fileinto \"Nowhere\" failed")) << log_;
}

TEST_F(SieveRealStoreTest, RejectForOneRecipientOnly) {
  Activate("alice", "require \"reject\"; reject \"No invoices\";");
  std::vector<std::string> replies = Send({"alice@example.com", "bob@example.com"});
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0], "550 5.7.1 <alice@example.com> No invoices");
  EXPECT_EQ(replies[1], "250 2.0.0 <bob@example.com> Delivered");
  EXPECT_TRUE(Messages("alice", "INBOX").empty());
  EXPECT_EQ(Messages("bob", "INBOX").size(), 1u);
}

TEST_F(SieveRealStoreTest, DuplicateMarksInTheStore) {
  Activate("alice", "require \"duplicate\"; if duplicate { discard; }");
  Send({"alice@example.com"});
  Send({"alice@example.com"});
  EXPECT_EQ(Messages("alice", "INBOX").size(), 1u);
}

TEST_F(SieveRealStoreTest, GlobalBeforeRunsFirst) {
  ASSERT_TRUE(store_->PutSieveScript(Host(""), "", "before",
                                     "require [\"fileinto\", \"mailbox\"];"
                                     " fileinto :create \"Screened\";")
                  .ok());
  Activate("alice", "discard;");
  Send({"alice@example.com"});
  // before filed (no keep): the user's discard never ran.
  EXPECT_EQ(Messages("alice", "Screened").size(), 1u) << log_;
  EXPECT_TRUE(Messages("alice", "INBOX").empty());
}

}  // namespace
}  // namespace mailroom::lmtp
