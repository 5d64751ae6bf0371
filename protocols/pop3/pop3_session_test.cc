#include "protocols/pop3/pop3_session.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "protocols/pop3/testing/fake_authenticator.h"
#include "protocols/pop3/testing/fake_connection.h"
#include "protocols/pop3/testing/fake_store.h"

namespace mailroom::pop3 {
namespace {

using ::mailroom::testing::FakeAuthenticator;
using ::mailroom::testing::FakeConnection;
using ::mailroom::testing::FakeStore;

constexpr char kLogin[] = "USER alice\r\nPASS secret\r\n";

class Pop3SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.CreateUser("alice", "secret").ok());
    config_.hostname = "mx.test";
  }

  store::Uid Add(std::string data) {
    store::AppendRequest request;
    request.data = data;
    auto result = store_.Append(::mailroom::testing::FakeStore::UserPrincipal("alice"), "INBOX", {request});
    EXPECT_TRUE(result.ok());
    return result->uids[0];
  }

  // Runs a whole session over `conn` and returns its output as lines.
  std::vector<std::string> Run(FakeConnection& conn, std::string_view input) {
    conn.AddInput(input);
    plugin::SessionContext context;
    context.connection = &conn;
    context.store = &store_;
    context.auth = &auth_;
    context.config = &config_;
    plugin::Spawn(RunPop3Session(&context));
    EXPECT_TRUE(conn.unflushed().empty());
    std::vector<std::string> lines = absl::StrSplit(conn.output(), "\r\n");
    if (!lines.empty() && lines.back().empty()) lines.pop_back();
    return lines;
  }
  std::vector<std::string> Run(std::string_view input) {
    return Run(conn_, input);
  }

  FakeStore store_;
  FakeAuthenticator auth_{&store_};
  plugin::Config config_;
  FakeConnection conn_;
};

TEST_F(Pop3SessionTest, GreetingLoginStatAndQuit) {
  Add("Subject: one\r\n\r\nhello\r\n");
  Add("Subject: two\r\n\r\nworld!\r\n");
  auto lines = Run(absl::StrCat(kLogin, "STAT\r\nQUIT\r\n"));
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_TRUE(absl::StartsWith(lines[0], "+OK mx.test"));
  EXPECT_TRUE(absl::StartsWith(lines[1], "+OK"));
  EXPECT_TRUE(absl::StartsWith(lines[2], "+OK"));
  EXPECT_EQ(lines[3], "+OK 2 47");
  EXPECT_TRUE(absl::StartsWith(lines[4], "+OK"));
}

TEST_F(Pop3SessionTest, WrongPasswordIsAuthError) {
  auto lines = Run("USER alice\r\nPASS wrong\r\nSTAT\r\n");
  EXPECT_EQ(lines[2], "-ERR [AUTH] Authentication failed");
  EXPECT_TRUE(absl::StartsWith(lines[3], "-ERR"));  // still not logged in
}

TEST_F(Pop3SessionTest, PassWithoutUser) {
  auto lines = Run("PASS secret\r\n");
  EXPECT_TRUE(absl::StartsWith(lines[1], "-ERR"));
}

TEST_F(Pop3SessionTest, ListAndUidlAndSizesMatchRetr) {
  store::Uid first = Add("Subject: a\n\nbare LF body\n");
  store::Uid second = Add("Subject: b\r\n\r\n.dot line\r\nno final CRLF");
  uint32_t uidvalidity = store_.UidValidity("alice", "INBOX");
  auto lines = Run(absl::StrCat(kLogin, "LIST\r\nUIDL\r\nLIST 2\r\nUIDL 1\r\n",
                                "RETR 1\r\nRETR 2\r\n"));
  // LIST
  EXPECT_TRUE(absl::StartsWith(lines[3], "+OK"));
  EXPECT_EQ(lines[4], "1 28");
  EXPECT_EQ(lines[5], "2 40");
  EXPECT_EQ(lines[6], ".");
  // UIDL
  EXPECT_EQ(lines[8], absl::StrCat("1 ", uidvalidity, ".", first));
  EXPECT_EQ(lines[9], absl::StrCat("2 ", uidvalidity, ".", second));
  EXPECT_EQ(lines[10], ".");
  EXPECT_EQ(lines[11], "+OK 2 40");
  EXPECT_EQ(lines[12], absl::StrCat("+OK 1 ", uidvalidity, ".", first));
  // RETR 1: sizes count the CRLF form the client receives.
  EXPECT_EQ(lines[13], "+OK 28 octets");
  EXPECT_EQ(lines[14], "Subject: a");
  EXPECT_EQ(lines[15], "");
  EXPECT_EQ(lines[16], "bare LF body");
  EXPECT_EQ(lines[17], ".");
  EXPECT_EQ(lines[18], "+OK 40 octets");
  EXPECT_EQ(lines[21], "..dot line");
  EXPECT_EQ(lines[22], "no final CRLF");
  EXPECT_EQ(lines[23], ".");
}

