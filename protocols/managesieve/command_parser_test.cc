#include "protocols/managesieve/command_parser.h"

#include <string>

#include "gtest/gtest.h"

namespace mailroom::managesieve {
namespace {

TEST(TrailingLiteralTest, FindsBothForms) {
  EXPECT_EQ(TrailingLiteral("PUTSCRIPT \"a\" {12+}"), 12u);
  EXPECT_EQ(TrailingLiteral("PUTSCRIPT \"a\" {7}"), 7u);
  EXPECT_EQ(TrailingLiteral("{0+}"), 0u);
}

TEST(TrailingLiteralTest, IgnoresLookalikes) {
  EXPECT_FALSE(TrailingLiteral("PUTSCRIPT \"a{5}\"").has_value());
  EXPECT_FALSE(TrailingLiteral("PUTSCRIPT x{5}").has_value());
  EXPECT_FALSE(TrailingLiteral("PUTSCRIPT {}").has_value());
  EXPECT_FALSE(TrailingLiteral("PUTSCRIPT {+}").has_value());
  EXPECT_FALSE(TrailingLiteral("PUTSCRIPT {5++}").has_value());
  EXPECT_FALSE(TrailingLiteral("PUTSCRIPT {99999999999}").has_value());
  EXPECT_FALSE(TrailingLiteral("").has_value());
}

TEST(ParseCommandTest, NameIsCaseInsensitive) {
  absl::StatusOr<Command> command = ParseCommand("listScripts");
  ASSERT_TRUE(command.ok()) << command.status();
  EXPECT_EQ(command->name, "LISTSCRIPTS");
  EXPECT_TRUE(command->args.empty());
}

TEST(ParseCommandTest, QuotedStringsWithEscapes) {
  absl::StatusOr<Command> command =
      ParseCommand(R"(RENAMESCRIPT "a \"b\" c" "d\\e")");
  ASSERT_TRUE(command.ok()) << command.status();
  ASSERT_EQ(command->args.size(), 2u);
  EXPECT_TRUE(command->args[0].is_string());
  EXPECT_EQ(command->args[0].text, "a \"b\" c");
  EXPECT_EQ(command->args[1].text, "d\\e");
}

TEST(ParseCommandTest, LiteralsOfBothForms) {
  const std::string script = "keep;\r\n";
  absl::StatusOr<Command> command =
      ParseCommand("PUTSCRIPT {3+}\r\nfoo {7}\r\n" + script);
  ASSERT_TRUE(command.ok()) << command.status();
  ASSERT_EQ(command->args.size(), 2u);
  EXPECT_EQ(command->args[0].text, "foo");
  EXPECT_EQ(command->args[1].text, script);
  EXPECT_TRUE(command->args[1].is_string());
}

TEST(ParseCommandTest, LiteralMayHoldAnyOctet) {
  std::string body("a\0\"\r\n{1}\\", 9);
  absl::StatusOr<Command> command =
      ParseCommand("CHECKSCRIPT {9+}\r\n" + body);
  ASSERT_TRUE(command.ok()) << command.status();
  EXPECT_EQ(command->args[0].text, body);
}

TEST(ParseCommandTest, Numbers) {
  absl::StatusOr<Command> command = ParseCommand("HAVESPACE \"s\" 4294967295");
  ASSERT_TRUE(command.ok()) << command.status();
  ASSERT_EQ(command->args.size(), 2u);
  EXPECT_EQ(command->args[1].kind, Argument::Kind::kNumber);
  EXPECT_EQ(command->args[1].number, 4294967295u);
  EXPECT_FALSE(ParseCommand("HAVESPACE \"s\" 4294967296").ok());
}

TEST(ParseCommandTest, SyntaxErrors) {
  EXPECT_FALSE(ParseCommand("").ok());
  EXPECT_FALSE(ParseCommand("\"NOOP\"").ok());
  EXPECT_FALSE(ParseCommand("NOOP \"unterminated").ok());
  EXPECT_FALSE(ParseCommand("NOOP  \"two spaces\"").ok());
  EXPECT_FALSE(ParseCommand("NOOP \"x\" ").ok());
  EXPECT_FALSE(ParseCommand("NOOP \"bad \\n escape\"").ok());
  EXPECT_FALSE(ParseCommand("NOOP \"a\"\"b\"").ok());
  EXPECT_FALSE(ParseCommand("PUTSCRIPT \"a\" {10+}\r\nshort").ok());
  EXPECT_FALSE(ParseCommand("PUTSCRIPT \"a\" {2+} x\r\nab").ok());
  EXPECT_FALSE(ParseCommand("NOOP (x)").ok());
}

TEST(ParseCommandTest, QuotedStringLimit) {
  const std::string fits(kMaxQuotedBytes, 'x');
  EXPECT_TRUE(ParseCommand("NOOP \"" + fits + "\"").ok());
  EXPECT_FALSE(ParseCommand("NOOP \"" + fits + "x\"").ok());
}

TEST(ParseSaslResponseTest, StringsAndCancel) {
  absl::StatusOr<std::optional<std::string>> quoted =
      ParseSaslResponse("\"AGFsaWNl\"");
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(**quoted, "AGFsaWNl");
  absl::StatusOr<std::optional<std::string>> literal =
      ParseSaslResponse("{4+}\r\nabcd");
  ASSERT_TRUE(literal.ok());
  EXPECT_EQ(**literal, "abcd");
  absl::StatusOr<std::optional<std::string>> empty = ParseSaslResponse("\"\"");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(**empty, "");
  for (const char* cancel : {"*", "\"*\""}) {
    absl::StatusOr<std::optional<std::string>> parsed =
        ParseSaslResponse(cancel);
    ASSERT_TRUE(parsed.ok());
    EXPECT_FALSE(parsed->has_value());
  }
  EXPECT_FALSE(ParseSaslResponse("abc").ok());
  EXPECT_FALSE(ParseSaslResponse("\"a\" \"b\"").ok());
  EXPECT_FALSE(ParseSaslResponse("").ok());
}

}  // namespace
}  // namespace mailroom::managesieve
