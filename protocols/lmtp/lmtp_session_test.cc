#include "protocols/lmtp/lmtp_session.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "protocols/pop3/testing/fake_authenticator.h"
#include "protocols/pop3/testing/fake_connection.h"
#include "protocols/pop3/testing/fake_store.h"

namespace mailroom::lmtp {
namespace {

using ::mailroom::testing::FakeAuthenticator;
using ::mailroom::testing::FakeConnection;
using ::mailroom::testing::FakeStore;

constexpr char kHello[] = "LHLO mta.test\r\n";
constexpr char kMessage[] =
    "Subject: hi\r\n\r\nline one\r\n..dotted\r\n.\r\n";

class LmtpSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.CreateUser("alice", "a").ok());
    ASSERT_TRUE(store_.CreateUser("bob", "b").ok());
    config_.hostname = "mx.test";
    config_.local_domains = {"example.com", "localhost"};
  }

  // Runs a whole session and returns the reply lines after the greeting.
  std::vector<std::string> Run(std::string_view input) {
    conn_.AddInput(input);
    plugin::SessionContext context;
    context.connection = &conn_;
    context.store = &store_;
    context.auth = &auth_;
    context.config = &config_;
    plugin::Spawn(RunLmtpSession(&context));
    EXPECT_TRUE(conn_.unflushed().empty());
    std::vector<std::string> lines = absl::StrSplit(conn_.output(), "\r\n");
    EXPECT_TRUE(absl::StartsWith(lines.front(), "220 mx.test"));
    lines.erase(lines.begin());
    if (!lines.empty() && lines.back().empty()) lines.pop_back();
    return lines;
  }

  // Replies after the LHLO block.
  std::vector<std::string> RunAfterHello(const std::string& input) {
    std::vector<std::string> lines = Run(absl::StrCat(kHello, input));
    size_t i = 0;
    while (i < lines.size() && absl::StartsWith(lines[i], "250-")) ++i;
    lines.erase(lines.begin(), lines.begin() + i + 1);
    return lines;
  }

  std::string OnlyMessage(const std::string& user,
                          const std::string& mailbox = "INBOX") {
    auto messages = store_.Messages(user, mailbox);
    EXPECT_EQ(messages.size(), 1u) << user << " " << mailbox;
    return messages.empty() ? "" : messages.begin()->second.data;
  }

  FakeStore store_;
  FakeAuthenticator auth_{&store_};
  plugin::Config config_;
  FakeConnection conn_;
};

TEST_F(LmtpSessionTest, LhloAnnouncesExtensions) {
  config_.max_literal_bytes = 12345;
  auto lines = Run(kHello);
  EXPECT_EQ(lines[0], "250-mx.test");
  std::string all = absl::StrJoin(lines, "|");
  for (const char* ext : {"PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME",
                          "SMTPUTF8", "CHUNKING", "BINARYMIME"}) {
    EXPECT_TRUE(absl::StrContains(all, absl::StrCat("250-", ext))) << ext;
  }
  EXPECT_EQ(lines.back(), "250 SIZE 12345");
  EXPECT_FALSE(absl::StrContains(all, "STARTTLS"));
}

TEST_F(LmtpSessionTest, StartTlsWhenAvailable) {
  conn_.set_tls_available(true);
  auto lines = Run("LHLO a\r\nSTARTTLS\r\nMAIL FROM:<>\r\nLHLO a\r\n");
  std::string all = absl::StrJoin(lines, "|");
  EXPECT_TRUE(absl::StrContains(all, "250-STARTTLS"));
  EXPECT_TRUE(absl::StrContains(all, "220 2.0.0 Ready to start TLS"));
  EXPECT_EQ(conn_.tls_starts(), 1);
  // After the handshake the client must LHLO again.
  EXPECT_TRUE(absl::StrContains(all, "503 5.5.1 Send LHLO first"));
  // and STARTTLS is no longer offered.
  EXPECT_EQ(all.find("250-STARTTLS"), all.rfind("250-STARTTLS"));
}

