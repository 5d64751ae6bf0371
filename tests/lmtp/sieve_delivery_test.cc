// Sieve at LMTP delivery: the session over a store that keeps scripts,
// marks and the outbound queue in memory. Each test runs a real LMTP
// transaction and checks where the message went, what was queued and
// what each recipient was told.
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "protocols/lmtp/lmtp_session.h"
#include "protocols/lmtp/sieve_delivery.h"
#include "protocols/pop3/testing/fake_authenticator.h"
#include "protocols/pop3/testing/fake_connection.h"
#include "protocols/lmtp/sieve_fake_store.h"
#include "protocols/pop3/testing/fake_store.h"
#include "store/principal_issuer.h"

namespace mailroom::lmtp {
namespace {

using ::mailroom::testing::FakeAuthenticator;
using ::mailroom::testing::FakeConnection;
using ::mailroom::testing::FakeStore;
using ::mailroom::testing::SieveStore;

store::Principal HostPrincipal(std::string_view user) {
  return store::PrincipalIssuer::Admin(user);
}

constexpr char kMessage[] =
    "From: Carol <carol@far.example>\r\n"
    "To: Alice <alice@example.com>, bob@example.com\r\n"
    "Subject: Invoice 42\r\n"
    "Message-ID: <m1@far.example>\r\n"
    "\r\n"
    "Please pay.\r\n";

class SieveDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.CreateUser("alice", "a").ok());
    ASSERT_TRUE(store_.CreateUser("bob", "b").ok());
    config_.hostname = "mx.test";
    config_.local_domains = {"example.com"};
  }

  // One LMTP transaction from `from` to `rcpts` with `message`; returns the
  // replies after DATA's 354, one per recipient.
  std::vector<std::string> Send(const std::vector<std::string>& rcpts,
                                const std::string& message = kMessage,
                                const std::string& from = "carol@far.example") {
    FakeConnection conn;
    std::string input = absl::StrCat("LHLO mta.test\r\nMAIL FROM:<", from, ">\r\n");
    for (const std::string& r : rcpts) absl::StrAppend(&input, "RCPT TO:<", r, ">\r\n");
    absl::StrAppend(&input, "DATA\r\n", message, ".\r\nQUIT\r\n");
    conn.AddInput(input);
    plugin::SessionContext context;
    context.connection = &conn;
    context.store = &store_;
    context.auth = &auth_;
    context.config = &config_;
    context.delivery_principal = &HostPrincipal;
    plugin::Spawn(RunLmtpSession(&context));
    log_ = conn.log();
    std::vector<std::string> lines = absl::StrSplit(conn.output(), "\r\n");
    std::vector<std::string> replies;
    bool after_data = false;
    for (const std::string& line : lines) {
      if (absl::StartsWith(line, "354")) {
        after_data = true;
      } else if (after_data && !absl::StartsWith(line, "221") && !line.empty()) {
        replies.push_back(line);
      }
    }
    return replies;
  }

  size_t Count(const std::string& user, const std::string& mailbox) {
    return store_.Messages(user, mailbox).size();
  }
  void CreateMailbox(const std::string& user, const std::string& name) {
    ASSERT_TRUE(store_.CreateMailbox(FakeStore::UserPrincipal(user), name).ok());
  }

  SieveStore store_;
  FakeAuthenticator auth_{&store_};
  plugin::Config config_;
  std::string log_;
};

TEST_F(SieveDeliveryTest, NoScriptDeliversToInbox) {
  EXPECT_EQ(Send({"alice@example.com"}),
            std::vector<std::string>{"250 2.0.0 <alice@example.com> Delivered"});
  EXPECT_EQ(Count("alice", "INBOX"), 1u);
}

