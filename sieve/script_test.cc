// Lexer, parser and compiler: RFC 5228 §2 and §8 syntax, and compile
// errors with their positions.
#include "sieve/script.h"

#include <string>

#include "gtest/gtest.h"
#include "sieve/lexer.h"

namespace mailroom::sieve {
namespace {

std::vector<Token> Lex(std::string_view src) {
  Lexer lexer(src);
  std::vector<Token> out;
  for (;;) {
    Token t = lexer.Next();
    out.push_back(t);
    if (t.kind == Token::Kind::kEnd || t.kind == Token::Kind::kError) return out;
  }
}

// "line:column: message" of compiling `src`, or "ok".
std::string Error(std::string_view src, const Limits& limits = Limits()) {
  auto script = Compile(src, limits);
  return script.ok() ? "ok" : std::string(script.status().message());
}

TEST(LexerTest, NumbersWithQuantifiers) {
  auto t = Lex("1 100K 2m 3G");
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[0].number, 1u);
  EXPECT_EQ(t[1].number, 100u * 1024);
  EXPECT_EQ(t[2].number, 2u * 1024 * 1024);
  EXPECT_EQ(t[3].number, 3ull * 1024 * 1024 * 1024);
  EXPECT_EQ(Lex("99999999999999999999")[0].kind, Token::Kind::kError);
  EXPECT_EQ(Lex("17G")[0].number, 17ull << 30);
  EXPECT_EQ(Lex("18446744073709551615G")[0].text, "number too large");
}

TEST(LexerTest, QuotedStringEscapes) {
  // RFC 5228 §2.4.2: \" and \\ are escapes; any other "\x" means "x".
  auto t = Lex(R"("a\"b\\c\d")");
  EXPECT_EQ(t[0].kind, Token::Kind::kString);
  EXPECT_EQ(t[0].text, "a\"b\\cd");
  EXPECT_EQ(Lex("\"line1\r\nline2\"")[0].text, "line1\r\nline2");
  EXPECT_EQ(Lex("\"open")[0].kind, Token::Kind::kError);
}

TEST(LexerTest, MultiLineDotStuffing) {
  auto t = Lex("text: # comment\r\nfirst\r\n..dot\r\n.\r\n;");
  ASSERT_EQ(t[0].kind, Token::Kind::kString);
  EXPECT_EQ(t[0].text, "first\r\n.dot\r\n");
  EXPECT_EQ(t[1].kind, Token::Kind::kSemicolon);
  EXPECT_EQ(Lex("text:\nno end\n")[0].kind, Token::Kind::kError);
  EXPECT_EQ(Lex("text: x\n.\n")[0].kind, Token::Kind::kError);
}

TEST(LexerTest, CommentsAndPositions) {
  auto t = Lex("# hash\n/* bracket\n ** comment */ keep;");
  EXPECT_EQ(t[0].kind, Token::Kind::kIdentifier);
  EXPECT_EQ(t[0].pos.line, 3);
  EXPECT_EQ(t[0].pos.column, 16);
  EXPECT_EQ(Lex("/* never closed")[0].kind, Token::Kind::kError);
  EXPECT_EQ(Lex(":Tag")[0].text, "tag");
}

TEST(CompileTest, Rfc5228Section9Example) {
  const char* script = R"(# Example Sieve Filter
require ["fileinto"];
if header :is "Sender" "owner-ietf-mta-filters@imc.org"
        {
        fileinto "filter";  # move to "filter" mailbox
        }
elsif address :DOMAIN :is ["From", "To"] "example.com"
        {
        keep;
        }
elsif anyof (NOT address :all :contains
               ["To", "Cc", "Bcc"] "me@example.com",
             header :matches "subject"
               ["*make*money*fast*", "*university*dipl*mas*"])
        {
        fileinto "spam";
        }
else
        {
        fileinto "personal";
        }
)";
  auto compiled = Compile(script, Limits());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  EXPECT_EQ((*compiled)->commands.size(), 5u);
  EXPECT_TRUE((*compiled)->Requires("fileinto"));
}

