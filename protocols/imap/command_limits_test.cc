// The per-command bounds of ParseLimits: each is refused while parsing with
// kResourceExhausted and a message naming the limit; at the limit it passes.
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "protocols/imap/command_parser.h"

namespace mailroom::imap {
namespace {

using ::testing::HasSubstr;

std::string Repeat(std::string_view item, size_t n, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out.append(sep);
    out.append(item);
  }
  return out;
}

void ExpectOverLimit(std::string_view command, const ParseLimits& limits,
                     std::string_view what) {
  auto c = ParseCommand(command, limits);
  ASSERT_FALSE(c.ok()) << command.substr(0, 80);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(c.status().message()), HasSubstr(what));
}

TEST(CommandLimitsTest, SearchKeysOfEverySearchingCommand) {
  ParseLimits limits;
  limits.max_search_keys = 10;
  const std::string ten = Repeat("SEEN", 10, " ");
  const std::string eleven = Repeat("SEEN", 11, " ");
  for (const std::string prefix :
       {"a SEARCH ", "a UID SEARCH ", "a SEARCH RETURN (COUNT) ",
        "a SORT (DATE) UTF-8 ", "a UID THREAD REFERENCES UTF-8 "}) {
    EXPECT_TRUE(ParseCommand(prefix + ten, limits).ok()) << prefix;
    ExpectOverLimit(prefix + eleven, limits, "too many search keys (limit 10)");
  }
  // Nested keys count too: OR, NOT and a parenthesised list are keys.
  ExpectOverLimit("a SEARCH OR (SEEN SEEN SEEN) NOT (" +
                      Repeat("SEEN", 6, " ") + ")",
                  limits, "too many search keys");
}

TEST(CommandLimitsTest, DefaultRefusesAHugeSearch) {
  ExpectOverLimit("a SEARCH " + Repeat("ALL", 300000, " "), ParseLimits{},
                  "too many search keys (limit 1000)");
  ExpectOverLimit("a SEARCH " + Repeat("NOT", 100000, " ") + " ALL",
                  ParseLimits{}, "nested too deeply");
  ExpectOverLimit("a SEARCH " + std::string(100000, '(') + "ALL" +
                      std::string(100000, ')'),
                  ParseLimits{}, "nested too deeply");
}

TEST(CommandLimitsTest, SequenceElementsAreSummedOverTheCriteria) {
  ParseLimits limits;
  limits.max_sequence_elements = 6;
  EXPECT_TRUE(ParseCommand("a SEARCH 1,2,3 UID 4,5,6", limits).ok());
  ExpectOverLimit("a SEARCH 1,2,3 UID 4,5,6 7", limits,
                  "too many sequence set elements");
  ExpectOverLimit("a FETCH 1,2,3,4,5,6,7 FLAGS", limits, "sequence set");
}

TEST(CommandLimitsTest, FlagsInStoreAndAppend) {
  ParseLimits limits;
  limits.max_flags = 3;
  EXPECT_TRUE(ParseCommand("a STORE 1 +FLAGS (a b c)", limits).ok());
  ExpectOverLimit("a STORE 1 +FLAGS (a b c d)", limits, "too many flags (limit 3)");
  // Without parentheses the list is bounded the same way.
  ExpectOverLimit("a STORE 1 +FLAGS a b c d", limits, "too many flags");
  ExpectOverLimit("a APPEND INBOX (a b c d) {1+}\r\nx", limits, "too many flags");
}

TEST(CommandLimitsTest, FetchAttributes) {
  ParseLimits limits;
  limits.max_fetch_attributes = 2;
  EXPECT_TRUE(ParseCommand("a FETCH 1 (FLAGS UID)", limits).ok());
  ExpectOverLimit("a FETCH 1 (FLAGS UID RFC822.SIZE)", limits,
                  "too many fetch attributes (limit 2)");
}

TEST(CommandLimitsTest, ListPatternLength) {
  ParseLimits limits;
  limits.max_list_pattern_bytes = 8;
  EXPECT_TRUE(ParseCommand("a LIST \"\" \"12345678\"", limits).ok());
  ExpectOverLimit("a LIST \"\" \"123456789\"", limits, "mailbox pattern too long");
  ExpectOverLimit("a LIST \"\" (x \"*********\")", limits,
                  "mailbox pattern too long");
  ExpectOverLimit("a LSUB \"\" *********", limits, "mailbox pattern too long");
}

}  // namespace
}  // namespace mailroom::imap