// RFC 5228 section 4.1 and RFC 5232: fileinto with flags.
TEST_F(SieveDeliveryTest, FileIntoWithFlags) {
  CreateMailbox("alice", "Billing");
  store_.SetScript("alice", "main",
                   "require [\"fileinto\", \"imap4flags\"];\r\n"
                   "if header :contains \"subject\" \"invoice\" {\r\n"
                   "  fileinto :flags [\"\\\\Flagged\", \"$Invoice\"] \"Billing\";\r\n"
                   "}\r\n",
                   true);
  EXPECT_EQ(Send({"alice@example.com"}),
            std::vector<std::string>{"250 2.0.0 <alice@example.com> Delivered"});
  EXPECT_EQ(Count("alice", "Billing"), 1u);
  EXPECT_EQ(Count("alice", "INBOX"), 0u);
  std::vector<SieveStore::Filed> filed = store_.filed();
  ASSERT_EQ(filed.size(), 1u);
  EXPECT_EQ(filed[0].flags.system, store::kFlagged);
  EXPECT_EQ(filed[0].flags.keywords, std::vector<std::string>{"$Invoice"});
}

TEST_F(SieveDeliveryTest, KeepWithFlagsGoesToInbox) {
  store_.SetScript("alice", "main",
                   "require \"imap4flags\"; addflag \"\\\\Seen\"; keep;", true);
  Send({"alice@example.com"});
  EXPECT_EQ(Count("alice", "INBOX"), 1u);
  ASSERT_EQ(store_.filed().size(), 1u);
  EXPECT_EQ(store_.filed()[0].flags.system, store::kSeen);
}

TEST_F(SieveDeliveryTest, FileIntoMissingMailboxKeepsInInbox) {
  store_.SetScript("alice", "main", "require \"fileinto\"; fileinto \"Nowhere\";", true);
  EXPECT_EQ(Send({"alice@example.com"}),
            std::vector<std::string>{"250 2.0.0 <alice@example.com> Delivered"});
  EXPECT_EQ(Count("alice", "INBOX"), 1u);
  EXPECT_TRUE(absl::StrContains(log_, "fileinto \"Nowhere\" failed")) << log_;
}

// RFC 5490 :create.
TEST_F(SieveDeliveryTest, FileIntoCreate) {
  store_.SetScript("alice", "main",
                   "require [\"fileinto\", \"mailbox\"]; fileinto :create \"New\";", true);
  Send({"alice@example.com"});
  EXPECT_EQ(Count("alice", "New"), 1u);
  EXPECT_EQ(Count("alice", "INBOX"), 0u);
}

// RFC 5429: a reject refuses the message for that recipient only.
TEST_F(SieveDeliveryTest, RejectIsPerRecipient) {
  store_.SetScript("alice", "main",
                   "require \"reject\"; reject \"I do not accept invoices\r\nhere\";", true);
  std::vector<std::string> replies = Send({"alice@example.com", "bob@example.com"});
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0],
            "550 5.7.1 <alice@example.com> I do not accept invoices here");
  EXPECT_EQ(replies[1], "250 2.0.0 <bob@example.com> Delivered");
  EXPECT_EQ(Count("alice", "INBOX"), 0u);
  EXPECT_EQ(Count("bob", "INBOX"), 1u);
}

TEST_F(SieveDeliveryTest, EjectRejects) {
  store_.SetScript("alice", "main", "require \"ereject\"; ereject \"no\";", true);
  EXPECT_EQ(Send({"alice@example.com"}),
            std::vector<std::string>{"550 5.7.1 <alice@example.com> no"});
}

TEST_F(SieveDeliveryTest, DiscardStoresNothing) {
  store_.SetScript("alice", "main", "discard;", true);
  EXPECT_EQ(Send({"alice@example.com"}),
            std::vector<std::string>{"250 2.0.0 <alice@example.com> Delivered"});
  EXPECT_EQ(Count("alice", "INBOX"), 0u);
}

// RFC 5228 section 4.2: the envelope sender stays the original's.
TEST_F(SieveDeliveryTest, RedirectQueuesACopyWithTheOriginalSender) {
  store_.SetScript("alice", "main", "redirect \"dave@other.example\";", true);
  EXPECT_EQ(Send({"alice@example.com"}),
            std::vector<std::string>{"250 2.0.0 <alice@example.com> Delivered"});
  EXPECT_EQ(Count("alice", "INBOX"), 0u);
  std::vector<store::OutboundMessage> queued = store_.queued();
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].envelope_from, "carol@far.example");
  EXPECT_EQ(queued[0].recipients, std::vector<std::string>{"dave@other.example"});
  EXPECT_TRUE(absl::StartsWith(
      queued[0].data, "X-Mailroom-Redirected-By: alice@example.com\r\n"));
  EXPECT_FALSE(absl::StrContains(queued[0].data, "Return-Path:"));
  EXPECT_TRUE(absl::StrContains(queued[0].data, "Subject: Invoice 42\r\n"));
}

