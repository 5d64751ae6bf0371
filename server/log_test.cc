#include "server/log.h"

#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace mailroom::server {
namespace {

TEST(EscapeForLogTest, PlainTextUnchanged) {
  EXPECT_EQ(EscapeForLog("LOGIN alice \"x y\""), "LOGIN alice \"x y\"");
  EXPECT_EQ(EscapeForLog(""), "");
}

TEST(EscapeForLogTest, LineBreaksAndControlsEscaped) {
  EXPECT_EQ(EscapeForLog("alice\r\nFAKE LINE"), "alice\\r\\nFAKE LINE");
  EXPECT_EQ(EscapeForLog("a\tb"), "a\\tb");
  EXPECT_EQ(EscapeForLog(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(EscapeForLog("\x1b[31mred"), "\\x1b[31mred");
  EXPECT_EQ(EscapeForLog("del\x7f"), "del\\x7f");
}

TEST(EscapeForLogTest, BackslashDoubled) {
  EXPECT_EQ(EscapeForLog("a\\nb"), "a\\\\nb");
}

TEST(EscapeForLogTest, Utf8KeptInvalidBytesEscaped) {
  EXPECT_EQ(EscapeForLog("J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x93\xa8"),
            "J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x93\xa8");
  EXPECT_EQ(EscapeForLog("a\xff" "b"), "a\\xffb");
  EXPECT_EQ(EscapeForLog("\xc3"), "\\xc3");                // truncated
  EXPECT_EQ(EscapeForLog("\xc0\xaf"), "\\xc0\\xaf");       // overlong '/'
  EXPECT_EQ(EscapeForLog("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
  EXPECT_EQ(EscapeForLog("\xc2\x85"), "\\xc2\\x85");       // C1 NEL
  EXPECT_EQ(EscapeForLog("\xc2\xa0"), "\xc2\xa0");         // NBSP is fine
}

TEST(LoggerTest, OneLinePerMessage) {
  std::ostringstream out;
  Logger logger(&out);
  logger.SessionLog(7, "LOGIN alice\r\nFAKE LINE");
  logger.Log("user\nroot logged in");
  const std::string text = out.str();
  size_t newlines = 0;
  for (char c : text) newlines += c == '\n';
  EXPECT_EQ(newlines, 2u);
  EXPECT_NE(text.find("[session 7] LOGIN alice\\r\\nFAKE LINE\n"),
            std::string::npos);
  EXPECT_EQ(text.find('\r'), std::string::npos);
}

}  // namespace
}  // namespace mailroom::server
