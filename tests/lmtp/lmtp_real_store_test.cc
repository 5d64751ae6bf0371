// The LMTP session over the real RocksDB store (scripted client): one
// stored body for many recipients, +detail folders (only those granting
// `p` to anyone), quota and unknown-user replies as the store reports them.
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

constexpr char kBody[] = "Subject: hello\r\n\r\nbody\r\n.\r\n";

class LmtpRealStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = store::testing::FreshDir("lmtp_real_store");
    auto store = store::OpenStore(store::testing::TestOptions(dir_));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auth_ = std::make_unique<FakeAuthenticator>(store_.get());
    config_.local_domains = {"example.com"};
  }

  // The reply lines after LHLO's.
  std::vector<std::string> Run(const std::string& input) {
    FakeConnection conn;
    conn.AddInput("LHLO t\r\n" + input);
    plugin::SessionContext context;
    context.connection = &conn;
    context.store = store_.get();
    context.auth = auth_.get();
    context.config = &config_;
    plugin::Spawn(RunLmtpSession(&context));
    std::vector<std::string> lines = absl::StrSplit(conn.output(), "\r\n");
    if (!lines.empty() && lines.back().empty()) lines.pop_back();
    size_t i = 1;
    while (i < lines.size() && absl::StartsWith(lines[i], "250-")) ++i;
    lines.erase(lines.begin(), lines.begin() + i + 1);
    return lines;
  }

  std::vector<store::MessageMeta> Messages(const std::string& user,
                                           const std::string& mailbox) {
    auto snapshot = store_->OpenMailbox(store::PrincipalIssuer::User(user), mailbox);
    EXPECT_TRUE(snapshot.ok()) << snapshot.status();
    return snapshot.ok() ? snapshot->messages
                         : std::vector<store::MessageMeta>();
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<FakeAuthenticator> auth_;
  plugin::Config config_;
};

TEST_F(LmtpRealStoreTest, TenRecipientsShareOneBody) {
  std::string input = "MAIL FROM:<s@x>\r\n";
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(store_->CreateUser(absl::StrCat("u", i), "p").ok());
    absl::StrAppend(&input, "RCPT TO:<u", i, "@example.com>\r\n");
  }
  absl::StrAppend(&input, "DATA\r\n", kBody);
  auto lines = Run(input);
  ASSERT_EQ(lines.size(), 22u);
  std::string blob;
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(absl::StartsWith(lines[12 + i], "250 2.0.0")) << lines[12 + i];
    auto messages = Messages(absl::StrCat("u", i), "INBOX");
    ASSERT_EQ(messages.size(), 1u);
    if (i == 0) blob = messages[0].blob_id;
    EXPECT_EQ(messages[0].blob_id, blob);  // the same stored body
  }
}

TEST_F(LmtpRealStoreTest, DetailFolderUnknownUserAndQuota) {
  ASSERT_TRUE(store_->CreateUser("alice", "p").ok());
  ASSERT_TRUE(store_->CreateUser("bob", "p").ok());
  ASSERT_TRUE(store_->CreateMailbox(store::PrincipalIssuer::User("alice"), "Lists").ok());
  // +detail delivery needs `p` for anyone on the folder.
  ASSERT_TRUE(store_->SetAcl(store::PrincipalIssuer::User("alice"), "Lists", "anyone", "p").ok());
  ASSERT_TRUE(store_->SetQuota(store::PrincipalIssuer::Admin(), "bob", 10, std::nullopt).ok());
  auto lines = Run(absl::StrCat(
      "MAIL FROM:<s@x>\r\nRCPT TO:<alice+Lists@example.com>\r\n"
      "RCPT TO:<ghost@example.com>\r\nRCPT TO:<bob@example.com>\r\n"
      "DATA\r\n",
      kBody));
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[1], "250 2.1.5 OK");
  EXPECT_EQ(lines[2], "550 5.1.1 <ghost@example.com> User unknown");
  EXPECT_EQ(lines[3], "250 2.1.5 OK");  // usage 0 passes the precheck
  EXPECT_TRUE(absl::StartsWith(lines[4], "354"));
  EXPECT_EQ(lines[5], "250 2.0.0 <alice+Lists@example.com> Delivered");
  // The store finds bob over quota when the message is committed.
  EXPECT_EQ(lines[6], "552 5.2.2 <bob@example.com> Mailbox is full");
  EXPECT_EQ(Messages("alice", "Lists").size(), 1u);
  EXPECT_TRUE(Messages("alice", "INBOX").empty());
  EXPECT_TRUE(Messages("bob", "INBOX").empty());
}

TEST_F(LmtpRealStoreTest, DetailFolderWithoutPostRightGoesToInbox) {
  ASSERT_TRUE(store_->CreateUser("carol", "p").ok());
  ASSERT_TRUE(store_->CreateMailbox(store::PrincipalIssuer::User("carol"), "Private").ok());
  // Rights for other principals do not count: the sender is anonymous.
  ASSERT_TRUE(
      store_->SetAcl(store::PrincipalIssuer::User("carol"), "Private", "authenticated", "lrp").ok());
  ASSERT_TRUE(store_->CreateMailbox(store::PrincipalIssuer::User("carol"), "Denied").ok());
  ASSERT_TRUE(store_->SetAcl(store::PrincipalIssuer::User("carol"), "Denied", "anyone", "p").ok());
  ASSERT_TRUE(store_->SetAcl(store::PrincipalIssuer::User("carol"), "Denied", "-anyone", "p").ok());
  auto lines = Run(absl::StrCat(
      "MAIL FROM:<s@x>\r\nRCPT TO:<carol+Private@example.com>\r\n"
      "RCPT TO:<carol+Denied@example.com>\r\nDATA\r\n",
      kBody));
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[4], "250 2.0.0 <carol+Private@example.com> Delivered");
  EXPECT_EQ(lines[5], "250 2.0.0 <carol+Denied@example.com> Delivered");
  EXPECT_TRUE(Messages("carol", "Private").empty());
  EXPECT_TRUE(Messages("carol", "Denied").empty());
  EXPECT_EQ(Messages("carol", "INBOX").size(), 2u);
}

}  // namespace
}  // namespace mailroom::lmtp