TEST_F(Pop3SessionTest, TopSendsHeaderAndLines) {
  Add("Subject: a\r\n\r\nl1\r\nl2\r\nl3\r\n");
  auto lines = Run(absl::StrCat(kLogin, "TOP 1 1\r\nTOP 1\r\nTOP 1 x\r\n"));
  EXPECT_TRUE(absl::StartsWith(lines[3], "+OK"));
  EXPECT_EQ(lines[4], "Subject: a");
  EXPECT_EQ(lines[5], "");
  EXPECT_EQ(lines[6], "l1");
  EXPECT_EQ(lines[7], ".");
  EXPECT_TRUE(absl::StartsWith(lines[8], "-ERR"));
  EXPECT_TRUE(absl::StartsWith(lines[9], "-ERR"));
  // TOP is not a retrieval.
  EXPECT_FALSE(store_.Messages("alice", "INBOX").begin()->second.retrieved);
}

TEST_F(Pop3SessionTest, BadMessageNumbers) {
  Add("a\r\n");
  auto lines = Run(absl::StrCat(kLogin, "RETR 0\r\nRETR 2\r\nLIST 9\r\n",
                                "DELE x\r\nUIDL -1\r\nRETR\r\n"));
  for (size_t i = 3; i < 9; ++i) {
    EXPECT_TRUE(absl::StartsWith(lines[i], "-ERR")) << lines[i];
  }
}

TEST_F(Pop3SessionTest, DeleMarksAndQuitExpungesExactlyThose) {
  store::Uid a = Add("a\r\n");
  store::Uid b = Add("bb\r\n");
  store::Uid c = Add("ccc\r\n");
  auto lines = Run(absl::StrCat(kLogin,
                                "DELE 2\r\nDELE 2\r\nRETR 2\r\nSTAT\r\n"
                                "LIST\r\nQUIT\r\n"));
  EXPECT_TRUE(absl::StartsWith(lines[3], "+OK"));
  EXPECT_TRUE(absl::StartsWith(lines[4], "-ERR"));
  EXPECT_TRUE(absl::StartsWith(lines[5], "-ERR"));
  EXPECT_EQ(lines[6], "+OK 2 8");
  EXPECT_EQ(lines[8], "1 3");
  EXPECT_EQ(lines[9], "3 5");  // numbers do not shift
  EXPECT_TRUE(absl::StartsWith(lines[11], "+OK"));
  auto left = store_.Messages("alice", "INBOX");
  EXPECT_EQ(left.size(), 2u);
  EXPECT_TRUE(left.count(a));
  EXPECT_FALSE(left.count(b));
  EXPECT_TRUE(left.count(c));
}

TEST_F(Pop3SessionTest, DroppedConnectionExpungesNothing) {
  Add("a\r\n");
  Add("b\r\n");
  Run(absl::StrCat(kLogin, "DELE 1\r\nDELE 2\r\n"));  // then the peer is gone
  EXPECT_EQ(store_.Messages("alice", "INBOX").size(), 2u);
  EXPECT_EQ(store_.expunge_calls(), 0);
}

TEST_F(Pop3SessionTest, TimeoutExpungesNothing) {
  Add("a\r\n");
  conn_.set_end_of_input(absl::StatusCode::kDeadlineExceeded);
  auto lines = Run(absl::StrCat(kLogin, "DELE 1\r\n"));
  EXPECT_TRUE(absl::StartsWith(lines.back(), "-ERR"));
  EXPECT_EQ(conn_.last_timeout(), config_.idle_timeout);
  EXPECT_EQ(store_.Messages("alice", "INBOX").size(), 1u);
}