TEST(CompileTest, ErrorsCarryLineAndColumn) {
  EXPECT_EQ(Error("keep;\nfrobnicate;"), "2:1: unknown command 'frobnicate'");
  EXPECT_EQ(Error("if frob { keep; }"), "1:4: unknown test 'frob'");
  EXPECT_EQ(Error("header \"a\" \"b\";"), "1:1: 'header' is a test, not a command");
  EXPECT_EQ(Error("if keep { stop; }"), "1:4: 'keep' is a command, not a test");
  EXPECT_EQ(Error("fileinto \"x\";"), "1:1: 'fileinto' requires \"fileinto\" in require");
  EXPECT_EQ(Error("require \"frob\";"), "1:9: unsupported extension \"frob\"");
  EXPECT_EQ(Error("keep;\nrequire \"fileinto\";"),
            "2:1: require must come before any other command");
  EXPECT_EQ(Error("if true { require \"fileinto\"; }"),
            "1:11: require must come before any other command");
  EXPECT_EQ(Error("keep;\nelsif true { stop; }"), "2:1: elsif must follow if or elsif");
  EXPECT_EQ(Error("else { stop; }"), "1:1: else must follow if or elsif");
  EXPECT_EQ(Error("if true { stop; }\nkeep;\nelse { stop; }"), "3:1: else must follow if or elsif");
  EXPECT_EQ(Error("redirect;"), "1:1: 'redirect' takes 1 positional argument, got 0");
  EXPECT_EQ(Error("redirect 5;"), "1:10: argument 1 of 'redirect' must be a string");
  EXPECT_EQ(Error("redirect [\"a@b\", \"c@d\"];"), "1:10: argument 1 of 'redirect' must be a string");
  EXPECT_EQ(Error("if header :is \"a\" { stop; }"), "1:4: 'header' takes 2 positional arguments, got 1");
  EXPECT_EQ(Error("if header :frob \"a\" \"b\" { stop; }"), "1:11: 'header' has no tag :frob");
  EXPECT_EQ(Error("if header :is :contains \"a\" \"b\" {}"),
            "1:15: :contains cannot be combined with :is");
  EXPECT_EQ(Error("if header :comparator \"i;frob\" \"a\" \"b\" {}"),
            "1:23: unknown comparator \"i;frob\"");
  EXPECT_EQ(Error("if header :comparator \"i;ascii-numeric\" \"a\" \"b\" {}"),
            "1:23: comparator i;ascii-numeric requires \"comparator-i;ascii-numeric\" in require");
  EXPECT_EQ(Error("require \"comparator-i;ascii-numeric\";\n"
                  "if header :contains :comparator \"i;ascii-numeric\" \"a\" \"1\" {}"),
            "2:11: comparator i;ascii-numeric cannot be used with :contains");
  EXPECT_EQ(Error("if header :comparator 5 \"a\" \"b\" {}"),
            "1:11: :comparator must be followed by a string");
  EXPECT_EQ(Error("if header :regex \"a\" \"b\" {}"), "1:11: match type :regex is not supported");
  EXPECT_EQ(Error("if header :matches \"s\" \"abc\\\\\" {}"),
            "1:24: :matches pattern \"abc\\\" ends with a lone '\\'");
  EXPECT_EQ(Error("if header :count \"gt\" \"a\" \"1\" {}"),
            "1:11: :count requires \"relational\" in require");
  EXPECT_EQ(Error("require \"relational\";\nif header :value \"greater\" \"a\" \"1\" {}"),
            "2:18: unknown relational operator \"greater\" (gt, ge, lt, le, eq or ne)");
  EXPECT_EQ(Error("if size 100 {}"), "1:4: 'size' takes 0 positional arguments, got 1");
  EXPECT_EQ(Error("if header \"a\" :is \"b\" {}"),
            "1:15: tag :is must come before the positional arguments");
  EXPECT_EQ(Error("if size { stop; }"), "1:4: size needs :over or :under");
  EXPECT_EQ(Error("if true;"), "1:1: 'if' needs a block");
  EXPECT_EQ(Error("keep { stop; }"), "1:1: 'keep' takes no block");
  EXPECT_EQ(Error("if (true, false) {}"), "1:1: 'if' needs exactly one test");
  EXPECT_EQ(Error("if anyof true {}"), "1:4: 'anyof' needs a test list \"( ... )\"");
  EXPECT_EQ(Error("if not (true) {}"), "1:4: 'not' needs exactly one test");
  EXPECT_EQ(Error("keep true;"), "1:6: 'keep' takes no test");
  EXPECT_EQ(Error("keep"), "1:5: expected ';' or '{', found end of script");
  EXPECT_EQ(Error("if true { keep; "), "1:17: expected '}' or a command, found end of script");
  EXPECT_EQ(Error("keep; }"), "1:7: expected a command, found '}'");
  EXPECT_EQ(Error("redirect [\"a\" \"b\"];"), "1:15: expected ',' or ']', found a string");
  EXPECT_EQ(Error("require \"date\";\nif date \"date\" \"fortnight\" \"1\" {}"),
            "2:16: unknown date part \"fortnight\"");
  EXPECT_EQ(Error("require \"date\";\nif date :zone \"CET\" \"date\" \"year\" \"1\" {}"),
            "2:15: invalid zone \"CET\" (+hhmm or -hhmm)");
  EXPECT_EQ(Error("require \"variables\";\nset \"1\" \"x\";"), "2:5: invalid variable name \"1\"");
  EXPECT_EQ(Error("require \"variables\";\nset :lower :upper \"a\" \"x\";"),
            "2:12: :upper cannot be combined with :lower");
  EXPECT_EQ(Error("require \"vacation\";\nvacation :seconds 5 \"x\";"),
            "2:10: :seconds requires \"vacation-seconds\" in require");
  EXPECT_EQ(Error("require \"vacation-seconds\";\nvacation :days 1 :seconds 5 \"x\";"),
            "2:18: :seconds cannot be combined with :days");
  EXPECT_EQ(Error("require \"envelope\";\nif envelope \"frm\" \"x\" {}"),
            "2:13: unknown envelope part \"frm\"");
  EXPECT_EQ(Error("require \"fileinto\";\nfileinto :copy \"x\";"),
            "2:10: :copy requires \"copy\" in require");
  EXPECT_EQ(Error("require \"include\";\ninclude \"../etc\";"),
            "2:9: an included script name cannot contain '/'");
  EXPECT_EQ(Error("require \"encoded-character\";\nkeep;\nredirect \"${unicode:D800}@x\";"),
            "3:10: invalid Unicode character in \"${unicode:D800}\"");
}