TEST_F(LmtpSessionTest, DeliversOneMessage) {
  auto lines = RunAfterHello(absl::StrCat(
      "MAIL FROM:<sender@far.example>\r\nRCPT TO:<Alice@Example.com>\r\n"
      "DATA\r\n",
      kMessage, "QUIT\r\n"));
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "250 2.1.0 OK");
  EXPECT_EQ(lines[1], "250 2.1.5 OK");
  EXPECT_TRUE(absl::StartsWith(lines[2], "354"));
  EXPECT_EQ(lines[3], "250 2.0.0 <Alice@Example.com> Delivered");
  EXPECT_TRUE(absl::StartsWith(lines[4], "221 2.0.0"));
  std::string stored = OnlyMessage("alice");
  EXPECT_TRUE(absl::StartsWith(
      stored,
      "Return-Path: <sender@far.example>\r\nDelivered-To: Alice@Example.com\r\n"
      "Received: from mta.test"));
  EXPECT_TRUE(absl::EndsWith(stored,
                             "Subject: hi\r\n\r\nline one\r\n.dotted\r\n"));
}

TEST_F(LmtpSessionTest, TenRecipientsOneStoredBody) {
  std::string input = "MAIL FROM:<s@x>\r\n";
  for (int i = 0; i < 10; ++i) {
    std::string user = absl::StrCat("user", i);
    ASSERT_TRUE(store_.CreateUser(user, "p").ok());
    absl::StrAppend(&input, "RCPT TO:<", user, "@example.com>\r\n");
  }
  absl::StrAppend(&input, "DATA\r\n", kMessage);
  auto lines = RunAfterHello(input);
  ASSERT_EQ(lines.size(), 1u + 10u + 1u + 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(lines[12 + i],
              absl::StrCat("250 2.0.0 <user", i, "@example.com> Delivered"));
  }
  EXPECT_EQ(store_.deliver_calls(), 1);
  std::string first = OnlyMessage("user0");
  EXPECT_EQ(first.find("Delivered-To"), std::string::npos);
  for (int i = 1; i < 10; ++i) {
    EXPECT_EQ(OnlyMessage(absl::StrCat("user", i)), first);
  }
}

TEST_F(LmtpSessionTest, RecipientErrors) {
  auto lines = RunAfterHello(
      "MAIL FROM:<s@x>\r\nRCPT TO:<nobody@example.com>\r\n"
      "RCPT TO:<alice@other.org>\r\nRCPT TO:<@bad>\r\nRCPT TO:<alice@x> "
      "NOTIFY=NEVER\r\nDATA\r\n");
  EXPECT_EQ(lines[1], "550 5.1.1 <nobody@example.com> User unknown");
  EXPECT_EQ(lines[2], "550 5.1.2 <alice@other.org> Domain not served here");
  EXPECT_TRUE(absl::StartsWith(lines[3], "501"));
  EXPECT_TRUE(absl::StartsWith(lines[4], "555 5.5.4"));
  EXPECT_EQ(lines[5], "503 5.5.1 No valid recipients");
}

TEST_F(LmtpSessionTest, LhloDeadlineIsNotExtendedByNoop) {
  config_.lmtp_lhlo_timeout = std::chrono::milliseconds(0);
  auto lines = Run("NOOP\r\nRSET\r\nLHLO a\r\n");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "421 4.4.2 No LHLO in time; closing connection");
}

TEST_F(LmtpSessionTest, RecipientLimitIsASetting) {
  config_.lmtp_max_recipients = 2;
  auto lines = RunAfterHello(
      "MAIL FROM:<s@x>\r\nRCPT TO:<alice@example.com>\r\n"
      "RCPT TO:<bob@example.com>\r\nRCPT TO:<alice@example.com>\r\n");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[3], "452 4.5.3 Too many recipients");
}

TEST_F(LmtpSessionTest, MessageBodyReadsUseTheDataTimeout) {
  config_.lmtp_data_timeout = std::chrono::seconds(7);
  RunAfterHello(
      "MAIL FROM:<s@x>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n"
      "Subject: cut short\r\n");
  EXPECT_EQ(conn_.last_timeout(), std::chrono::seconds(7));
}