TEST_F(SieveDeliveryTest, RedirectCopyAlsoKeeps) {
  store_.SetScript("alice", "main",
                   "require \"copy\"; redirect :copy \"dave@other.example\";", true);
  Send({"alice@example.com"});
  EXPECT_EQ(Count("alice", "INBOX"), 1u);
  EXPECT_EQ(store_.queued().size(), 1u);
}

TEST_F(SieveDeliveryTest, RedirectLoopKeepsInstead) {
  store_.SetScript("alice", "main", "redirect \"dave@other.example\";", true);
  Send({"alice@example.com"},
       absl::StrCat("X-Mailroom-Redirected-By: alice@example.com\r\n", kMessage));
  EXPECT_TRUE(store_.queued().empty());
  EXPECT_EQ(Count("alice", "INBOX"), 1u);
}

TEST_F(SieveDeliveryTest, RedirectNotQueuedKeeps) {
  store_.set_refuse_outbound(true);
  store_.SetScript("alice", "main", "redirect \"dave@other.example\";", true);
  EXPECT_EQ(Send({"alice@example.com"}),
            std::vector<std::string>{"250 2.0.0 <alice@example.com> Delivered"});
  EXPECT_EQ(Count("alice", "INBOX"), 1u);
}

// RFC 5230: one reply per sender within the period, from <>, marked.
TEST_F(SieveDeliveryTest, VacationOncePerSender) {
  store_.SetScript("alice", "main",
                   "require \"vacation\";\r\n"
                   "vacation :days 7 \"I am away until Monday.\";\r\n",
                   true);
  Send({"alice@example.com"});
  Send({"alice@example.com"});
  EXPECT_EQ(Count("alice", "INBOX"), 2u);
  std::vector<store::OutboundMessage> queued = store_.queued();
  ASSERT_EQ(queued.size(), 1u);
  const store::OutboundMessage& reply = queued[0];
  EXPECT_EQ(reply.envelope_from, "");
  EXPECT_EQ(reply.recipients, std::vector<std::string>{"carol@far.example"});
  EXPECT_TRUE(absl::StrContains(reply.data, "Subject: Auto: Invoice 42\r\n"));
  EXPECT_TRUE(absl::StrContains(reply.data, "Auto-Submitted: auto-replied\r\n"));
  EXPECT_TRUE(absl::StrContains(reply.data, "In-Reply-To: <m1@far.example>\r\n"));
  EXPECT_TRUE(absl::StrContains(reply.data, "References: <m1@far.example>\r\n"));
  EXPECT_TRUE(absl::StrContains(reply.data, "\r\n\r\nI am away until Monday.\r\n"));
  // Another sender gets their own reply.
  Send({"alice@example.com"}, kMessage, "erin@far.example");
  EXPECT_EQ(store_.queued().size(), 2u);
}

TEST_F(SieveDeliveryTest, VacationNeverToLists) {
  store_.SetScript("alice", "main", "require \"vacation\"; vacation \"away\";", true);
  Send({"alice@example.com"},
       absl::StrCat("List-Id: <news.far.example>\r\n", kMessage));
  EXPECT_TRUE(store_.queued().empty());
  EXPECT_TRUE(absl::StrContains(log_, "vacation not sent")) << log_;
}

// RFC 7352: the second copy of a Message-ID is discarded.
TEST_F(SieveDeliveryTest, DuplicateDiscardsTheSecondCopy) {
  store_.SetScript("alice", "main",
                   "require \"duplicate\"; if duplicate { discard; stop; }", true);
  Send({"alice@example.com"});
  Send({"alice@example.com"});
  EXPECT_EQ(Count("alice", "INBOX"), 1u);
}

