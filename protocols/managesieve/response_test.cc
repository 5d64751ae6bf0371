#include "protocols/managesieve/response.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "protocols/managesieve/command_parser.h"

namespace mailroom::managesieve {
namespace {

TEST(EncodeStringTest, QuotesAndEscapes) {
  EXPECT_EQ(EncodeString("plain"), "\"plain\"");
  EXPECT_EQ(EncodeString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(EncodeString(""), "\"\"");
}

TEST(EncodeStringTest, LiteralForLineBreaksAndLongValues) {
  EXPECT_EQ(EncodeString("1:2: bad\r\nmore"), "{14}\r\n1:2: bad\r\nmore");
  const std::string long_value(kMaxQuotedBytes + 1, 'x');
  EXPECT_EQ(EncodeString(long_value).rfind("{1025}\r\n", 0), 0u);
  // Escapes count: 600 quotes need 1200 octets between the quotes.
  const std::string quotes(600, '"');
  EXPECT_EQ(EncodeString(quotes).rfind("{600}\r\n", 0), 0u);
}

TEST(EncodeStringTest, RoundTripsThroughTheParser) {
  const std::vector<std::string> values = {"x", "a\"\\b", "l1\nl2",
                                           std::string(2000, 'y')};
  for (const std::string& value : values) {
    absl::StatusOr<Command> command = ParseCommand("NOOP " + EncodeString(value));
    ASSERT_TRUE(command.ok()) << command.status();
    EXPECT_EQ(command->args[0].text, value);
  }
}

TEST(StatusLineTest, CodesAndText) {
  EXPECT_EQ(StatusLine("OK", "", ""), "OK\r\n");
  EXPECT_EQ(StatusLine("NO", "QUOTA/MAXSIZE", "Script too large"),
            "NO (QUOTA/MAXSIZE) \"Script too large\"\r\n");
  EXPECT_EQ(StatusLine("OK", "TAG \"t1\"", "Done"),
            "OK (TAG \"t1\") \"Done\"\r\n");
  EXPECT_EQ(StatusLine("NO", "", "3:1: error\nline"),
            "NO {15}\r\n3:1: error\nline\r\n");
}

}  // namespace
}  // namespace mailroom::managesieve