TEST_F(Pop3SessionTest, UnauthenticatedTimeoutBeforeLogin) {
  conn_.set_end_of_input(absl::StatusCode::kDeadlineExceeded);
  auto lines = Run("");
  // What is left of the login deadline, never a fresh period.
  EXPECT_LE(conn_.last_timeout(), config_.unauthenticated_timeout);
  EXPECT_TRUE(absl::StartsWith(lines.back(), "-ERR"));
}

TEST_F(Pop3SessionTest, LoginDeadlineIsNotExtendedByCommands) {
  config_.unauthenticated_timeout = std::chrono::milliseconds(0);
  auto lines = Run("NOOP\r\nCAPA\r\n");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1], "-ERR Autologout; login took too long");
}

TEST_F(Pop3SessionTest, LongLineBeforeLoginIsRefused) {
  config_.max_preauth_command_bytes = 600;
  auto lines = Run(absl::StrCat("USER ", std::string(700, 'u'),
                                "\r\nUSER alice\r\n"));
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[1], "-ERR Line too long");
  EXPECT_TRUE(absl::StartsWith(lines[2], "+OK"));
}

TEST_F(Pop3SessionTest, ShutdownSaysGoodbye) {
  conn_.set_end_of_input(absl::StatusCode::kCancelled);
  auto lines = Run(kLogin);
  EXPECT_TRUE(absl::StartsWith(lines.back(), "-ERR [SYS/TEMP]"));
}

TEST_F(Pop3SessionTest, RsetUnmarks) {
  Add("a\r\n");
  auto lines = Run(absl::StrCat(kLogin, "DELE 1\r\nRSET\r\nSTAT\r\nQUIT\r\n"));
  EXPECT_EQ(lines[5], "+OK 1 3");
  EXPECT_EQ(store_.Messages("alice", "INBOX").size(), 1u);
}

TEST_F(Pop3SessionTest, MessageExpungedByImapKeepsItsNumber) {
  Add("a\r\n");
  store::Uid b = Add("b\r\n");
  Add("c\r\n");
  conn_.set_line_hook([&](std::string_view line) {
    if (line == "RETR 2") store_.ExpungeBehindTheScenes("alice", b);
  });
  auto lines = Run(absl::StrCat(kLogin, "RETR 2\r\nRETR 3\r\nDELE 2\r\nQUIT\r\n"));
  EXPECT_EQ(lines[3], "-ERR Message was deleted by another session");
  EXPECT_EQ(lines[4], "+OK 3 octets");
  EXPECT_EQ(lines[5], "c");
  EXPECT_TRUE(absl::StartsWith(lines[7], "+OK"));  // DELE of a gone message
  EXPECT_TRUE(absl::StartsWith(lines[8], "+OK"));  // QUIT still succeeds
  EXPECT_EQ(store_.Messages("alice", "INBOX").size(), 2u);
}

TEST_F(Pop3SessionTest, SequentialRetrReadsAheadAndStaysCorrect) {
  std::string input = kLogin;
  for (int i = 1; i <= 40; ++i) {
    Add(absl::StrCat("Subject: m", i, "\r\n\r\nbody ", i, "\r\n"));
    absl::StrAppend(&input, "RETR ", i, "\r\n");
  }
  auto lines = Run(input);
  for (int i = 1; i <= 40; ++i) {
    size_t at = 3 + (i - 1) * 5;  // status, subject, blank, body, dot
    ASSERT_LT(at + 4, lines.size());
    EXPECT_TRUE(absl::StartsWith(lines[at], "+OK")) << lines[at];
    EXPECT_EQ(lines[at + 1], absl::StrCat("Subject: m", i));
    EXPECT_EQ(lines[at + 3], absl::StrCat("body ", i));
  }
  // No read at login (the store knows the sizes), then a few growing
  // windows instead of one store trip per RETR.
  EXPECT_LE(store_.read_calls(), 40 + 8);
}