TEST_F(LmtpSessionTest, MixedRecipientsEachGetTheirReply) {
  store_.set_storage_limit("bob", 50);  // passes RCPT, too small at DATA
  auto lines = RunAfterHello(absl::StrCat(
      "MAIL FROM:<s@x>\r\nRCPT TO:<alice@example.com>\r\n"
      "RCPT TO:<nobody@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n",
      kMessage));
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[5], "250 2.0.0 <alice@example.com> Delivered");
  EXPECT_EQ(lines[6], "552 5.2.2 <bob@example.com> Mailbox is full");
  OnlyMessage("alice");
  EXPECT_TRUE(store_.Messages("bob", "INBOX").empty());
}

TEST_F(LmtpSessionTest, OverQuotaAtRcpt) {
  store_.set_storage_limit("bob", 100);
  auto lines = RunAfterHello(
      "MAIL FROM:<s@x> SIZE=500\r\nRCPT TO:<bob@example.com>\r\n");
  EXPECT_EQ(lines[1], "552 5.2.2 <bob@example.com> Mailbox is full");
}

TEST_F(LmtpSessionTest, DetailSelectsFolderWhenItExists) {
  ASSERT_TRUE(store_.CreateMailbox(::mailroom::testing::FakeStore::UserPrincipal("alice"), "Lists").ok());
  auto lines = RunAfterHello(absl::StrCat(
      "MAIL FROM:<s@x>\r\nRCPT TO:<alice+Lists@example.com>\r\nDATA\r\n",
      kMessage, "MAIL FROM:<s@x>\r\nRCPT TO:<alice+nothere@example.com>\r\n",
      "DATA\r\n", kMessage));
  EXPECT_EQ(lines[3], "250 2.0.0 <alice+Lists@example.com> Delivered");
  EXPECT_EQ(lines[7], "250 2.0.0 <alice+nothere@example.com> Delivered");
  EXPECT_TRUE(absl::StrContains(OnlyMessage("alice", "Lists"),
                                "Delivered-To: alice+Lists@example.com"));
  EXPECT_TRUE(absl::StrContains(OnlyMessage("alice", "INBOX"),
                                "Delivered-To: alice+nothere@example.com"));
}

TEST_F(LmtpSessionTest, TooLargeMessageIsReadToTheEndAndRefused) {
  config_.max_literal_bytes = 100;
  std::string big = "Subject: big\r\n\r\n";
  for (int i = 0; i < 50; ++i) big += "0123456789\r\n";
  auto lines = RunAfterHello(absl::StrCat(
      "MAIL FROM:<s@x>\r\nRCPT TO:<alice@example.com>\r\n"
      "RCPT TO:<bob@example.com>\r\nDATA\r\n",
      big, ".\r\nNOOP\r\n"));
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[4], "552 5.3.4 Message size exceeds the limit");
  EXPECT_EQ(lines[5], "552 5.3.4 Message size exceeds the limit");
  EXPECT_EQ(lines[6], "250 2.0.0 OK");  // still in step
  EXPECT_EQ(store_.deliver_calls(), 0);
}

TEST_F(LmtpSessionTest, DeclaredSizeOverTheLimit) {
  config_.max_literal_bytes = 100;
  auto lines = RunAfterHello("MAIL FROM:<s@x> SIZE=101\r\n");
  EXPECT_EQ(lines[0], "552 5.3.4 Message size exceeds the limit");
}

TEST_F(LmtpSessionTest, DroppedConnectionMidDataStoresNothing) {
  RunAfterHello(
      "MAIL FROM:<s@x>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n"
      "Subject: cut\r\n\r\npartial\r\n");
  EXPECT_EQ(store_.deliver_calls(), 0);
  EXPECT_TRUE(store_.Messages("alice", "INBOX").empty());
}

TEST_F(LmtpSessionTest, TimeoutMidDataStoresNothing) {
  conn_.set_end_of_input(absl::StatusCode::kDeadlineExceeded);
  auto lines = RunAfterHello(
      "MAIL FROM:<s@x>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\nSubject: x\r\n");
  EXPECT_TRUE(absl::StartsWith(lines.back(), "421 4.4.2"));
  EXPECT_EQ(store_.deliver_calls(), 0);
}

