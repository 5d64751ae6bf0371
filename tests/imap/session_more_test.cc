// More whole-session tests: literals and limits, MULTIAPPEND, BINARY, LIST
// extensions, SEARCHRES, IMAP4rev2 responses, STARTTLS, and QRESYNC resync.
#include <map>
#include <regex>

#include "tests/imap/session_fixture.h"

namespace mailroom::imap {
namespace {

TEST_F(SessionTest, NonSynchronizingLiteralsAndMultiappend) {
  auto lines = Run(absl::StrCat(kLogin, "a1 APPEND INBOX {3+}\r\nab\n {4+}\r\n",
                                "cd\r\n\r\na2 STATUS INBOX (MESSAGES)\r\n"));
  EXPECT_EQ(Find(lines, "+ "), "");  // LITERAL+ needs no continuation
  EXPECT_TRUE(absl::StartsWith(Find(lines, "a1 "), "a1 OK [APPENDUID "));
  EXPECT_TRUE(absl::StrContains(Find(lines, "a1 "), " 1:2] "));
  EXPECT_EQ(Find(lines, "* STATUS"), "* STATUS INBOX (MESSAGES 2)");
}

TEST_F(SessionTest, OversizedNonSynchronizingLiteralEndsSession) {
  auto lines = Run(absl::StrCat(kLogin, "a1 APPEND INBOX {20000+}\r\n",
                                std::string(100, 'x'), "\r\na2 NOOP\r\n"));
  EXPECT_TRUE(absl::StartsWith(Find(lines, "a1 "), "a1 NO [TOOBIG]"));
  EXPECT_EQ(Find(lines, "* BYE"), "* BYE Literal too big");
  EXPECT_EQ(Find(lines, "a2 "), "");
}

TEST_F(SessionTest, DropMidAppendLeavesNothing) {
  auto lines = Run(absl::StrCat(kLogin, "a1 APPEND INBOX {100}\r\n",
                                std::string(40, 'x')));
  EXPECT_EQ(Find(lines, "a1 "), "");
  EXPECT_EQ(store_->GetStatus(alice_, "INBOX")->messages, 0u);
}

TEST_F(SessionTest, BinaryFetchDecodesTransferEncoding) {
  const std::string msg =
      "Subject: b\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQ=\r\n";
  Append(msg);
  auto lines = Run(absl::StrCat(kLogin, "a1 EXAMINE INBOX\r\n",
                                "a2 FETCH 1 (BINARY.SIZE[1] BINARY.PEEK[1])\r\n",
                                "a3 FETCH 1 BINARY[1]<6.5>\r\n",
                                "a4 FETCH 1 BODY[1]\r\n"));
  EXPECT_EQ(Find(lines, "* 1 FETCH (BINARY.SIZE[1] 11 BINARY[1] {11}"),
            "* 1 FETCH (BINARY.SIZE[1] 11 BINARY[1] {11}");
  EXPECT_GE(IndexOf(lines, "hello world)"), 0);
  EXPECT_EQ(Find(lines, "* 1 FETCH (BINARY[1]<6> {5}"),
            "* 1 FETCH (BINARY[1]<6> {5}");
  EXPECT_GE(IndexOf(lines, "world)"), 0);
  EXPECT_GE(IndexOf(lines, "aGVsbG8gd29ybGQ="), 0);
}

TEST_F(SessionTest, ListExtendedSubscribedStatusSpecialUse) {
  Append(kMessage);
  auto lines = Run(absl::StrCat(
      kLogin, "a1 CREATE Projects/Alpha\r\n", "a2 SUBSCRIBE Projects/Alpha\r\n",
      "a3 LIST \"\" \"\"\r\n",
      "a4 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" %\r\n",
      "a5 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))\r\n",
      "a6 LIST (SPECIAL-USE) \"\" *\r\n", "a7 LSUB \"\" *\r\n",
      "a8 LIST \"\" Projects/%\r\n"));
  EXPECT_EQ(Find(lines, "* LIST (\\Noselect) \"/\" \"\""),
            "* LIST (\\Noselect) \"/\" \"\"");
  bool childinfo = false;
  for (const auto& l : lines) {
    childinfo = childinfo ||
                absl::EndsWith(l, "\"/\" Projects (\"CHILDINFO\" (\"SUBSCRIBED\"))");
  }
  EXPECT_TRUE(childinfo);
  EXPECT_EQ(Find(lines, "* STATUS INBOX"),
            "* STATUS INBOX (MESSAGES 1 UNSEEN 1)");
  EXPECT_EQ(Find(lines, "* LIST (\\HasNoChildren \\Sent)"),
            "* LIST (\\HasNoChildren \\Sent) \"/\" Sent");
  EXPECT_EQ(Find(lines, "* LSUB () \"/\" Projects"),
            "* LSUB () \"/\" Projects/Alpha");
  EXPECT_EQ(Find(lines, "* LIST (\\HasNoChildren) \"/\" Projects/"),
            "* LIST (\\HasNoChildren) \"/\" Projects/Alpha");
}

TEST_F(SessionTest, SearchResSaveAndRev2Esearch) {
  for (int i = 0; i < 3; ++i) Append(kMessage, "INBOX", i == 1 ? uint32_t{store::kSeen} : 0u);
  auto lines = Run(absl::StrCat(
      kLogin, "a1 ENABLE IMAP4rev2\r\n", "a2 SELECT INBOX\r\n",
      "a3 SEARCH RETURN (SAVE) UNSEEN\r\n", "a4 FETCH $ (UID)\r\n",
      "a5 UID SEARCH SEEN\r\n", "a6 SEARCH SUBJECT nothing-like-this\r\n"));
  EXPECT_EQ(Find(lines, "* ENABLED"), "* ENABLED IMAP4rev2");
  EXPECT_EQ(Find(lines, "* 0 RECENT"), "");
  EXPECT_EQ(Find(lines, "* LIST () \"/\" INBOX"), "* LIST () \"/\" INBOX");
  EXPECT_EQ(Find(lines, "* 1 FETCH"), "* 1 FETCH (UID 1)");
  EXPECT_EQ(Find(lines, "* 3 FETCH"), "* 3 FETCH (UID 3)");
  EXPECT_EQ(Find(lines, "* 2 FETCH"), "");
  EXPECT_EQ(Find(lines, "* ESEARCH (TAG \"a5\")"),
            "* ESEARCH (TAG \"a5\") UID ALL 2");
  EXPECT_EQ(Find(lines, "* ESEARCH (TAG \"a6\")"), "* ESEARCH (TAG \"a6\")");
}

TEST_F(SessionTest, StartTlsThenLogin) {
  conn_.set_tls_available(true);
  auto lines = Run(absl::StrCat("a1 STARTTLS\r\na2 CAPABILITY\r\n", kLogin,
                                "a3 STARTTLS\r\n"));
  EXPECT_TRUE(absl::StrContains(lines[0], " STARTTLS"));
  EXPECT_EQ(Find(lines, "a1 "), "a1 OK Begin TLS negotiation now");
  EXPECT_FALSE(absl::StrContains(Find(lines, "* CAPABILITY"), "STARTTLS"));
  EXPECT_TRUE(absl::StartsWith(Find(lines, "a0 "), "a0 OK"));
  EXPECT_TRUE(absl::StartsWith(Find(lines, "a3 "), "a3 BAD"));
}

TEST_F(SessionTest, UidExpungeOnlyGivenUids) {
  for (int i = 0; i < 3; ++i) Append(kMessage, "INBOX", store::kDeleted);
  auto lines = Run(absl::StrCat(kLogin, "a1 SELECT INBOX\r\n",
                                "a2 UID EXPUNGE 2\r\na3 SEARCH ALL\r\n"));
  EXPECT_EQ(Find(lines, "* 2 EXPUNGE"), "* 2 EXPUNGE");
  EXPECT_EQ(Find(lines, "* SEARCH"), "* SEARCH 1 2");
}

// Parses "* n FETCH (UID u FLAGS (...) ...)" lines into uid -> flags,
// without \Recent (the session's, not the message's state a client caches).
std::map<uint32_t, std::string> FlagsByUid(const std::vector<std::string>& lines,
                                           int from, int to) {
  static const std::regex re(R"(^\* \d+ FETCH \(UID (\d+) FLAGS \(([^)]*)\))");
  std::map<uint32_t, std::string> out;
  for (int i = from; i < to; ++i) {
    std::smatch m;
    if (!std::regex_search(lines[i], m, re)) continue;
    std::string flags = m[2];
    for (const std::string recent : {" \\Recent", "\\Recent"}) {
      if (const size_t at = flags.find(recent); at != std::string::npos) {
        flags.erase(at, recent.size());
      }
    }
    out[std::stoul(m[1])] = flags;
  }
  return out;
}

TEST_F(SessionTest, QresyncGivesTheSameStateAsAFullSync) {
  for (int i = 0; i < 4; ++i) Append(kMessage);
  auto status = store_->GetStatus(alice_, "INBOX");
  ASSERT_TRUE(status.ok());
  // The client's cache at this point: UIDs 1-4, no flags.
  std::map<uint32_t, std::string> cache = {{1, ""}, {2, ""}, {3, ""}, {4, ""}};
  // Meanwhile: flags change, two expunges, one arrival.
  store::StoreFlagsRequest r;
  r.uids = {1};
  r.flags.system = store::kSeen;
  ASSERT_TRUE(store_->StoreFlags(alice_, status->id, r).ok());
  r.uids = {2, 3};
  r.flags.system = store::kDeleted;
  ASSERT_TRUE(store_->StoreFlags(alice_, status->id, r).ok());
  ASSERT_TRUE(store_->Expunge(alice_, status->id, {}).ok());
  Append(kMessage, "INBOX", store::kFlagged);

  auto lines = Run(absl::StrCat(
      kLogin, "a1 ENABLE QRESYNC\r\n", "a2 SELECT INBOX (QRESYNC (",
      status->uidvalidity, " ", status->highestmodseq, " 1:4))\r\n",
      "a3 UID FETCH 1:* (FLAGS)\r\n"));
  const int select_done = IndexOf(lines, "a2 OK");
  const int fetch_done = IndexOf(lines, "a3 OK");
  ASSERT_GT(select_done, 0);
  ASSERT_GT(fetch_done, select_done);
  const std::string vanished = Find(lines, "* VANISHED (EARLIER) ");
  EXPECT_EQ(vanished, "* VANISHED (EARLIER) 2:3");
  cache.erase(2);
  cache.erase(3);
  for (const auto& [uid, flags] : FlagsByUid(lines, 0, select_done)) {
    cache[uid] = flags;
  }
  EXPECT_EQ(cache, FlagsByUid(lines, select_done, fetch_done));
  EXPECT_EQ(cache.size(), 3u);
}

TEST_F(SessionTest, WholeMessageItemsAreTheStoredBytes) {
  const std::string msg = "Subject: w\nX: y\r\n\r\n.body\nline\r\n";
  Append(msg);
  FakeConnection conn;
  Run(conn, absl::StrCat(kLogin, "a1 EXAMINE INBOX\r\n",
                         "a2 FETCH 1 (UID BODY.PEEK[] RFC822.SIZE)\r\n",
                         "a3 FETCH 1 BODY.PEEK[]<7.5>\r\n",
                         "a4 FETCH 1 (RFC822 BODYSTRUCTURE)\r\n",
                         "a5 FETCH 1 (BODYSTRUCTURE ENVELOPE)\r\n",
                         "a6 FETCH 1 BODY.PEEK[]<99.5>\r\n"));
  const std::string out = conn.output();
  EXPECT_TRUE(absl::StrContains(
      out, absl::StrCat("* 1 FETCH (UID 1 BODY[] {31}\r\n", msg,
                        " RFC822.SIZE 31)\r\n")))
      << out;
  EXPECT_TRUE(absl::StrContains(out, "* 1 FETCH (BODY[]<7> {5}\r\n: w\nX)\r\n"));
  EXPECT_TRUE(absl::StrContains(out, "* 1 FETCH (BODY[]<99> {0}\r\n)\r\n"));
  const std::string rfc822 = absl::StrCat("* 1 FETCH (RFC822 {31}\r\n", msg,
                                          " BODYSTRUCTURE ");
  size_t at = out.find(rfc822);
  ASSERT_NE(at, std::string::npos) << out;
  at += rfc822.size();
  const std::string first = out.substr(at, out.find(")\r\n", at) - at);
  // The second BODYSTRUCTURE (cached text) is the same as the first.
  EXPECT_TRUE(absl::StrContains(
      out, absl::StrCat("* 1 FETCH (BODYSTRUCTURE ", first, " ENVELOPE (")))
      << first;
  EXPECT_TRUE(absl::StartsWith(first, "(\"text\" \"plain\"")) << first;
}

}  // namespace
}  // namespace mailroom::imap