TEST(CompileTest, Limits) {
  Limits limits;
  limits.max_script_bytes = 10;
  EXPECT_EQ(Error("keep; keep; keep;", limits), "1:1: script is 17 bytes; the limit is 10");
  limits = Limits();
  limits.max_nesting_depth = 3;
  EXPECT_EQ(Error("if true { if true { if true { stop; } } }", limits), "ok");
  EXPECT_EQ(Error("if true { if true { if true { if true { stop; } } } }", limits),
            "1:34: tests nested too deeply");
  EXPECT_EQ(Error("if not not not not true {}", limits), "1:16: tests nested too deeply");
  EXPECT_EQ(Error("if true {} else { if true {} else { if true {} else { else {} } } }", limits),
            "1:60: blocks nested too deeply");
  // Deep nesting is refused, not a stack overflow.
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "if true {";
  EXPECT_NE(Error(deep), "ok");
  std::string deep_tests = "if ";
  for (int i = 0; i < 100000; ++i) deep_tests += "not ";
  EXPECT_NE(Error(deep_tests + "true {}"), "ok");
}

TEST(CompileTest, EncodedCharacter) {
  auto compiled = Compile(
      "require [\"encoded-character\", \"fileinto\"];\n"
      "fileinto \"${hex: 4d 61}il${unicode:20 263A}${hex:zz}\";",
      Limits());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  EXPECT_EQ((*compiled)->commands[1].positional[0].strings[0], "Mail \xE2\x98\xBA${hex:zz}");
  // Without the require, the text stays as written.
  compiled = Compile("require \"fileinto\"; fileinto \"${hex:41}\";", Limits());
  ASSERT_TRUE(compiled.ok());
  EXPECT_EQ((*compiled)->commands[1].positional[0].strings[0], "${hex:41}");
}

TEST(CompileTest, SupportedExtensionsAllCompile) {
  for (const std::string& ext : SupportedExtensions()) {
    EXPECT_EQ(Error("require \"" + ext + "\";"), "ok") << ext;
  }
}

}  // namespace
}  // namespace mailroom::sieve