TEST_F(Pop3SessionTest, SequentialRetrFindsEachMessageAlreadyRead) {
  std::string input = kLogin;
  std::vector<store::Uid> uids;
  for (int i = 1; i <= 100; ++i) {
    uids.push_back(Add(absl::StrCat("Subject: m", i, "\r\n\r\nbody ", i, "\r\n")));
    absl::StrAppend(&input, "RETR ", i, "\r\n");
  }
  // When the client asks for message n > 1, the session has read it
  // already: the next window is read while the client downloads.
  std::vector<int> not_yet_read;
  conn_.set_line_hook([&](std::string_view line) {
    int n = 0;
    const std::string_view number = line.substr(5);
    if (!absl::SimpleAtoi(absl::string_view(number.data(), number.size()),
                          &n) ||
        n < 2) {
      return;
    }
    std::vector<store::Uid> read = store_.read_uids();
    if (std::find(read.begin(), read.end(), uids[n - 1]) == read.end()) {
      not_yet_read.push_back(n);
    }
  });
  auto lines = Run(input);
  EXPECT_TRUE(not_yet_read.empty())
      << "read only when asked: " << absl::StrJoin(not_yet_read, " ");
  for (int i = 1; i <= 100; ++i) {
    size_t at = 3 + (i - 1) * 5;
    ASSERT_LT(at + 4, lines.size());
    EXPECT_EQ(lines[at + 1], absl::StrCat("Subject: m", i));
    EXPECT_EQ(lines[at + 3], absl::StrCat("body ", i));
  }
  // Each message read once.
  EXPECT_EQ(store_.read_calls(), 100);
}

TEST_F(Pop3SessionTest, MessagesExpungedBetweenWindowsAnswerErr) {
  std::string input = kLogin;
  std::vector<store::Uid> uids;
  for (int i = 1; i <= 60; ++i) {
    uids.push_back(Add(absl::StrCat("Subject: m", i, "\r\n\r\n.body ", i, "\r\n")));
    absl::StrAppend(&input, "RETR ", i, "\r\n");
  }
  // Messages already read ahead (and in the window read next) go while
  // the client is in the middle of its download.
  const std::vector<int> gone = {21, 22, 40, 59};
  conn_.set_line_hook([&](std::string_view line) {
    if (line != "RETR 20") return;
    for (int n : gone) store_.ExpungeBehindTheScenes("alice", uids[n - 1]);
  });
  auto lines = Run(input);
  size_t at = 3;
  for (int i = 1; i <= 60; ++i) {
    ASSERT_LT(at, lines.size());
    if (std::find(gone.begin(), gone.end(), i) != gone.end()) {
      EXPECT_EQ(lines[at], "-ERR Message was deleted by another session")
          << i;
      at += 1;
      continue;
    }
    EXPECT_TRUE(absl::StartsWith(lines[at], "+OK ")) << i;
    EXPECT_EQ(lines[at + 1], absl::StrCat("Subject: m", i));
    EXPECT_EQ(lines[at + 3], absl::StrCat("..body ", i));
    EXPECT_EQ(lines[at + 4], ".");
    at += 5;
  }
}

TEST_F(Pop3SessionTest, LoginReadsNoMessageWhenTheStoreKnowsSizes) {
  Add("Subject: a\r\n\r\none\r\n");
  Add("Subject: b\n\ntwo\n");
  Add("Subject: c\r\n\r\nno final line end");
  auto lines = Run(absl::StrCat(kLogin, "STAT\r\nLIST\r\nQUIT\r\n"));
  EXPECT_EQ(store_.read_calls(), 0);
  EXPECT_EQ(lines[3], "+OK 3 71");
  EXPECT_EQ(lines[5], "1 19");
  EXPECT_EQ(lines[6], "2 19");  // bare LF, counted with CRLF
  EXPECT_EQ(lines[7], "3 33");  // the missing CRLF counted
}

TEST_F(Pop3SessionTest, NextLoginReadsOnlyNewMessagesForSizes) {
  // Messages stored before the store recorded CRLF sizes.
  store_.set_records_crlf_sizes(false);
  Add("Subject: a\r\n\r\none\r\n");
  Add("Subject: b\n\ntwo\n");
  auto first = Run(absl::StrCat(kLogin, "STAT\r\nQUIT\r\n"));
  int reads = store_.read_calls();
  EXPECT_EQ(reads, 2);
  Add("Subject: c\r\n\r\nthree\r\n");
  FakeConnection again;
  auto second = Run(again, absl::StrCat(kLogin, "STAT\r\nLIST\r\n"));
  EXPECT_EQ(store_.read_calls(), reads + 1);
  EXPECT_EQ(first[3], "+OK 2 38");
  EXPECT_EQ(second[3], "+OK 3 59");
  EXPECT_EQ(second[6], "2 19");  // the bare-LF message, counted with CRLF
}

