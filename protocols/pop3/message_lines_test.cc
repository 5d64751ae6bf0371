#include "protocols/pop3/message_lines.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
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

std::string Escaped(std::string_view raw) {
  return absl::CEscape(absl::string_view(raw.data(), raw.size()));
}

// The line-by-line definition the one-pass writer must equal.
std::string Reference(std::string_view raw, std::optional<uint64_t> body_lines) {
  std::string out;
  bool in_header = true;
  uint64_t lines_left = body_lines.value_or(0);
  size_t pos = 0;
  while (pos < raw.size()) {
    if (!in_header && body_lines.has_value()) {
      if (lines_left == 0) break;
      --lines_left;
    }
    size_t nl = raw.find('\n', pos);
    size_t end = nl == std::string_view::npos ? raw.size() : nl;
    if (end > pos && raw[end - 1] == '\r') --end;
    std::string_view line = raw.substr(pos, end - pos);
    if (!line.empty() && line[0] == '.') out.push_back('.');
    out.append(line);
    out.append("\r\n");
    if (line.empty()) in_header = false;
    pos = nl == std::string_view::npos ? raw.size() : nl + 1;
  }
  return out + ".\r\n";
}

// Feeds `raw` to a writer in chunks cut at `cuts` (ascending offsets).
std::string Chunked(std::string_view raw, const std::vector<size_t>& cuts,
                    std::optional<uint64_t> body_lines = std::nullopt) {
  std::string out;
  auto append = [&out](std::string_view piece) { out.append(piece); };
  MultilineWriter writer(body_lines, append);
  size_t from = 0;
  for (size_t cut : cuts) {
    writer.Write(raw.substr(from, cut - from));
    from = cut;
  }
  writer.Write(raw.substr(from));
  writer.Finish();
  return out;
}

const char* const kAwkward[] = {
    "",
    "A: b\r\n\r\nbody\r\n",
    "A: b\n\nbody\n",
    "A: b\r\n\r\n.\r\n..\r\n.x\r\n",
    "H: 1\r\n\r\nline\r\n.\r\nafter the dot line\r\n",
    "x\r\r\ny\rz\n\r",
    "\r\n.\r\n",
    "..\n.",
    "no line end at all",
    "ends in a bare CR\r",
    "\r",
    "\n",
    "\r\r\r\n\n\r.\r.\n.",
    "A: 1\nB: 2\n\nl1\r\n.l2\nl3\r\nl4",
};

TEST(MultilineWriterTest, EveryTwoCutsGiveTheOnePieceResult) {
  for (std::string_view raw : kAwkward) {
    for (std::optional<uint64_t> lines :
         {std::optional<uint64_t>(), std::optional<uint64_t>(0),
          std::optional<uint64_t>(1), std::optional<uint64_t>(2)}) {
      const std::string want = Reference(raw, lines);
      ASSERT_EQ(Multiline(raw, lines), want) << raw;
      for (size_t a = 0; a <= raw.size(); ++a) {
        for (size_t b = a; b <= raw.size(); ++b) {
          ASSERT_EQ(Chunked(raw, {a, b}, lines), want)
              << "raw=" << Escaped(raw) << " cuts " << a << "," << b;
        }
      }
    }
  }
}

TEST(MultilineWriterTest, ByteAtATime) {
  for (std::string_view raw : kAwkward) {
    std::vector<size_t> cuts;
    for (size_t i = 1; i < raw.size(); ++i) cuts.push_back(i);
    EXPECT_EQ(Chunked(raw, cuts), Reference(raw, std::nullopt))
        << Escaped(raw);
    EXPECT_EQ(WireSize(raw), Unstuff(Reference(raw, std::nullopt)).size())
        << Escaped(raw);
  }
}

TEST(MultilineWriterTest, DotLineSplitAcrossChunks) {
  // ".\r\n" inside the body must not end the response early, wherever the
  // chunks are cut: the dot is doubled.
  std::string raw = "S: x\r\n\r\nbefore\r\n.\r\nafter\r\n";
  size_t dot = raw.find("\r\n.\r\n") + 2;
  for (size_t cut : {dot - 1, dot, dot + 1, dot + 2}) {
    EXPECT_EQ(Chunked(raw, {cut}),
              "S: x\r\n\r\nbefore\r\n..\r\nafter\r\n.\r\n");
  }
}

TEST(MultilineWriterTest, CleanMessageGoesOutAsViewsOfTheInput) {
  std::string raw = "A: b\r\n\r\nline one\r\nline two\r\n";
  std::vector<std::string_view> pieces;
  auto keep = [&pieces](std::string_view piece) { pieces.push_back(piece); };
  MultilineWriter writer(std::nullopt, keep);
  writer.Write(raw);
  ASSERT_EQ(pieces.size(), 1u);
  EXPECT_EQ(pieces[0].data(), raw.data());  // no copy
  EXPECT_EQ(pieces[0].size(), raw.size());
  writer.Finish();
  EXPECT_EQ(pieces.back(), ".\r\n");
}

TEST(MultilineWriterTest, CrAtChunkEndFollowedByContent) {
  // A CR held back at a chunk edge that is not followed by LF is content.
  EXPECT_EQ(Chunked("a\rb\r\n", {2}), "a\rb\r\n.\r\n");
  EXPECT_EQ(Chunked("a\r\rb\n", {2}), "a\r\rb\r\n.\r\n");
  EXPECT_EQ(Chunked("a\r\n", {2}), "a\r\n.\r\n");
}

}  // namespace
}  // namespace mailroom::pop3
