#include "base/utf8.h"

#include <cstdint>
#include <string>

#include "gtest/gtest.h"

namespace mailroom::base {
namespace {

std::string Encode(uint32_t cp) {
  std::string out;
  EXPECT_TRUE(AppendUtf8(cp, &out)) << std::hex << cp;
  return out;
}

// Every boundary of the four lengths, and each side of the surrogates.
TEST(Utf8Test, EncodesBoundaryCodePoints) {
  EXPECT_EQ(Encode(0x0), std::string(1, '\0'));
  EXPECT_EQ(Encode(0x7f), "\x7f");
  EXPECT_EQ(Encode(0x80), "\xc2\x80");
  EXPECT_EQ(Encode(0x7ff), "\xdf\xbf");
  EXPECT_EQ(Encode(0x800), "\xe0\xa0\x80");
  EXPECT_EQ(Encode(0xd7ff), "\xed\x9f\xbf");
  EXPECT_EQ(Encode(0xe000), "\xee\x80\x80");
  EXPECT_EQ(Encode(0xfffd), "\xef\xbf\xbd");
  EXPECT_EQ(Encode(0xffff), "\xef\xbf\xbf");
  EXPECT_EQ(Encode(0x10000), "\xf0\x90\x80\x80");
  EXPECT_EQ(Encode(0x10ffff), "\xf4\x8f\xbf\xbf");
}

TEST(Utf8Test, RefusesSurrogatesAndValuesPastTheLast) {
  for (uint32_t cp : {0xd800u, 0xdbffu, 0xdc00u, 0xdfffu, 0x110000u,
                      0x7fffffffu, 0xffffffffu}) {
    std::string out = "x";
    EXPECT_FALSE(AppendUtf8(cp, &out)) << std::hex << cp;
    EXPECT_EQ(out, "x") << "nothing appended for " << std::hex << cp;
    EXPECT_FALSE(IsUnicodeScalarValue(cp));
  }
}

TEST(Utf8Test, AppendsAfterExistingText) {
  std::string out = "a";
  ASSERT_TRUE(AppendUtf8(0x263a, &out));
  EXPECT_EQ(out, "a\xe2\x98\xba");
}

// The decoder gives back what the encoder wrote, for every scalar value.
TEST(Utf8Test, RoundTripsEveryScalarValue) {
  for (uint32_t cp = 0; cp <= 0x10ffff; ++cp) {
    if (!IsUnicodeScalarValue(cp)) continue;
    std::string bytes;
    ASSERT_TRUE(AppendUtf8(cp, &bytes));
    uint32_t decoded = 0xffffffff;
    ASSERT_EQ(Utf8SequenceLength(bytes, &decoded), bytes.size())
        << std::hex << cp;
    ASSERT_EQ(decoded, cp);
  }
}

TEST(Utf8Test, DecoderRefusesIllFormedSequences) {
  uint32_t cp = 0;
  EXPECT_EQ(Utf8SequenceLength("", &cp), 0u);
  EXPECT_EQ(Utf8SequenceLength("\x80", &cp), 0u);          // lone continuation
  EXPECT_EQ(Utf8SequenceLength("\xc0\x80", &cp), 0u);      // overlong NUL
  EXPECT_EQ(Utf8SequenceLength("\xc1\xbf", &cp), 0u);      // overlong 0x7f
  EXPECT_EQ(Utf8SequenceLength("\xe0\x9f\xbf", &cp), 0u);  // overlong 0x7ff
  EXPECT_EQ(Utf8SequenceLength("\xf0\x8f\xbf\xbf", &cp), 0u);  // overlong
  EXPECT_EQ(Utf8SequenceLength("\xed\xa0\x80", &cp), 0u);  // U+D800
  EXPECT_EQ(Utf8SequenceLength("\xed\xbf\xbf", &cp), 0u);  // U+DFFF
  EXPECT_EQ(Utf8SequenceLength("\xf4\x90\x80\x80", &cp), 0u);  // U+110000
  EXPECT_EQ(Utf8SequenceLength("\xf8\x88\x80\x80\x80", &cp), 0u);
  EXPECT_EQ(Utf8SequenceLength("\xe2\x98", &cp), 0u);      // truncated
  EXPECT_EQ(Utf8SequenceLength("\xe2\x28\xba", &cp), 0u);  // bad continuation
  EXPECT_EQ(Utf8SequenceLength("\xff", &cp), 0u);
}

TEST(Utf8Test, DecoderReadsOnlyTheFirstSequence) {
  uint32_t cp = 0;
  EXPECT_EQ(Utf8SequenceLength("\xc3\xa9tait", &cp), 2u);
  EXPECT_EQ(cp, 0xe9u);
  EXPECT_EQ(Utf8SequenceLength("a\x80", &cp), 1u);
  EXPECT_EQ(cp, static_cast<uint32_t>('a'));
}

}  // namespace
}  // namespace mailroom::base