TEST_F(LmtpSessionTest, ChunkedDelivery) {
  std::string part1 = "Subject: chunks\r\n\r\n";
  std::string part2 = "binary\nbody\r\n";
  auto lines = RunAfterHello(absl::StrCat(
      "MAIL FROM:<s@x> BODY=BINARYMIME\r\nRCPT TO:<alice@example.com>\r\n",
      "BDAT ", part1.size(), "\r\n", part1, "BDAT ", part2.size(), " LAST\r\n",
      part2, "NOOP\r\n"));
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[2], absl::StrCat("250 2.0.0 ", part1.size(),
                                   " octets received"));
  EXPECT_EQ(lines[3], "250 2.0.0 <alice@example.com> Delivered");
  EXPECT_EQ(lines[4], "250 2.0.0 OK");
  // BINARYMIME bytes are kept as sent.
  EXPECT_TRUE(absl::EndsWith(OnlyMessage("alice"), part1 + part2));
}

TEST_F(LmtpSessionTest, ChunkedTextGetsCrlf) {
  std::string part = "Subject: lf\n\nbody\n";
  RunAfterHello(absl::StrCat(
      "MAIL FROM:<s@x>\r\nRCPT TO:<alice@example.com>\r\n", "BDAT ",
      part.size(), " LAST\r\n", part));
  EXPECT_TRUE(absl::EndsWith(OnlyMessage("alice"),
                             "Subject: lf\r\n\r\nbody\r\n"));
}

TEST_F(LmtpSessionTest, BdatOutOfSequenceSkipsTheChunk) {
  auto lines = RunAfterHello("BDAT 4 LAST\r\nNOOPNOOP\r\n");
  EXPECT_EQ(lines[0], "503 5.5.1 Send MAIL first");
  // "NOOP" was the chunk; the rest is the next command line.
  EXPECT_EQ(lines[1], "250 2.0.0 OK");
}

TEST_F(LmtpSessionTest, BdatTooLarge) {
  config_.max_literal_bytes = 10;
  auto lines = RunAfterHello(
      "MAIL FROM:<s@x>\r\nRCPT TO:<alice@example.com>\r\n"
      "BDAT 8\r\n12345678BDAT 8\r\n12345678BDAT 1 LAST\r\n1RSET\r\n");
  EXPECT_EQ(lines[2], "250 2.0.0 8 octets received");
  EXPECT_EQ(lines[3], "552 5.3.4 Message size exceeds the limit");
  EXPECT_TRUE(absl::StartsWith(lines[4], "503 5.5.1"));
  EXPECT_EQ(lines[5], "250 2.0.0 OK");
  EXPECT_EQ(store_.deliver_calls(), 0);
}

TEST_F(LmtpSessionTest, BinaryMimeNeedsBdat) {
  auto lines = RunAfterHello(
      "MAIL FROM:<s@x> BODY=BINARYMIME\r\nRCPT TO:<alice@example.com>\r\n"
      "DATA\r\n");
  EXPECT_EQ(lines[2], "503 5.5.1 BODY=BINARYMIME needs BDAT");
}

TEST_F(LmtpSessionTest, CommandSequence) {
  auto lines = Run(
      "MAIL FROM:<s@x>\r\nHELO x\r\nEHLO x\r\nLHLO\r\nLHLO a\r\n"
      "RCPT TO:<alice@example.com>\r\nDATA\r\nMAIL FROM:<s@x>\r\n"
      "MAIL FROM:<s@x>\r\nRSET\r\nRCPT TO:<alice@example.com>\r\n"
      "VRFY alice\r\nFOO\r\nMAIL FROM:<s@x> RET=FULL\r\nQUIT\r\nNOOP\r\n");
  std::vector<std::string> expected = {
      "503 5.5.1 Send LHLO first",
      "500 5.5.1 This is an LMTP server: use LHLO",
      "500 5.5.1 This is an LMTP server: use LHLO",
      "501 5.5.4 LHLO needs a host name",
  };
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(lines[i], expected[i]);
  size_t after = 4;
  while (absl::StartsWith(lines[after], "250-")) ++after;
  ++after;  // "250 SIZE"
  EXPECT_EQ(lines[after], "503 5.5.1 Send MAIL first");
  EXPECT_EQ(lines[after + 1], "503 5.5.1 Send MAIL first");
  EXPECT_EQ(lines[after + 2], "250 2.1.0 OK");
  EXPECT_EQ(lines[after + 3], "503 5.5.1 Nested MAIL command");
  EXPECT_EQ(lines[after + 4], "250 2.0.0 OK");
  EXPECT_EQ(lines[after + 5], "503 5.5.1 Send MAIL first");
  EXPECT_TRUE(absl::StartsWith(lines[after + 6], "252 2.5.0"));
  EXPECT_EQ(lines[after + 7], "500 5.5.2 Unknown command");
  EXPECT_TRUE(absl::StartsWith(lines[after + 8], "555 5.5.4"));
  EXPECT_TRUE(absl::StartsWith(lines[after + 9], "221 2.0.0"));
  EXPECT_EQ(lines.size(), after + 10);  // nothing after QUIT
}

