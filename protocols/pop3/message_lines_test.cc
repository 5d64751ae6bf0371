#include "protocols/pop3/message_lines.h"

#include <string>

#include "gtest/gtest.h"

namespace mailroom::pop3 {
namespace {

std::string Multiline(std::string_view raw,
                      std::optional<uint64_t> lines = std::nullopt) {
  std::string out;
  AppendMultiline(raw, lines, &out);
  return out;
}

// Undoes what a client undoes: strips the terminator and the dot-stuffing.
std::string Unstuff(std::string wire) {
  EXPECT_TRUE(wire.size() >= 3 && wire.substr(wire.size() - 3) == ".\r\n");
  wire.resize(wire.size() - 3);
  std::string out;
  size_t pos = 0;
  while (pos < wire.size()) {
    size_t end = wire.find("\r\n", pos);
    std::string line = wire.substr(pos, end - pos);
    if (!line.empty() && line[0] == '.') line.erase(0, 1);
    out += line + "\r\n";
    pos = end + 2;
  }
  return out;
}

TEST(MessageLinesTest, CrlfMessagePassesThrough) {
  EXPECT_EQ(Multiline("A: b\r\n\r\nbody\r\n"), "A: b\r\n\r\nbody\r\n.\r\n");
  EXPECT_EQ(WireSize("A: b\r\n\r\nbody\r\n"), 14u);
}

TEST(MessageLinesTest, BareLfBecomesCrlfAndIsCounted) {
  EXPECT_EQ(Multiline("A: b\n\nbody\n"), "A: b\r\n\r\nbody\r\n.\r\n");
  EXPECT_EQ(WireSize("A: b\n\nbody\n"), 14u);
}

TEST(MessageLinesTest, MissingFinalLineEndIsAddedAndCounted) {
  EXPECT_EQ(Multiline("A: b\r\n\r\nbody"), "A: b\r\n\r\nbody\r\n.\r\n");
  EXPECT_EQ(WireSize("A: b\r\n\r\nbody"), 14u);
  EXPECT_EQ(WireSize("x\r"), 3u);
  EXPECT_EQ(Multiline("x\r"), "x\r\n.\r\n");
}

TEST(MessageLinesTest, LeadingDotsAreStuffedButNotCounted) {
  std::string raw = "S: x\r\n\r\n.\r\n..two\r\n.end";
  EXPECT_EQ(Multiline(raw), "S: x\r\n\r\n..\r\n...two\r\n..end\r\n.\r\n");
  EXPECT_EQ(WireSize(raw), Unstuff(Multiline(raw)).size());
}

TEST(MessageLinesTest, EmptyMessage) {
  EXPECT_EQ(Multiline(""), ".\r\n");
  EXPECT_EQ(WireSize(""), 0u);
}

TEST(MessageLinesTest, SizeAlwaysMatchesUnstuffedOutput) {
  for (std::string raw :
       {"a\nb\r\nc", "\n\n\n", "\r\n.\r\n", ".", "x\r\r\ny\rz\n", "..\n."}) {
    EXPECT_EQ(WireSize(raw), Unstuff(Multiline(raw)).size()) << raw;
  }
}

TEST(MessageLinesTest, TopSendsHeaderBlankLineAndNLines) {
  std::string raw = "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n.l3\r\n";
  EXPECT_EQ(Multiline(raw, 0), "A: 1\r\nB: 2\r\n\r\n.\r\n");
  EXPECT_EQ(Multiline(raw, 2), "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n.\r\n");
  EXPECT_EQ(Multiline(raw, 3), "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n..l3\r\n.\r\n");
  EXPECT_EQ(Multiline(raw, 99), Multiline(raw));
}

TEST(MessageLinesTest, TopOfMessageWithoutBodySendsEverything) {
  EXPECT_EQ(Multiline("A: 1\nB: 2\n", 0), "A: 1\r\nB: 2\r\n.\r\n");
}

}  // namespace
}  // namespace mailroom::pop3