// RETR of every message of a maildrop of `count`, one command each.
std::string RetrAll(int count) {
  std::string input = kLogin;
  for (int i = 1; i <= count; ++i) absl::StrAppend(&input, "RETR ", i, "\r\n");
  return input;
}

TEST_F(Pop3SessionTest, SavingRetrievalsKeepsTheReadAhead) {
  // Past 512 RETRs the session records retrievals and \Seen; that change
  // is its own and removes nothing, so what was read ahead is sent without
  // being read again.
  constexpr int kMessages = 600;
  std::vector<store::Uid> uids;
  for (int i = 1; i <= kMessages; ++i) {
    uids.push_back(Add(absl::StrCat("Subject: m", i, "\r\n\r\nbody\r\n")));
  }
  auto lines = Run(RetrAll(kMessages));
  for (int i = 1; i <= kMessages; ++i) {
    const size_t at = 3 + (i - 1) * 5;
    ASSERT_LT(at + 4, lines.size());
    EXPECT_EQ(lines[at + 1], absl::StrCat("Subject: m", i));
  }
  EXPECT_NE(store_.Messages("alice", "INBOX").at(uids[511]).flags.system &
                store::kSeen,
            0u);
  EXPECT_EQ(store_.read_calls(), kMessages);
}

TEST_F(Pop3SessionTest, ExpungeAfterSavingRetrievalsIsStillNoticed) {
  constexpr int kMessages = 600;
  constexpr int kGone = 560;  // read ahead after the first 512 were saved
  std::vector<store::Uid> uids;
  for (int i = 1; i <= kMessages; ++i) {
    uids.push_back(Add(absl::StrCat("Subject: m", i, "\r\n\r\nbody\r\n")));
  }
  conn_.set_line_hook([&](std::string_view line) {
    if (line == "RETR 550") {
      store_.ExpungeBehindTheScenes("alice", uids[kGone - 1]);
    }
  });
  auto lines = Run(RetrAll(kMessages));
  const size_t at = 3 + (kGone - 1) * 5;
  ASSERT_LT(at + 1, lines.size());
  EXPECT_EQ(lines[at], "-ERR Message was deleted by another session");
  EXPECT_EQ(lines[at + 2], absl::StrCat("Subject: m", kGone + 1));
}

TEST_F(Pop3SessionTest, ReadAheadIsDroppedWhenTheMailboxChanges) {
  Add("Subject: 1\r\n\r\na\r\n");
  store::Uid second = Add("Subject: 2\r\n\r\nb\r\n");
  Add("Subject: 3\r\n\r\nc\r\n");
  conn_.set_line_hook([&](std::string_view line) {
    if (line == "RETR 2") store_.ExpungeBehindTheScenes("alice", second);
  });
  // Message 2 was read ahead (at login and by RETR 1) before it went.
  auto lines = Run(absl::StrCat(kLogin, "RETR 1\r\nRETR 2\r\nRETR 3\r\n"));
  EXPECT_EQ(lines[8], "-ERR Message was deleted by another session");
  EXPECT_EQ(lines[10], "Subject: 3");
}

TEST_F(Pop3SessionTest, OneSessionPerMaildrop) {
  auto lease = store_.LockMaildrop(::mailroom::testing::FakeStore::UserPrincipal("alice"));
  ASSERT_TRUE(lease.ok());
  auto lines = Run(kLogin);
  EXPECT_EQ(lines[2], "-ERR [IN-USE] Mailbox is in use by another POP3 session");
  lease->reset();
  FakeConnection second;
  auto again = Run(second, kLogin);
  EXPECT_TRUE(absl::StartsWith(again[2], "+OK"));
}

TEST_F(Pop3SessionTest, SessionReleasesTheMaildrop) {
  Run(kLogin);
  EXPECT_TRUE(store_.LockMaildrop(::mailroom::testing::FakeStore::UserPrincipal("alice")).ok());
}

