#include "mailio/mutf7.h"

#include "gtest/gtest.h"

namespace mailroom::mailio {
namespace {

TEST(Mutf7, AsciiAndAmpersand) {
  EXPECT_EQ(*EncodeMutf7("Sent Items"), "Sent Items");
  EXPECT_EQ(*EncodeMutf7("R&D"), "R&-D");
  EXPECT_EQ(*DecodeMutf7("R&-D"), "R&D");
}

TEST(Mutf7, Rfc3501Example) {
  // "台北" and "日本語" from RFC 3501 section 5.1.3.
  EXPECT_EQ(*EncodeMutf7("\xe5\x8f\xb0\xe5\x8c\x97"), "&U,BTFw-");
  EXPECT_EQ(*DecodeMutf7("&ZeVnLIqe-"), "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
}

TEST(Mutf7, RoundTrips) {
  for (const std::string s :
       {"Entw\xc3\xbcrfe", "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82",
        "x\xf0\x9f\x98\x80y", "a\xc3\xa9&\xc3\xa9" "b", ""}) {
    absl::StatusOr<std::string> encoded = EncodeMutf7(s);
    ASSERT_TRUE(encoded.ok()) << s;
    EXPECT_EQ(*DecodeMutf7(*encoded), s) << *encoded;
  }
  EXPECT_EQ(*EncodeMutf7("x\xf0\x9f\x98\x80"), "x&2D3eAA-");
}

TEST(Mutf7, EncodedPrintableAsciiIsAccepted) {
  EXPECT_EQ(*DecodeMutf7("a&AC4-b"), "a.b");
}

TEST(Mutf7, MalformedInputFailsClearly) {
  for (const char* bad : {"&", "&U,BTFw", "&U,B*Fw-", "a\x01", "\xc3\xa9",
                          "&2D0-", "&3gA-", "&2D3eAA2D0-", "&AGE"}) {
    absl::StatusOr<std::string> decoded = DecodeMutf7(bad);
    EXPECT_FALSE(decoded.ok()) << bad;
    if (!decoded.ok()) {
      EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_NE(decoded.status().message().find("modified UTF-7"),
                std::string_view::npos);
    }
  }
  EXPECT_FALSE(EncodeMutf7("bad\xff").ok());
  EXPECT_FALSE(EncodeMutf7("\xed\xa0\x80").ok());  // a surrogate
  EXPECT_FALSE(EncodeMutf7("\xc0\xaf").ok());      // overlong
}

TEST(Mutf7, NonZeroPaddingBitsAreRejected) {
  // "&AGF-": 18 bits, the last two of which must be zero.
  EXPECT_FALSE(DecodeMutf7("&AGF-").ok());
}

TEST(Mutf7, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("Entw\xc3\xbcrfe"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
}

}  // namespace
}  // namespace mailroom::mailio
