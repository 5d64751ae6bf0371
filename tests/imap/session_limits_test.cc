// Memory bounds and the login deadline of an IMAP session: small commands
// and literals before login, a command-size cap after it that only APPEND
// may exceed, and a login deadline that busy clients cannot extend.
#include "tests/imap/session_fixture.h"

namespace mailroom::imap {
namespace {

class SessionLimitsTest : public SessionTest {
 protected:
  void SetUp() override {
    SessionTest::SetUp();
    config_.max_preauth_literal_bytes = 100;
    config_.max_preauth_command_bytes = 600;
    config_.max_command_bytes = 2000;
    config_.max_append_bytes = 12000;
  }
};

TEST_F(SessionLimitsTest, SmallLiteralsStillLogIn) {
  auto lines = Run("a0 LOGIN {5}\r\nalice {6}\r\nsecret\r\na1 NOOP\r\n");
  EXPECT_TRUE(absl::StartsWith(Find(lines, "a0 "), "a0 OK"));
  EXPECT_EQ(Find(lines, "a1 "), "a1 OK NOOP completed");
}

TEST_F(SessionLimitsTest, BigSynchronizingLiteralBeforeLoginIsRefused) {
  auto lines = Run("a0 LOGIN {101}\r\na1 NOOP\r\n");
  EXPECT_TRUE(absl::StartsWith(Find(lines, "a0 "), "a0 BAD [TOOBIG]"));
  EXPECT_EQ(Find(lines, "+ "), "");  // no continuation: nothing is read
  EXPECT_EQ(Find(lines, "a1 "), "a1 OK NOOP completed");
}

TEST_F(SessionLimitsTest, BigNonSynchronizingLiteralBeforeLoginCloses) {
  auto lines = Run(absl::StrCat("a0 LOGIN {101+}\r\n", std::string(101, 'x'),
                                " {6}\r\nsecret\r\na1 NOOP\r\n"));
  EXPECT_TRUE(absl::StartsWith(Find(lines, "a0 "), "a0 BAD [TOOBIG]"));
  EXPECT_EQ(Find(lines, "* BYE"), "* BYE Literal too big");
  EXPECT_EQ(Find(lines, "a1 "), "");
}

TEST_F(SessionLimitsTest, ManySmallLiteralsBeforeLoginHitTheCommandCap) {
  std::string command = "a0 ID (";
  for (int i = 0; i < 10; ++i) {
    absl::StrAppend(&command, "{90+}\r\n", std::string(90, 'x'), " ");
  }
  absl::StrAppend(&command, "\"x\")\r\n");
  auto lines = Run(command);
  EXPECT_TRUE(absl::StartsWith(Find(lines, "a0 "), "a0 BAD [TOOBIG]"));
  EXPECT_EQ(Find(lines, "* BYE"), "* BYE Literal too big");
}

TEST_F(SessionLimitsTest, LongLineBeforeLoginIsRefused) {
  // Under max_line_bytes (1000) but over the pre-login command cap.
  auto lines = Run(absl::StrCat("a0 NOOP ", std::string(700, 'x'),
                                "\r\na1 NOOP\r\n"));
  EXPECT_EQ(Find(lines, "* BAD"), "* BAD [TOOBIG] Command too long");
  EXPECT_EQ(Find(lines, "a1 "), "a1 OK NOOP completed");
}

TEST_F(SessionLimitsTest, AfterLoginOnlyAppendCarriesLargeLiterals) {
  const std::string message =
      absl::StrCat("Subject: big\r\n\r\n", std::string(5000, 'x'), "\r\n");
  auto lines = Run(absl::StrCat(
      kLogin, "a1 CREATE {3000}\r\n", "a2 APPEND INBOX {", message.size(),
      "}\r\n", message, "\r\na3 STATUS INBOX (MESSAGES)\r\n"));
  EXPECT_EQ(Find(lines, "a1 "),
            "a1 BAD [TOOBIG] Command exceeds the limit of 2000 bytes");
  EXPECT_TRUE(absl::StartsWith(Find(lines, "a2 "), "a2 OK [APPENDUID "));
  EXPECT_EQ(Find(lines, "* STATUS"), "* STATUS INBOX (MESSAGES 1)");
}

TEST_F(SessionLimitsTest, MultiappendStopsAtTheAppendCap) {
  const std::string message =
      absl::StrCat("Subject: big\r\n\r\n", std::string(7000, 'x'), "\r\n");
  auto lines = Run(absl::StrCat(
      kLogin, "a1 APPEND INBOX {", message.size(), "+}\r\n", message, " {",
      message.size(), "+}\r\n", message, "\r\n"));
  EXPECT_EQ(Find(lines, "a1 "),
            "a1 BAD [TOOBIG] Command exceeds the limit of 12000 bytes");
  EXPECT_EQ(Find(lines, "* BYE"), "* BYE Literal too big");
  EXPECT_EQ(store_->GetStatus(alice_, "INBOX")->messages, 0u);
}

TEST_F(SessionLimitsTest, LoginDeadlineIsNotExtendedByCommands) {
  config_.unauthenticated_timeout = std::chrono::milliseconds(0);
  auto lines = Run("a1 NOOP\r\na2 NOOP\r\n");
  EXPECT_EQ(Find(lines, "* BYE"), "* BYE Autologout; login took too long");
  EXPECT_EQ(Find(lines, "a1 "), "");
}

}  // namespace
}  // namespace mailroom::imap
