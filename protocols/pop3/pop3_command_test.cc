#include "protocols/pop3/pop3_command.h"

#include "gtest/gtest.h"

namespace mailroom::pop3 {
namespace {

TEST(Pop3CommandTest, VerbIsUpperCasedAndArgumentsSplit) {
  Command command = ParseCommand("top 1  10");
  EXPECT_EQ(command.verb, "TOP");
  EXPECT_EQ(command.rest, "1  10");
  ASSERT_EQ(command.args.size(), 2u);
  EXPECT_EQ(command.args[0], "1");
  EXPECT_EQ(command.args[1], "10");
}

TEST(Pop3CommandTest, RestKeepsSpacesForPasswords) {
  Command command = ParseCommand("PASS my secret  pass ");
  EXPECT_EQ(command.verb, "PASS");
  EXPECT_EQ(command.rest, "my secret  pass ");
}

TEST(Pop3CommandTest, BareVerb) {
  Command command = ParseCommand("stat");
  EXPECT_EQ(command.verb, "STAT");
  EXPECT_TRUE(command.rest.empty());
  EXPECT_TRUE(command.args.empty());
}

TEST(Pop3CommandTest, Numbers) {
  EXPECT_EQ(ParseNumber("0"), 0u);
  EXPECT_EQ(ParseNumber("42"), 42u);
  EXPECT_EQ(ParseNumber("999999999"), 999999999u);
  EXPECT_FALSE(ParseNumber("1000000000").has_value());
  EXPECT_FALSE(ParseNumber("").has_value());
  EXPECT_FALSE(ParseNumber("-1").has_value());
  EXPECT_FALSE(ParseNumber("1a").has_value());
  EXPECT_FALSE(ParseNumber("+1").has_value());
}

}  // namespace
}  // namespace mailroom::pop3
