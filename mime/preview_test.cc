#include "mime/preview.h"

#include <string>

#include "gtest/gtest.h"
#include "mime/message.h"

namespace mailroom::mime {
namespace {

// The preview of a whole message, as the IMAP FETCH makes it.
std::string PreviewOf(const std::string& raw, uint64_t limit = 1 << 20) {
  Message m = Parse(raw);
  const Part* part = PreviewPart(m);
  if (part == nullptr) return "";
  const uint64_t n = std::min<uint64_t>(part->body.size, limit);
  return PreviewText(*part, std::string_view(raw).substr(part->body.offset, n),
                     n < part->body.size);
}

TEST(PreviewTest, PlainTextCollapsed) {
  EXPECT_EQ(PreviewOf("Subject: a\r\n\r\n  Hello,\r\n\r\n\tworld!  \r\n"),
            "Hello, world!");
}

TEST(PreviewTest, EmptyBodyAndNoText) {
  EXPECT_EQ(PreviewOf("Subject: a\r\n\r\n"), "");
  EXPECT_EQ(PreviewOf("Content-Type: image/png\r\n\r\nxxxx"), "");
}

TEST(PreviewTest, CutAt256Characters) {
  std::string body;
  for (int i = 0; i < 300; ++i) body += "\xc3\xa9";  // é, two bytes each
  std::string p = PreviewOf("Content-Type: text/plain; charset=utf-8\r\n\r\n" + body);
  EXPECT_EQ(p.size(), 512u);  // 256 characters
}

TEST(PreviewTest, AlternativePrefersPlain) {
  std::string raw =
      "Content-Type: multipart/alternative; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/html\r\n\r\n<p>html version</p>\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nplain version\r\n--b--\r\n";
  EXPECT_EQ(PreviewOf(raw), "plain version");
}

TEST(PreviewTest, HtmlOnlyStripsTags) {
  std::string raw =
      "Content-Type: text/html; charset=iso-8859-1\r\n\r\n"
      "<html><head><style>p {color: red}</style></head>"
      "<body><p>Caf\xe9 &amp; <b>bar</b></p></body></html>";
  EXPECT_EQ(PreviewOf(raw), "Caf\xc3\xa9 & bar");
}

TEST(PreviewTest, QuotedPrintableAndBase64) {
  EXPECT_EQ(PreviewOf("Content-Type: text/plain; charset=utf-8\r\n"
                      "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                      "caf=C3=A9 soft=\r\nbreak\r\n"),
            "caf\xc3\xa9 softbreak");
  EXPECT_EQ(PreviewOf("Content-Transfer-Encoding: base64\r\n\r\n"
                      "aGVsbG8gd29ybGQ=\r\n"),
            "hello world");
}

TEST(PreviewTest, AttachmentSkipped) {
  std::string raw =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment\r\n"
      "\r\nattached\r\n"
      "--b\r\nContent-Type: text/html\r\n\r\n<i>shown</i>\r\n--b--\r\n";
  EXPECT_EQ(PreviewOf(raw), "shown");
}

TEST(PreviewTest, BadCharsetAndMalformedMimeAreBestEffort) {
  EXPECT_EQ(PreviewOf("Content-Type: text/plain; charset=x-no-such\r\n\r\n"
                      "plain ascii\r\n"),
            "plain ascii");
  // An unterminated multipart still yields its text.
  EXPECT_EQ(PreviewOf("Content-Type: multipart/mixed; boundary=zz\r\n\r\n"
                      "--zz\r\n\r\nlost end"),
            "lost end");
}

TEST(PreviewTest, TruncatedPrefixDropsHalfCharacter) {
  // "é" cut after its first byte by the read limit.
  std::string raw = "Content-Type: text/plain; charset=utf-8\r\n\r\nab\xc3\xa9";
  EXPECT_EQ(PreviewOf(raw, 3), "ab");
}

}  // namespace
}  // namespace mailroom::mime