TEST_F(Pop3SessionTest, RetrRecordsRetrievalAndSeen) {
  Add("a\r\n");
  Add("b\r\n");
  Run(absl::StrCat(kLogin, "RETR 2\r\nQUIT\r\n"));
  auto messages = store_.Messages("alice", "INBOX");
  auto it = messages.begin();
  EXPECT_FALSE(it->second.retrieved);
  EXPECT_EQ(it->second.flags.system & store::kSeen, 0u);
  ++it;
  EXPECT_TRUE(it->second.retrieved);
  EXPECT_NE(it->second.flags.system & store::kSeen, 0u);
}

TEST_F(Pop3SessionTest, RetrievalIsKeptWhenTheConnectionDrops) {
  Add("a\r\n");
  Run(absl::StrCat(kLogin, "RETR 1\r\n"));
  EXPECT_TRUE(store_.Messages("alice", "INBOX").begin()->second.retrieved);
}

TEST_F(Pop3SessionTest, CapaBeforeAndAfterLogin) {
  config_.options[kExpireDaysOption] = "30";
  conn_.set_tls_available(true);
  auto lines = Run(absl::StrCat("CAPA\r\n", kLogin, "CAPA\r\n"));
  std::string before = absl::StrJoin(lines.begin() + 1, lines.begin() + 16, "|");
  for (const char* cap :
       {"TOP", "UIDL", "USER", "SASL PLAIN X-TWO-STEP", "RESP-CODES",
        "AUTH-RESP-CODE", "PIPELINING", "EXPIRE 30", "LOGIN-DELAY 0",
        "IMPLEMENTATION Mailroom", "STLS", "UTF8"}) {
    EXPECT_TRUE(absl::StrContains(absl::StrCat("|", before, "|"),
                                  absl::StrCat("|", cap, "|")))
        << cap << " in " << before;
  }
  std::string after = absl::StrJoin(lines.begin() + 17, lines.end(), "|");
  EXPECT_FALSE(absl::StrContains(after, "STLS"));
  EXPECT_FALSE(absl::StrContains(after, "SASL"));
  EXPECT_TRUE(absl::StrContains(after, "EXPIRE 30"));
}

TEST_F(Pop3SessionTest, ExpireNeverByDefault) {
  auto lines = Run("CAPA\r\n");
  EXPECT_TRUE(absl::StrContains(absl::StrJoin(lines, "|"), "|EXPIRE NEVER|"));
}

TEST_F(Pop3SessionTest, ExpireZeroMeansNever) {
  config_.options[kExpireDaysOption] = "0";
  auto lines = Run("CAPA\r\n");
  EXPECT_TRUE(absl::StrContains(absl::StrJoin(lines, "|"), "|EXPIRE NEVER|"));
}

