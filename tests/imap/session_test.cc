// Runs whole IMAP sessions against the real store in a temporary directory,
// through a scripted connection (no daemon, no sockets).
#include "tests/imap/session_fixture.h"

namespace mailroom::imap {
namespace {

TEST_F(SessionTest, GreetingLoginCapabilityLogout) {
  auto lines = Run(absl::StrCat(kLogin, "a1 CAPABILITY\r\na2 LOGOUT\r\n"));
  ASSERT_GE(lines.size(), 5u);
  EXPECT_TRUE(absl::StartsWith(lines[0], "* OK [CAPABILITY IMAP4rev1"));
  EXPECT_TRUE(absl::StrContains(lines[0], "AUTH=PLAIN"));
  EXPECT_TRUE(absl::StartsWith(lines[1], "a0 OK [CAPABILITY "));
  EXPECT_FALSE(absl::StrContains(lines[1], "AUTH=PLAIN"));
  EXPECT_TRUE(absl::StrContains(lines[2], "APPENDLIMIT=10000"));
  EXPECT_EQ(lines[3], "a1 OK CAPABILITY completed");
  EXPECT_EQ(lines[4], "* BYE Logging out");
  EXPECT_EQ(lines[5], "a2 OK LOGOUT completed");
}

TEST_F(SessionTest, WrongPasswordAndStateChecks) {
  auto lines = Run("a1 LOGIN alice wrong\r\na2 SELECT INBOX\r\n");
  EXPECT_EQ(lines[1], "a1 NO [AUTHENTICATIONFAILED] Authentication failed");
  EXPECT_TRUE(absl::StartsWith(lines[2], "a2 BAD"));
}

TEST_F(SessionTest, LoginDisabledWithoutPlaintext) {
  auth_->set_plaintext_allowed(false);
  auto lines = Run(kLogin);
  EXPECT_TRUE(absl::StrContains(lines[0], "LOGINDISABLED"));
  EXPECT_TRUE(absl::StartsWith(lines[1], "a0 NO [PRIVACYREQUIRED]"));
}

TEST_F(SessionTest, AuthenticatePlainWithInitialResponseAndCancel) {
  // "\0alice\0secret" in base64.
  auto lines = Run(
      "a1 AUTHENTICATE PLAIN\r\n*\r\n"
      "a2 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n");
  EXPECT_EQ(lines[1], "+ ");
  EXPECT_EQ(lines[2], "a1 BAD Authentication cancelled");
  EXPECT_TRUE(absl::StartsWith(lines[3], "a2 OK [CAPABILITY"));
}

TEST_F(SessionTest, UnknownCommandLongLineAndPipelining) {
  std::string longline = "a2 NOOP " + std::string(2000, 'x') + "\r\n";
  auto lines = Run(absl::StrCat("a1 FROB\r\n", longline,
                                "a3 NOOP\r\na4 NOOP\r\n"));
  EXPECT_EQ(lines[1], "a1 BAD Unknown command");
  EXPECT_TRUE(absl::StartsWith(lines[2], "* BAD [TOOBIG]"));
  EXPECT_EQ(lines[3], "a3 OK NOOP completed");
  EXPECT_EQ(lines[4], "a4 OK NOOP completed");
}

TEST_F(SessionTest, OversizedLiteralIsRefusedBeforeContinuation) {
  auto lines = Run(absl::StrCat(kLogin, "a1 APPEND INBOX {20000}\r\n",
                                "a2 STATUS INBOX (MESSAGES)\r\n"));
  EXPECT_TRUE(absl::StartsWith(lines[2], "a1 NO [TOOBIG]"));
  EXPECT_EQ(Find(lines, "+ "), "");
  EXPECT_EQ(Find(lines, "* STATUS"), "* STATUS INBOX (MESSAGES 0)");
}

TEST_F(SessionTest, AppendSelectFetchSetsSeen) {
  const std::string msg = kMessage;
  auto lines = Run(absl::StrCat(
      kLogin, "a1 APPEND INBOX (\\Flagged) {", msg.size(), "}\r\n", msg,
      "\r\na2 SELECT INBOX\r\n",
      "a3 FETCH 1 (FLAGS RFC822.SIZE ENVELOPE)\r\n",
      "a4 FETCH 1 BODY[TEXT]\r\n", "a5 FETCH 1 (FLAGS)\r\n"));
  EXPECT_EQ(Find(lines, "+ "), "+ Ready for literal data");
  EXPECT_TRUE(absl::StartsWith(Find(lines, "a1 "), "a1 OK [APPENDUID "));
  EXPECT_EQ(Find(lines, "* 1 EXISTS"), "* 1 EXISTS");
  EXPECT_TRUE(absl::StartsWith(Find(lines, "a2 "), "a2 OK [READ-WRITE]"));
  const std::string fetch = Find(lines, "* 1 FETCH (FLAGS (\\Flagged \\Recent) RFC822");
  EXPECT_TRUE(absl::StrContains(fetch, absl::StrCat("RFC822.SIZE ", msg.size())))
      << fetch;
  EXPECT_TRUE(absl::StrContains(fetch, "\"Hello there\"")) << fetch;
  // The implicit \Seen comes back in the same FETCH, after the literal.
  EXPECT_FALSE(Find(lines, "* 1 FETCH (BODY[TEXT] {").empty());
  // \Recent: the message arrived before this session selected INBOX.
  EXPECT_EQ(Find(lines, " FLAGS (\\Flagged \\Seen \\Recent))"),
            " FLAGS (\\Flagged \\Seen \\Recent))");
  EXPECT_EQ(Find(lines, "* 1 FETCH (FLAGS (\\Flagged \\Seen \\Recent))"),
            "* 1 FETCH (FLAGS (\\Flagged \\Seen \\Recent))");
}

TEST_F(SessionTest, ExamineIsReadOnlyAndPeekKeepsUnseen) {
  Append(kMessage);
  auto lines = Run(absl::StrCat(kLogin, "a1 EXAMINE INBOX\r\n",
                                "a2 FETCH 1 BODY[]\r\na3 STORE 1 +FLAGS (\\Seen)\r\n",
                                "a4 SELECT INBOX\r\na5 FETCH 1 BODY.PEEK[HEADER]\r\n",
                                "a6 FETCH 1 FLAGS\r\n"));
  EXPECT_TRUE(absl::StartsWith(Find(lines, "a1 "), "a1 OK [READ-ONLY]"));
  EXPECT_TRUE(absl::StartsWith(Find(lines, "a3 "), "a3 NO [READ-ONLY]"));
  // EXAMINE left \Recent to the SELECT that followed.
  EXPECT_EQ(Find(lines, "* 1 FETCH (FLAGS"), "* 1 FETCH (FLAGS (\\Recent))");
}

TEST_F(SessionTest, StoreSearchAndExpunge) {
  for (int i = 0; i < 4; ++i) Append(kMessage);
  auto lines = Run(absl::StrCat(
      kLogin, "a1 SELECT INBOX\r\n", "a2 STORE 2:3 +FLAGS (\\Deleted)\r\n",
      "a3 SEARCH DELETED\r\n", "a4 UID SEARCH RETURN (MIN MAX COUNT) UNDELETED\r\n",
      "a5 SEARCH CHARSET KOI8-R ALL\r\n", "a6 SEARCH BODY needle\r\n",
      "a7 EXPUNGE\r\n", "a8 SEARCH ALL\r\n"));
  EXPECT_EQ(Find(lines, "* 2 FETCH"), "* 2 FETCH (FLAGS (\\Deleted \\Recent))");
  EXPECT_EQ(Find(lines, "* SEARCH 2"), "* SEARCH 2 3");
  EXPECT_EQ(Find(lines, "* ESEARCH"),
            "* ESEARCH (TAG \"a4\") UID MIN 1 MAX 4 COUNT 2");
  EXPECT_EQ(Find(lines, "a5 "),
            "a5 NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset");
  EXPECT_EQ(Find(lines, "* SEARCH 1 2 3 4"), "* SEARCH 1 2 3 4");
  const int e1 = IndexOf(lines, "* 3 EXPUNGE");
  const int e2 = IndexOf(lines, "* 2 EXPUNGE");
  EXPECT_GE(e1, 0);
  EXPECT_EQ(e2, e1 + 1);
  EXPECT_EQ(lines[IndexOf(lines, "a8 OK") - 1], "* SEARCH 1 2");
}

TEST_F(SessionTest, OtherSessionsChangesArriveAndExpungeWaitsDuringFetch) {
  Append(kMessage);
  Append(kMessage);
  const store::MailboxId inbox = store_->GetStatus(alice_, "INBOX")->id;
  conn_.before_read_line = [&](int n) {
    if (n == 2) {
      // Before a2: another session flags 1, deletes and expunges 2, appends.
      store::StoreFlagsRequest r;
      r.uids = {1};
      r.flags.system = store::kFlagged;
      ASSERT_TRUE(store_->StoreFlags(alice_, inbox, r).ok());
      r.uids = {2};
      r.flags.system = store::kDeleted;
      ASSERT_TRUE(store_->StoreFlags(alice_, inbox, r).ok());
      store::ExpungeRequest e;
      ASSERT_TRUE(store_->Expunge(alice_, inbox, e).ok());
      Append(kMessage);
    }
  };
  auto lines = Run(absl::StrCat(kLogin, "a1 SELECT INBOX\r\n",
                                "a2 FETCH 1:* UID\r\na3 NOOP\r\n"));
  const int fetch_done = IndexOf(lines, "a2 OK");
  const int expunge = IndexOf(lines, "* 2 EXPUNGE");
  ASSERT_GE(fetch_done, 0);
  EXPECT_GT(expunge, fetch_done);  // not during FETCH
  EXPECT_LT(expunge, IndexOf(lines, "a3 OK"));
  EXPECT_GE(IndexOf(lines, "* 3 EXISTS"), 0);
  EXPECT_GE(IndexOf(lines, "* 1 FETCH (FLAGS (\\Flagged \\Recent))"), 0);
}

TEST_F(SessionTest, IdleIsWokenByAnotherSessionsAppend) {
  ASSERT_TRUE(true);
  conn_.on_idle_wait = [&] {
    Append(kMessage);
    conn_.AddInput("DONE\r\n");
  };
  auto lines = Run(absl::StrCat(kLogin, "a1 SELECT INBOX\r\na2 IDLE\r\n"));
  const int idle = IndexOf(lines, "+ idling");
  const int exists = IndexOf(lines, "* 1 EXISTS");
  ASSERT_GE(idle, 0);
  EXPECT_GT(exists, idle);
  EXPECT_GT(IndexOf(lines, "a2 OK IDLE terminated"), exists);
}

TEST_F(SessionTest, MailboxCommandsAndUtf7Names) {
  auto lines = Run(absl::StrCat(
      kLogin, "a1 CREATE \"Entw&APw-rfe\"\r\n", "a2 CREATE Entw&APw-rfe\r\n",
      "a3 LIST \"\" \"Entw*\"\r\n", "a4 ENABLE UTF8=ACCEPT\r\n",
      "a5 LIST \"\" \"Entw*\"\r\n", "a6 RENAME \"Entw\xc3\xbc" "rfe\" Old\r\n",
      "a7 DELETE Old\r\n", "a8 DELETE Old\r\n", "a9 CREATE Foo (USE (\\Trash))\r\n"));
  EXPECT_TRUE(absl::StartsWith(Find(lines, "a1 "), "a1 OK [MAILBOXID ("));
  EXPECT_TRUE(absl::EndsWith(Find(lines, "a1 "), ")] CREATE completed"));
  EXPECT_TRUE(absl::StartsWith(Find(lines, "a2 "), "a2 NO [ALREADYEXISTS]"));
  EXPECT_EQ(Find(lines, "* LIST (\\HasNoChildren) \"/\" Entw&"),
            "* LIST (\\HasNoChildren) \"/\" Entw&APw-rfe");
  EXPECT_EQ(Find(lines, "* LIST (\\HasNoChildren) \"/\" \"Entw\xc3"),
            "* LIST (\\HasNoChildren) \"/\" \"Entw\xc3\xbcrfe\"");
  EXPECT_EQ(Find(lines, "a6 "), "a6 OK RENAME completed");
  EXPECT_EQ(Find(lines, "a7 "), "a7 OK DELETE completed");
  EXPECT_TRUE(absl::StartsWith(Find(lines, "a8 "), "a8 NO [NONEXISTENT]"));
  EXPECT_FALSE(Find(lines, "a9 ").empty());
}

// RFC 3501 5.1.3: a client's name is taken only in the one form the
// server writes, so a mailbox cannot be reached under a second spelling.
TEST_F(SessionTest, NonCanonicalModifiedUtf7NamesAreRefused) {
  auto lines = Run(absl::StrCat(
      kLogin, "a1 CREATE \"&AOQ-&APY-\"\r\n",  // two runs for one
      "a2 CREATE \"&AGE-\"\r\n",               // an encoded 'a'
      "a3 CREATE \"&AOQA9g-\"\r\n",            // the canonical form
      "a4 SELECT \"&AOQ-&APY-\"\r\n"));
  EXPECT_EQ(Find(lines, "a1 "), "a1 NO [CANNOT] Invalid mailbox name");
  EXPECT_EQ(Find(lines, "a2 "), "a2 NO [CANNOT] Invalid mailbox name");
  EXPECT_TRUE(absl::StartsWith(Find(lines, "a3 "), "a3 OK"));
  EXPECT_EQ(Find(lines, "a4 "), "a4 NO [CANNOT] Invalid mailbox name");
}

TEST_F(SessionTest, CopyMoveWithUidplus) {
  Append(kMessage);
  Append(kMessage);
  auto lines = Run(absl::StrCat(
      kLogin, "a1 SELECT INBOX\r\n", "a2 COPY 1 Archive\r\n",
      "a3 COPY 1 Nowhere\r\n", "a4 UID MOVE 2 Trash\r\n",
      "a5 STATUS Archive (MESSAGES UIDNEXT)\r\n"));
  EXPECT_TRUE(absl::StartsWith(Find(lines, "a2 "), "a2 OK [COPYUID "));
  EXPECT_TRUE(absl::StartsWith(Find(lines, "a3 "), "a3 NO [TRYCREATE]"));
  EXPECT_TRUE(absl::StartsWith(Find(lines, "* OK [COPYUID "), "* OK [COPYUID"));
  EXPECT_GE(IndexOf(lines, "* 2 EXPUNGE"), 0);
  EXPECT_EQ(Find(lines, "* STATUS"), "* STATUS Archive (MESSAGES 1 UIDNEXT 2)");
}

TEST_F(SessionTest, CondstoreAndQresync) {
  Append(kMessage);
  Append(kMessage);
  auto lines = Run(absl::StrCat(
      kLogin, "a1 ENABLE QRESYNC\r\n", "a2 SELECT INBOX\r\n",
      "a3 STORE 1 (UNCHANGEDSINCE 1) +FLAGS (\\Seen)\r\n",
      "a4 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)\r\n",
      "a5 UID STORE 2 +FLAGS (\\Deleted)\r\na6 EXPUNGE\r\n"));
  EXPECT_EQ(Find(lines, "* ENABLED"), "* ENABLED QRESYNC");
  EXPECT_TRUE(absl::StartsWith(Find(lines, "* OK [HIGHESTMODSEQ "),
                               "* OK [HIGHESTMODSEQ"));
  EXPECT_TRUE(absl::StartsWith(Find(lines, "a3 "), "a3 OK [MODIFIED 1]"))
      << Find(lines, "a3 ");
  EXPECT_TRUE(absl::StrContains(Find(lines, "* 2 FETCH (UID 2 FLAGS (\\Deleted \\Recent) MODSEQ"),
                                "MODSEQ"));
  EXPECT_EQ(Find(lines, "* VANISHED"), "* VANISHED 2");
}

TEST_F(SessionTest, NamespaceIdQuotaAcl) {
  auto lines = Run(absl::StrCat(kLogin, "a1 NAMESPACE\r\n",
                                "a2 ID (\"name\" \"test\")\r\n",
                                "a3 GETQUOTAROOT INBOX\r\n", "a4 MYRIGHTS INBOX\r\n",
                                "a5 GETACL INBOX\r\n",
                                "a6 LISTRIGHTS INBOX bob\r\n"));
  EXPECT_EQ(Find(lines, "* NAMESPACE"),
            "* NAMESPACE ((\"\" \"/\")) ((\"Other Users/\" \"/\")) "
            "((\"Shared/\" \"/\"))");
  EXPECT_TRUE(absl::StartsWith(Find(lines, "* ID "), "* ID (\"name\""));
  EXPECT_EQ(Find(lines, "* QUOTAROOT"), "* QUOTAROOT INBOX \"\"");
  EXPECT_TRUE(absl::StartsWith(Find(lines, "* MYRIGHTS INBOX "), "* MYRIGHTS"));
  EXPECT_EQ(Find(lines, "a5 "), "a5 OK GETACL completed");
  EXPECT_EQ(Find(lines, "a6 "), "a6 OK LISTRIGHTS completed");
}

}  // namespace
}  // namespace mailroom::imap
