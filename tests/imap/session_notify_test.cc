// NOTIFY (RFC 5465) and SETQUOTA in whole sessions against the real store:
// changes made between two commands reach the session as STATUS responses,
// and a queue past its bound ends notifications with NOTIFICATIONOVERFLOW.
#include "tests/imap/session_fixture.h"

namespace mailroom::imap {
namespace {

TEST_F(SessionTest, NotifyStatusForChangesMadeBetweenCommands) {
  conn_.before_read_line = [&](int n) {
    if (n == 2) Append(kMessage, "Drafts");
  };
  auto lines = Run(absl::StrCat(
      kLogin, "a1 NOTIFY SET (personal (MessageNew MessageExpunge))\r\n",
      "a2 NOOP\r\n", "a3 LOGOUT\r\n"));
  const int status = IndexOf(lines, "* STATUS Drafts (MESSAGES 1 UIDNEXT 2 ");
  ASSERT_GE(status, 0);
  EXPECT_LT(status, IndexOf(lines, "a2 OK"));
  EXPECT_EQ(Find(lines, "a1 "), "a1 OK NOTIFY completed");
}

TEST_F(SessionTest, NotifyOverflowActsAsNotifyNone) {
  config_.options["imap.notify_max_pending"] = "2";
  conn_.before_read_line = [&](int n) {
    if (n == 2) {
      for (int i = 0; i < 3; ++i) Append(kMessage, "INBOX");
    }
    if (n == 3) Append(kMessage, "Sent");
  };
  auto lines = Run(absl::StrCat(
      kLogin, "a1 NOTIFY SET (personal (MessageNew MessageExpunge))\r\n",
      "a2 NOOP\r\n", "a3 NOOP\r\n", "a4 LOGOUT\r\n"));
  const int overflow = IndexOf(lines, "* OK [NOTIFICATIONOVERFLOW]");
  ASSERT_GE(overflow, 0);
  EXPECT_LT(overflow, IndexOf(lines, "a2 OK"));
  EXPECT_EQ(Find(lines, "* STATUS"), "");
}

TEST_F(SessionTest, NotifyMessageNewFetchInSelectedMailbox) {
  conn_.before_read_line = [&](int n) {
    if (n == 3) Append(kMessage, "INBOX", store::kFlagged);
  };
  auto lines = Run(absl::StrCat(
      kLogin, "a1 SELECT INBOX\r\n",
      "a2 NOTIFY SET (selected (MessageNew (UID FLAGS ENVELOPE) "
      "MessageExpunge))\r\n",
      "a3 NOOP\r\n", "a4 LOGOUT\r\n"));
  const int exists = IndexOf(lines, "* 1 EXISTS");
  const int fetch = IndexOf(lines, "* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent) ENVELOPE");
  ASSERT_GE(exists, 0);
  ASSERT_GE(fetch, 0);
  EXPECT_LT(exists, fetch);
  EXPECT_LT(fetch, IndexOf(lines, "a3 OK"));
}

TEST_F(SessionTest, SetQuotaNeedsAQuotaAdmin) {
  auto lines = Run("a0 LOGIN alice secret\r\na1 SETQUOTA \"\" (MESSAGE 1)\r\n");
  EXPECT_TRUE(absl::StartsWith(Find(lines, "a1 "), "a1 NO [NOPERM]"));
  auth_->set_quota_admins({"root", "alice"});
  FakeConnection second;
  lines = Run(second, absl::StrCat(kLogin, "a1 SETQUOTA \"\" (MESSAGE 1)\r\n",
                                   "a2 APPEND INBOX {3+}\r\nab\n\r\n",
                                   "a3 APPEND INBOX {3+}\r\nab\n\r\n"));
  EXPECT_EQ(Find(lines, "* QUOTA"), "* QUOTA \"\" (MESSAGE 0 1)");
  EXPECT_TRUE(absl::StartsWith(Find(lines, "a2 "), "a2 OK"));
  EXPECT_TRUE(absl::StartsWith(Find(lines, "a3 "), "a3 NO [OVERQUOTA]"));
}

}  // namespace
}  // namespace mailroom::imap