TEST_F(Pop3SessionTest, PlaintextRefusedWithoutTls) {
  auth_.set_plaintext_allowed(false);
  auto lines = Run("CAPA\r\nUSER alice\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
  std::string capa = absl::StrJoin(lines, "|");
  EXPECT_FALSE(absl::StrContains(capa, "|USER|"));
  EXPECT_TRUE(absl::StartsWith(lines[lines.size() - 2], "-ERR [AUTH]"));
  EXPECT_TRUE(absl::StartsWith(lines.back(), "-ERR [AUTH]"));
}

TEST_F(Pop3SessionTest, StlsThenPlaintextLogin) {
  auth_.set_plaintext_allowed(false);
  conn_.set_tls_available(true);
  auto lines = Run(absl::StrCat("STLS\r\n", kLogin, "STLS\r\n"));
  EXPECT_EQ(lines[1], "+OK Begin TLS negotiation");
  EXPECT_EQ(conn_.tls_starts(), 1);
  EXPECT_TRUE(absl::StartsWith(lines[3], "+OK Logged in"));
  EXPECT_TRUE(absl::StartsWith(lines[4], "-ERR"));  // STLS after login
}

TEST_F(Pop3SessionTest, StlsUnavailable) {
  auto lines = Run("STLS\r\n");
  EXPECT_EQ(lines[1], "-ERR TLS is not available");
  EXPECT_EQ(conn_.tls_starts(), 0);
}

TEST_F(Pop3SessionTest, AuthPlainWithInitialResponse) {
  std::string ir = absl::Base64Escape(std::string("\0alice\0secret", 13));
  auto lines = Run(absl::StrCat("AUTH PLAIN ", ir, "\r\nSTAT\r\n"));
  EXPECT_TRUE(absl::StartsWith(lines[1], "+OK Logged in"));
  EXPECT_EQ(lines[2], "+OK 0 0");
}

TEST_F(Pop3SessionTest, AuthPlainWithContinuation) {
  std::string response = absl::Base64Escape(std::string("\0alice\0secret", 13));
  auto lines = Run(absl::StrCat("AUTH plain\r\n", response, "\r\n"));
  EXPECT_EQ(lines[1], "+ ");
  EXPECT_TRUE(absl::StartsWith(lines[2], "+OK Logged in"));
}

TEST_F(Pop3SessionTest, AuthFailureAndCancel) {
  std::string bad = absl::Base64Escape(std::string("\0alice\0nope", 11));
  auto lines = Run(absl::StrCat("AUTH PLAIN ", bad, "\r\nAUTH PLAIN\r\n*\r\n",
                                "AUTH PLAIN !!!\r\nAUTH KERBEROS_V4\r\n"));
  EXPECT_EQ(lines[1], "-ERR [AUTH] Authentication failed");
  EXPECT_EQ(lines[2], "+ ");
  EXPECT_EQ(lines[3], "-ERR [AUTH] Authentication cancelled");
  EXPECT_EQ(lines[4], "-ERR [AUTH] Invalid base64 data");
  EXPECT_EQ(lines[5], "-ERR Unsupported authentication mechanism");
}

TEST_F(Pop3SessionTest, AuthWithFinalServerMessage) {
  auto lines = Run(absl::StrCat("AUTH X-TWO-STEP\r\n",
                                absl::Base64Escape("alice:secret"), "\r\n",
                                "\r\nSTAT\r\n"));
  EXPECT_EQ(lines[1], "+ " + absl::Base64Escape("who?"));
  EXPECT_EQ(lines[2], "+ " + absl::Base64Escape("ok"));
  EXPECT_TRUE(absl::StartsWith(lines[3], "+OK Logged in"));
  EXPECT_EQ(lines[4], "+OK 0 0");
}

TEST_F(Pop3SessionTest, AuthListsMechanisms) {
  auto lines = Run("AUTH\r\n");
  EXPECT_EQ(lines[1], "+OK");
  EXPECT_EQ(lines[2], "PLAIN");
  EXPECT_EQ(lines[3], "X-TWO-STEP");
  EXPECT_EQ(lines[4], ".");
}

TEST_F(Pop3SessionTest, UnknownAndMisplacedCommands) {
  auto lines = Run(absl::StrCat("STAT\r\nFOO\r\nNOOP\r\nAPOP alice abc\r\n",
                                kLogin, "USER bob\r\nUTF8\r\nFOO\r\nNOOP\r\n"));
  EXPECT_TRUE(absl::StartsWith(lines[1], "-ERR"));
  EXPECT_TRUE(absl::StartsWith(lines[2], "-ERR"));
  EXPECT_TRUE(absl::StartsWith(lines[3], "-ERR"));
  EXPECT_TRUE(absl::StartsWith(lines[4], "-ERR"));
  EXPECT_TRUE(absl::StartsWith(lines[7], "-ERR"));
  EXPECT_TRUE(absl::StartsWith(lines[8], "-ERR"));
  EXPECT_TRUE(absl::StartsWith(lines[9], "-ERR"));
  EXPECT_EQ(lines[10], "+OK");
}

TEST_F(Pop3SessionTest, Utf8Command) {
  auto lines = Run("UTF8\r\n");
  EXPECT_TRUE(absl::StartsWith(lines[1], "+OK"));
}

TEST_F(Pop3SessionTest, LongLineIsRejectedAndSessionContinues) {
  config_.max_line_bytes = 100;
  auto lines = Run(absl::StrCat("USER ", std::string(200, 'x'), "\r\n", kLogin));
  EXPECT_EQ(lines[1], "-ERR Line too long");
  EXPECT_TRUE(absl::StartsWith(lines[3], "+OK Logged in"));
}

TEST_F(Pop3SessionTest, PipelinedCommandsAnswerInOrder) {
  Add("x\r\n");
  auto lines = Run(absl::StrCat(kLogin, "NOOP\r\nSTAT\r\nNOOP\r\nQUIT\r\n"));
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[3], "+OK");
  EXPECT_EQ(lines[4], "+OK 1 3");
  EXPECT_EQ(lines[5], "+OK");
}

}  // namespace
}  // namespace mailroom::pop3