// RFC 5233: the detail of the envelope recipient.
TEST_F(SieveDeliveryTest, SubaddressDetail) {
  CreateMailbox("alice", "lists");
  store_.SetScript("alice", "main",
                   "require [\"fileinto\", \"envelope\", \"subaddress\"];\r\n"
                   "if envelope :detail \"to\" \"lists\" { fileinto \"lists\"; }\r\n",
                   true);
  Send({"alice+lists@example.com"});
  EXPECT_EQ(Count("alice", "lists"), 1u);
  EXPECT_EQ(Count("alice", "INBOX"), 0u);
}

// RFC 5173: body :text sees decoded text parts.
TEST_F(SieveDeliveryTest, BodyTestSeesDecodedText) {
  CreateMailbox("alice", "Unsub");
  store_.SetScript("alice", "main",
                   "require [\"fileinto\", \"body\"];\r\n"
                   "if body :text :contains \"unsubscribe me\" { fileinto \"Unsub\"; }\r\n",
                   true);
  // "Please unsubscribe me." in base64 inside a multipart.
  std::string message =
      "From: carol@far.example\r\nTo: alice@example.com\r\nSubject: x\r\n"
      "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\nUGxlYXNlIHVuc3Vic2NyaWJlIG1lLg==\r\n"
      "--b--\r\n";
  Send({"alice@example.com"}, message);
  EXPECT_EQ(Count("alice", "Unsub"), 1u);
}

// RFC 5229: match variables name the folder.
TEST_F(SieveDeliveryTest, VariablesFromMatches) {
  CreateMailbox("alice", "Invoice");
  store_.SetScript("alice", "main",
                   "require [\"fileinto\", \"variables\"];\r\n"
                   "if header :matches \"subject\" \"* *\" { fileinto \"${1}\"; }\r\n",
                   true);
  Send({"alice@example.com"});
  EXPECT_EQ(Count("alice", "Invoice"), 1u);
}

// RFC 5183.
TEST_F(SieveDeliveryTest, EnvironmentItems) {
  CreateMailbox("alice", "Env");
  store_.SetScript(
      "alice", "main",
      "require [\"fileinto\", \"environment\"];\r\n"
      "if allof (environment :is \"name\" \"Mailroom\", environment :is \"phase\" "
      "\"during\", environment :is \"host\" \"mx.test\", environment :is \"domain\" "
      "\"example.com\") { fileinto \"Env\"; }\r\n",
      true);
  Send({"alice@example.com"});
  EXPECT_EQ(Count("alice", "Env"), 1u);
}

// Global before: filing ends the sequence (the user's script does not run).
TEST_F(SieveDeliveryTest, GlobalBeforeFilingEndsTheSequence) {
  CreateMailbox("alice", "Spam");
  store_.SetScript("", "before",
                   "require \"fileinto\"; if header :is \"x-spam\" \"yes\" "
                   "{ fileinto \"Spam\"; }");
  store_.SetScript("alice", "main", "redirect \"dave@other.example\";", true);
  Send({"alice@example.com"}, absl::StrCat("X-Spam: yes\r\n", kMessage));
  EXPECT_EQ(Count("alice", "Spam"), 1u);
  EXPECT_TRUE(store_.queued().empty());
  // Without the header the before script keeps, and the user's runs.
  Send({"alice@example.com"});
  EXPECT_EQ(store_.queued().size(), 1u);
}

// `stop` in before ends that script only; after runs when the user keeps,
// and its keep (with flags) is the one carried out.
TEST_F(SieveDeliveryTest, StopInBeforeAndKeepFlagsFromAfter) {
  store_.SetScript("", "before", "stop;");
  CreateMailbox("alice", "Lib");
  store_.SetScript("alice", "lib",
                   "require [\"fileinto\", \"copy\"]; fileinto :copy \"Lib\";");
  store_.SetScript("alice", "main",
                   "require [\"include\", \"copy\", \"fileinto\"]; include :personal \"lib\";",
                   true);
  store_.SetScript("", "after", "require \"imap4flags\"; keep :flags \"\\\\Seen\";");
  Send({"alice@example.com"});
  EXPECT_EQ(Count("alice", "Lib"), 1u) << log_;
  EXPECT_EQ(Count("alice", "INBOX"), 1u);
  bool seen_in_inbox = false;
  for (const SieveStore::Filed& f : store_.filed()) {
    if (f.mailbox == "INBOX" && f.flags.system == store::kSeen) seen_in_inbox = true;
  }
  EXPECT_TRUE(seen_in_inbox);
}