TEST_F(LmtpSessionTest, SmtpUtf8Addresses) {
  ASSERT_TRUE(store_.CreateUser("j\xc3\xb6rg", "p").ok());
  auto lines = RunAfterHello(absl::StrCat(
      "MAIL FROM:<s\xc3\xa9@x>\r\n",
      "MAIL FROM:<s\xc3\xa9@x> SMTPUTF8\r\n",
      "RCPT TO:<j\xc3\xb6rg@example.com>\r\nDATA\r\n", kMessage));
  EXPECT_EQ(lines[0], "553 5.6.7 Non-ASCII address needs SMTPUTF8");
  EXPECT_EQ(lines[1], "250 2.1.0 OK");
  EXPECT_EQ(lines[2], "250 2.1.5 OK");
  EXPECT_EQ(lines[4], "250 2.0.0 <j\xc3\xb6rg@example.com> Delivered");
}

TEST_F(LmtpSessionTest, NonAsciiRecipientWithoutSmtpUtf8) {
  auto lines = RunAfterHello(
      "MAIL FROM:<s@x>\r\nRCPT TO:<j\xc3\xb6rg@example.com>\r\n");
  EXPECT_EQ(lines[1], "553 5.6.7 Non-ASCII address needs SMTPUTF8");
}

TEST_F(LmtpSessionTest, LongLineOutsideData) {
  config_.max_line_bytes = 50;
  auto lines = Run(absl::StrCat("LHLO ", std::string(100, 'a'), "\r\nNOOP\r\n"));
  EXPECT_EQ(lines[0], "500 5.5.2 Line too long");
  EXPECT_EQ(lines[1], "250 2.0.0 OK");
}

TEST_F(LmtpSessionTest, DataLinesMayExceedTheCommandLineLimit) {
  config_.max_line_bytes = 50;
  auto lines = RunAfterHello(absl::StrCat(
      "MAIL FROM:<s@x>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n",
      std::string(100, 'a'), "\r\n.\r\n"));
  EXPECT_EQ(lines[3], "250 2.0.0 <alice@example.com> Delivered");
  EXPECT_TRUE(absl::EndsWith(OnlyMessage("alice"), std::string(100, 'a') + "\r\n"));
}

TEST_F(LmtpSessionTest, DataLineLongerThanTheMessageLimit) {
  config_.max_literal_bytes = 50;
  auto lines = RunAfterHello(absl::StrCat(
      "MAIL FROM:<s@x>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n",
      std::string(100, 'a'), "\r\n.\r\nNOOP\r\n"));
  EXPECT_EQ(lines[3], "552 5.3.4 Message size exceeds the limit");
  EXPECT_EQ(lines[4], "250 2.0.0 OK");
  EXPECT_EQ(store_.deliver_calls(), 0);
}

TEST_F(LmtpSessionTest, ShutdownSays421) {
  conn_.set_end_of_input(absl::StatusCode::kCancelled);
  auto lines = Run(kHello);
  EXPECT_EQ(lines.back(), "421 4.3.2 Server shutting down");
}

}  // namespace
}  // namespace mailroom::lmtp
