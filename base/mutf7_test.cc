#include "base/mutf7.h"

#include "gtest/gtest.h"

namespace mailroom::base {
namespace {

constexpr Mutf7Decoding kStrict = Mutf7Decoding::kStrict;
constexpr Mutf7Decoding kLenient = Mutf7Decoding::kLenient;

TEST(Mutf7, AsciiAndAmpersand) {
  EXPECT_EQ(*EncodeMutf7("INBOX/Sent Items"), "INBOX/Sent Items");
  EXPECT_EQ(*EncodeMutf7("R&D"), "R&-D");
  EXPECT_EQ(*DecodeMutf7("R&-D", kStrict), "R&D");
  EXPECT_EQ(*DecodeMutf7("R&-D", kLenient), "R&D");
}

TEST(Mutf7, Rfc3501Example) {
  // "~peter/mail/台北/日本語" from RFC 3501 section 5.1.3.
  const std::string utf8 = "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/"
                           "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e";
  EXPECT_EQ(*EncodeMutf7(utf8), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  EXPECT_EQ(*DecodeMutf7("~peter/mail/&U,BTFw-/&ZeVnLIqe-", kStrict), utf8);
}

TEST(Mutf7, RoundTripsBothWays) {
  for (const std::string s :
       {"Entw\xc3\xbcrfe", "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82",
        "x\xf0\x9f\x98\x80y", "a\xc3\xa9&\xc3\xa9" "b", "tab\there", ""}) {
    absl::StatusOr<std::string> encoded = EncodeMutf7(s);
    ASSERT_TRUE(encoded.ok()) << s;
    EXPECT_EQ(*DecodeMutf7(*encoded, kStrict), s) << *encoded;
    EXPECT_EQ(*DecodeMutf7(*encoded, kLenient), s) << *encoded;
  }
  EXPECT_EQ(*EncodeMutf7("x\xf0\x9f\x98\x80"), "x&2D3eAA-");  // surrogates
}

TEST(Mutf7, EncoderRefusesInvalidUtf8) {
  EXPECT_FALSE(EncodeMutf7("bad\xff").ok());
  EXPECT_FALSE(EncodeMutf7("\xed\xa0\x80").ok());  // a surrogate
  EXPECT_FALSE(EncodeMutf7("\xc0\xaf").ok());      // overlong
}

// What no decoding can make sense of: refused in both modes, with the
// offending byte named.
TEST(Mutf7, UndecodableInputIsRefusedInBothModes) {
  for (const char* bad : {
           "&",             // no '-'
           "&U,BTFw",       // no '-'
           "&U,B*Fw-",      // bad base64
           "&*-",           // bad base64
           "a\x01",         // control byte
           "caf\xc3\xa9",   // raw 8-bit
           "&2D0-",         // ends inside a character
           "&2D3e-",        // lone high surrogate
           "&3gA-",         // lone low surrogate
           "&2D3eAA2D0-",   // high surrogate, then the run ends
           "&AGF-",         // non-zero padding bits
           "&AOQA-",        // six padding bits: a digit too many
       }) {
    for (Mutf7Decoding decoding : {kStrict, kLenient}) {
      absl::StatusOr<std::string> decoded = DecodeMutf7(bad, decoding);
      ASSERT_FALSE(decoded.ok()) << bad;
      EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(decoded.status().message().rfind("modified UTF-7: ", 0), 0u)
          << decoded.status();
      EXPECT_NE(decoded.status().message().find(" at byte "),
                std::string_view::npos)
          << decoded.status();
    }
  }
}

// RFC 3501 5.1.3: printable ASCII MUST NOT be encoded, and the encoder
// writes one run per stretch of other characters. A client's name in any
// other spelling is refused, so one mailbox has one spelling; names other
// software wrote on disk are read as they are.
TEST(Mutf7, NonCanonicalFormsOnlyInLenientMode) {
  struct Case {
    const char* mutf7;
    const char* utf8;
  };
  for (const Case& c : {
           Case{"&AGE-", "a"},                     // encodes 'a'
           Case{"a&AC4-b", "a.b"},                 // Maildir++'s '.'
           Case{"&ACY-", "&"},                     // '&' other than "&-"
           Case{"&AOQ-&APY-", "\xc3\xa4\xc3\xb6"},  // two runs for "äö"
       }) {
    absl::StatusOr<std::string> strict = DecodeMutf7(c.mutf7, kStrict);
    ASSERT_FALSE(strict.ok()) << c.mutf7;
    EXPECT_EQ(strict.status().code(), absl::StatusCode::kInvalidArgument);
    absl::StatusOr<std::string> lenient = DecodeMutf7(c.mutf7, kLenient);
    ASSERT_TRUE(lenient.ok()) << c.mutf7 << ": " << lenient.status();
    EXPECT_EQ(*lenient, c.utf8);
  }
  // The canonical spelling of the last one.
  EXPECT_EQ(*EncodeMutf7("\xc3\xa4\xc3\xb6"), "&AOQA9g-");
  EXPECT_EQ(*DecodeMutf7("&AOQA9g-", kStrict), "\xc3\xa4\xc3\xb6");
  // A run, then '&' itself, then a run: canonical, not adjacent runs.
  EXPECT_EQ(*EncodeMutf7("\xc3\xa4&\xc3\xb6"), "&AOQ-&-&APY-");
  EXPECT_EQ(*DecodeMutf7("&AOQ-&-&APY-", kStrict), "\xc3\xa4&\xc3\xb6");
}

}  // namespace
}  // namespace mailroom::base
