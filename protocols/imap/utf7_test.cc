#include "protocols/imap/utf7.h"

#include "gtest/gtest.h"

namespace mailroom::imap {
namespace {

TEST(Utf7Test, AsciiPassesThroughAndAmpersandIsEscaped) {
  EXPECT_EQ(EncodeMailboxUtf7("INBOX/Sent"), "INBOX/Sent");
  EXPECT_EQ(EncodeMailboxUtf7("A&B"), "A&-B");
  EXPECT_EQ(*DecodeMailboxUtf7("A&-B"), "A&B");
}

TEST(Utf7Test, Rfc3501Example) {
  // "~peter/mail/台北/日本語" from RFC 3501 section 5.1.3.
  const std::string utf8 = "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/"
                           "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e";
  EXPECT_EQ(EncodeMailboxUtf7(utf8), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  EXPECT_EQ(*DecodeMailboxUtf7("~peter/mail/&U,BTFw-/&ZeVnLIqe-"), utf8);
}

TEST(Utf7Test, NonBmpUsesSurrogatePairs) {
  const std::string emoji = "\xf0\x9f\x98\x80";  // U+1F600
  const std::string encoded = EncodeMailboxUtf7("x" + emoji);
  EXPECT_EQ(encoded, "x&2D3eAA-");
  EXPECT_EQ(*DecodeMailboxUtf7(encoded), "x" + emoji);
}

TEST(Utf7Test, RoundTripsLatinAndCyrillic) {
  for (const std::string s :
       {"Entw\xc3\xbcrfe", "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82",
        "a\xc3\xa9&\xc3\xa9" "b"}) {
    EXPECT_EQ(*DecodeMailboxUtf7(EncodeMailboxUtf7(s)), s) << s;
  }
}

TEST(Utf7Test, RejectsMalformed) {
  EXPECT_FALSE(DecodeMailboxUtf7("&").ok());          // unterminated
  EXPECT_FALSE(DecodeMailboxUtf7("&U,BTFw").ok());    // no '-'
  EXPECT_FALSE(DecodeMailboxUtf7("&AGE-").ok());      // encodes 'a'
  EXPECT_FALSE(DecodeMailboxUtf7("&2D3e-").ok());     // lone high surrogate
  EXPECT_FALSE(DecodeMailboxUtf7("&*-").ok());        // bad base64
  EXPECT_FALSE(DecodeMailboxUtf7("caf\xc3\xa9").ok());  // raw 8-bit
}

}  // namespace
}  // namespace mailroom::imap