TEST_F(SieveDeliveryTest, RuntimeFailureKeeps) {
  store_.SetScript("alice", "main",
                   "require \"include\"; include \"missing\"; discard;", true);
  EXPECT_EQ(Send({"alice@example.com"}),
            std::vector<std::string>{"250 2.0.0 <alice@example.com> Delivered"});
  EXPECT_EQ(Count("alice", "INBOX"), 1u);
  EXPECT_TRUE(absl::StrContains(log_, "failed (")) << log_;
}

TEST_F(SieveDeliveryTest, BrokenScriptKeeps) {
  store_.SetScript("alice", "main", "if true { discard;", true);
  Send({"alice@example.com"});
  EXPECT_EQ(Count("alice", "INBOX"), 1u);
  EXPECT_TRUE(absl::StrContains(log_, "does not compile")) << log_;
}

TEST_F(SieveDeliveryTest, MaxActionsOptionApplies) {
  config_.options["lmtp.sieve_max_actions"] = "1";
  store_.SetScript("alice", "main",
                   "require [\"fileinto\", \"copy\", \"mailbox\"]; fileinto :create :copy \"A\";"
                   " fileinto :create :copy \"B\";",
                   true);
  Send({"alice@example.com"});
  // Too many actions: the run fails and the message is kept, nothing else.
  EXPECT_EQ(Count("alice", "INBOX"), 1u);
  EXPECT_TRUE(absl::StrContains(log_, "failed (")) << log_;
}

TEST_F(SieveDeliveryTest, SieveOffDeliversUnfiltered) {
  config_.options["lmtp.sieve"] = "false";
  store_.SetScript("alice", "main", "discard;", true);
  Send({"alice@example.com"});
  EXPECT_EQ(Count("alice", "INBOX"), 1u);
}

TEST_F(SieveDeliveryTest, CompiledScriptsAreCached) {
  store_.SetScript("alice", "main", "# cached once\r\nkeep;", true);
  ScriptCache& cache = SharedScriptCache(1000);
  Send({"alice@example.com"});
  size_t after_first = cache.compiles();
  Send({"alice@example.com"});
  Send({"alice@example.com"});
  EXPECT_EQ(cache.compiles(), after_first);
  // A changed script is compiled anew.
  store_.SetScript("alice", "main", "# changed\r\nkeep;", true);
  Send({"alice@example.com"});
  EXPECT_EQ(cache.compiles(), after_first + 1);
}

// The benchmark's helpdesk script compiles and routes as it says.
TEST_F(SieveDeliveryTest, HelpdeskScriptRoutes) {
  std::ifstream in("bench/sieve_delivery/helpdesk50.sieve");
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_FALSE(text.str().empty());
  store_.SetScript("alice", "helpdesk", text.str(), true);
  Send({"alice+tech@example.com"},
       "From: x@customer3.example\r\nTo: alice@example.com\r\n"
       "Subject: urgent: invoice wrong\r\n\r\nI want a refund.\r\n");
  EXPECT_EQ(Count("alice", "Queue-Technical"), 1u) << log_;
  ASSERT_EQ(store_.filed().size(), 1u);
  EXPECT_EQ(store_.filed()[0].flags.system, store::kFlagged);
  EXPECT_EQ(store_.filed()[0].flags.keywords,
            (std::vector<std::string>{"$Customer3", "$Refund"}));
  Send({"alice@example.com"}, "From: y@z.example\r\nSubject: hello\r\n\r\nhi\r\n");
  EXPECT_EQ(Count("alice", "INBOX"), 1u) << log_;
}

TEST(RejectReplyTextTest, OneLineOfAscii) {
  EXPECT_EQ(RejectReplyText("a\r\nb\x01 \xc3\xa9"), "a b? ??");
  EXPECT_EQ(RejectReplyText(""), "Message rejected");
  EXPECT_EQ(RejectReplyText(std::string(500, 'x')).size(), 200u);
}

}  // namespace
}  // namespace mailroom::lmtp
