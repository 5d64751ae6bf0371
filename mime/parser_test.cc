#include <string>

#include "gtest/gtest.h"
#include "mime/message.h"
#include "mime/testing/messages.h"
#include "mime/testing/tiling.h"

namespace mailroom::mime {
namespace {

using testing::CheckTiling;
using testing::Crlf;

std::string_view Bytes(std::string_view raw, Span span) {
  return raw.substr(span.offset, span.size);
}

TEST(ParseTest, SinglePartSpansAndEnvelope) {
  std::string raw = Crlf(testing::kSinglePart);
  Message m = Parse(raw);
  EXPECT_EQ(CheckTiling(m), "");
  EXPECT_EQ(m.size, raw.size());
  EXPECT_EQ(Bytes(raw, m.root.body), "Hello Bob\r\nSecond line\r\n");
  EXPECT_TRUE(Bytes(raw, m.root.header).ends_with("<1@example.com>\r\n\r\n"));
  EXPECT_EQ(m.root.type, "text");
  EXPECT_EQ(m.root.subtype, "plain");
  EXPECT_EQ(m.root.body_lines, 2u);
  ASSERT_TRUE(m.root.envelope.has_value());
  EXPECT_EQ(m.root.envelope->subject, "Hello");
  EXPECT_EQ(m.root.envelope->from, "Alice <alice@example.com>");
  EXPECT_EQ(m.root.envelope->message_id, "<1@example.com>");
  EXPECT_FALSE(m.root.envelope->cc.has_value());
}

TEST(ParseTest, MultipartBoundariesOwnTheLineBreakBeforeThem) {
  std::string raw = Crlf(testing::kMixedWithAttachment);
  Message m = Parse(raw);
  EXPECT_EQ(CheckTiling(m), "");
  ASSERT_EQ(m.root.children.size(), 2u);
  const Part& text = m.root.children[0];
  const Part& pdf = m.root.children[1];
  EXPECT_EQ(Bytes(raw, text.header),
            "Content-Type: text/plain; charset=utf-8\r\n\r\n");
  EXPECT_EQ(Bytes(raw, text.body), "Body text");
  EXPECT_EQ(text.body_lines, 1u);
  EXPECT_EQ(Bytes(raw, pdf.body), "SGVsbG8=");
  EXPECT_EQ(pdf.type, "application");
  EXPECT_EQ(pdf.encoding, "base64");
  ASSERT_TRUE(pdf.disposition.has_value());
  EXPECT_EQ(*pdf.disposition, "attachment");
  ASSERT_EQ(pdf.disposition_params.size(), 1u);
  EXPECT_EQ(pdf.disposition_params[0].value, "doc.pdf");
  // The root body keeps preamble and epilogue.
  EXPECT_TRUE(Bytes(raw, m.root.body).starts_with("preamble"));
  EXPECT_TRUE(Bytes(raw, m.root.body).ends_with("epilogue\r\n"));
}

TEST(ParseTest, NestedMultipart) {
  std::string raw = Crlf(testing::kNestedAlternative);
  Message m = Parse(raw);
  EXPECT_EQ(CheckTiling(m), "");
  ASSERT_EQ(m.root.children.size(), 2u);
  const Part& alt = m.root.children[0];
  EXPECT_EQ(alt.subtype, "alternative");
  ASSERT_EQ(alt.children.size(), 2u);
  EXPECT_EQ(Bytes(raw, alt.children[0].body), "plain words");
  EXPECT_EQ(Bytes(raw, alt.children[1].body), "<p>Caf=E9 &amp; more</p>");
  // The inner multipart ends before the CRLF of the outer boundary; its
  // close delimiter is inside it.
  EXPECT_TRUE(Bytes(raw, alt.body).ends_with("--inner--"));
  EXPECT_EQ(Bytes(raw, m.root.children[1].body), "iVBORw0KGgo=");
  EXPECT_EQ(m.root.children[1].content_id, "<img1>");
}

TEST(ParseTest, MessageRfc822HasTheEncapsulatedMessageAsOnlyChild) {
  std::string raw = Crlf(testing::kMessageAttachment);
  Message m = Parse(raw);
  EXPECT_EQ(CheckTiling(m), "");
  ASSERT_EQ(m.root.children.size(), 2u);
  const Part& msg = m.root.children[1];
  ASSERT_TRUE(msg.is_message());
  ASSERT_EQ(msg.children.size(), 1u);
  const Part& inner = msg.children[0];
  EXPECT_EQ(Bytes(raw, inner.body), "Inner body");
  EXPECT_EQ(inner.header.offset, msg.body.offset);
  EXPECT_EQ(msg.body_lines, 5u);
  ASSERT_TRUE(msg.envelope.has_value());
  EXPECT_EQ(msg.envelope->subject, "Inner");
  EXPECT_EQ(msg.envelope->from, "Carol <carol@example.net>");
}

TEST(ParseTest, DigestPartsDefaultToMessageRfc822) {
  std::string raw = Crlf(testing::kDigest);
  Message m = Parse(raw);
  EXPECT_EQ(CheckTiling(m), "");
  ASSERT_EQ(m.root.children.size(), 2u);
  for (const Part& p : m.root.children) {
    EXPECT_EQ(p.type, "message");
    EXPECT_EQ(p.subtype, "rfc822");
    ASSERT_EQ(p.children.size(), 1u);
  }
  EXPECT_EQ(Bytes(raw, m.root.children[0].header), "\r\n");
  EXPECT_EQ(Bytes(raw, m.root.children[1].children[0].body), "2");
  EXPECT_EQ(m.root.children[1].envelope->subject, "two");
}

TEST(ParseTest, MissingFinalBoundaryEndsAtEndOfMessage) {
  std::string raw = Crlf(
      "Content-Type: multipart/mixed; boundary=zz\n\n--zz\n\nfirst\n--zz\n"
      "Content-Type: text/html\n\n<b>last</b>\n");
  Message m = Parse(raw);
  EXPECT_EQ(CheckTiling(m), "");
  ASSERT_EQ(m.root.children.size(), 2u);
  EXPECT_EQ(Bytes(raw, m.root.children[0].body), "first");
  EXPECT_EQ(Bytes(raw, m.root.children[1].body), "<b>last</b>\r\n");
}

TEST(ParseTest, InnerMultipartWithoutCloseEndsAtOuterBoundary) {
  std::string raw = Crlf(
      "Content-Type: multipart/mixed; boundary=o\n\n--o\n"
      "Content-Type: multipart/alternative; boundary=i\n\n--i\n\na\n--i\n\nb\n"
      "--o\n\nc\n--o--\n");
  Message m = Parse(raw);
  EXPECT_EQ(CheckTiling(m), "");
  ASSERT_EQ(m.root.children.size(), 2u);
  ASSERT_EQ(m.root.children[0].children.size(), 2u);
  EXPECT_EQ(Bytes(raw, m.root.children[0].children[1].body), "b");
  EXPECT_EQ(Bytes(raw, m.root.children[1].body), "c");
}

TEST(ParseTest, BoundaryLineMayHaveTrailingWhitespaceButNotText) {
  std::string raw = Crlf(
      "Content-Type: multipart/mixed; boundary=q\n\n--q \t\n\na\n--qx\nb\n"
      "--q--  \n");
  Message m = Parse(raw);
  ASSERT_EQ(m.root.children.size(), 1u);
  EXPECT_EQ(Bytes(raw, m.root.children[0].body), "a\r\n--qx\r\nb");
}

TEST(ParseTest, MultipartWithoutBoundaryShowsBodyAsOnePart) {
  std::string raw = Crlf("Content-Type: multipart/mixed\n\nno parts here\n");
  Message m = Parse(raw);
  EXPECT_EQ(CheckTiling(m), "");
  ASSERT_EQ(m.root.children.size(), 1u);
  EXPECT_EQ(Bytes(raw, m.root.children[0].body), "no parts here\r\n");
  EXPECT_EQ(m.root.children[0].type, "text");
}

TEST(ParseTest, MultipartWithUnusedBoundaryShowsPreamble) {
  std::string raw =
      Crlf("Content-Type: multipart/mixed; boundary=nope\n\njust text\n");
  Message m = Parse(raw);
  EXPECT_EQ(CheckTiling(m), "");
  ASSERT_EQ(m.root.children.size(), 1u);
  EXPECT_EQ(Bytes(raw, m.root.children[0].body), "just text\r\n");
}

TEST(ParseTest, NoHeaders) {
  std::string raw = Crlf("\nbody\n");
  Message m = Parse(raw);
  EXPECT_EQ(CheckTiling(m), "");
  EXPECT_EQ(m.root.header.size, 2u);
  EXPECT_EQ(Bytes(raw, m.root.body), "body\r\n");
  EXPECT_EQ(m.root.type, "text");
}

TEST(ParseTest, NoBlankLineMeansAllHeader) {
  std::string raw = "Subject: only a header";
  Message m = Parse(raw);
  EXPECT_EQ(CheckTiling(m), "");
  EXPECT_EQ(m.root.header.size, raw.size());
  EXPECT_EQ(m.root.body.size, 0u);
  EXPECT_EQ(m.root.envelope->subject, "only a header");
}

TEST(ParseTest, EmptyMessage) {
  Message m = Parse("");
  EXPECT_EQ(CheckTiling(m), "");
  EXPECT_EQ(m.root.header.size, 0u);
  EXPECT_EQ(m.root.body.size, 0u);
}

TEST(ParseTest, BareLineFeeds) {
  std::string raw =
      "Content-Type: multipart/mixed; boundary=lf\n\n--lf\n"
      "Content-Type: text/plain\n\none\ntwo\n--lf--\n";
  Message m = Parse(raw);
  EXPECT_EQ(CheckTiling(m), "");
  ASSERT_EQ(m.root.children.size(), 1u);
  EXPECT_EQ(Bytes(raw, m.root.children[0].body), "one\ntwo");
  EXPECT_EQ(m.root.children[0].body_lines, 2u);
}

TEST(ParseTest, BareCarriageReturnIsNotALineEnd) {
  std::string raw = "Subject: a\rb\r\n\r\nx\ry\r\n";
  Message m = Parse(raw);
  EXPECT_EQ(CheckTiling(m), "");
  EXPECT_EQ(m.root.envelope->subject, "ab");
  EXPECT_EQ(m.root.body_lines, 1u);
}

TEST(ParseTest, NulBytesAndEightBitHeaders) {
  static constexpr char kRaw[] =
      "Subject: \xC3\xA9t\xE9\0x\r\nX: \0\r\n\r\nbo\0dy\r\n";
  std::string raw(kRaw, sizeof(kRaw) - 1);
  Message m = Parse(raw);
  EXPECT_EQ(CheckTiling(m), "");
  EXPECT_EQ(Bytes(raw, m.root.body), std::string_view("bo\0dy\r\n", 7));
  EXPECT_EQ(m.root.envelope->subject->size(), 6u);
}

TEST(ParseTest, FoldedAndObsoleteHeaders) {
  std::string raw = Crlf(
      "Subject : folded\n  over\tlines\nContent-Type: text/plain;\n"
      "\tcharset=\"koi8-r\" (a comment)\nContent-Transfer-Encoding:"
      " Quoted-Printable (why)\n\nx");
  Message m = Parse(raw);
  EXPECT_EQ(m.root.envelope->subject, "folded  over\tlines");
  ASSERT_EQ(m.root.type_params.size(), 1u);
  EXPECT_EQ(m.root.type_params[0].value, "koi8-r");
  EXPECT_EQ(m.root.encoding, "quoted-printable");
}

TEST(ParseTest, Rfc2231ParametersAreJoinedAndDecoded) {
  std::string raw = Crlf(
      "Content-Type: application/octet-stream;\n"
      " name*0*=utf-8''%E2%82%AC;\n name*1=\" rates.txt\"\n"
      "Content-Disposition: attachment; filename*=iso-8859-1'de'%E4rger.txt\n"
      "\nx");
  Message m = Parse(raw);
  ASSERT_EQ(m.root.type_params.size(), 1u);
  EXPECT_EQ(m.root.type_params[0].name, "name");
  EXPECT_EQ(m.root.type_params[0].value, "\xE2\x82\xAC rates.txt");
  ASSERT_EQ(m.root.disposition_params.size(), 1u);
  EXPECT_EQ(m.root.disposition_params[0].value, "\xC3\xA4rger.txt");
}

TEST(ParseTest, EncodedMessageRfc822IsALeaf) {
  std::string raw = Crlf(
      "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"
      "U3ViamVjdDogeA0KDQp5\n");
  Message m = Parse(raw);
  EXPECT_TRUE(m.root.children.empty());
  EXPECT_EQ(CheckTiling(m), "");
}

TEST(ParseTest, HeaderEndingAtBoundaryKeepsTiling) {
  // The CRLF of the part's blank line belongs to the next boundary.
  std::string raw = Crlf(
      "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
      "Content-Type: message/rfc822\n\n--b\nX: y\n--b--\n");
  Message m = Parse(raw);
  EXPECT_EQ(CheckTiling(m), "");
  ASSERT_EQ(m.root.children.size(), 2u);
  EXPECT_EQ(Bytes(raw, m.root.children[0].header),
            "Content-Type: message/rfc822\r\n");
  EXPECT_EQ(m.root.children[0].body.size, 0u);
  EXPECT_EQ(Bytes(raw, m.root.children[1].header), "X: y");
}

TEST(ParseTest, EmptyDigestPartAtOuterBoundary) {
  // A digest part whose (empty) encapsulated message starts on the outer
  // boundary line.
  std::string raw = Crlf(
      "Content-Type: multipart/mixed; boundary=a\n\n--a\n"
      "Content-Type: message/rfc822\n\nContent-Type: multipart/digest; "
      "boundary=b\n\n--b\n\nSubject: x\n\ny\n--b\n--a--\n");
  Message m = Parse(raw);
  EXPECT_EQ(CheckTiling(m), "");
}

TEST(ParseTest, DepthLimitStopsNesting) {
  std::string raw;
  for (int i = 0; i < 100; ++i) {
    raw += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) +
           "\r\n\r\n--b" + std::to_string(i) + "\r\n";
  }
  raw += "\r\nleaf\r\n";
  Limits limits;
  limits.max_depth = 10;
  Message m = Parse(raw, limits);
  EXPECT_EQ(CheckTiling(m), "");
  int depth = 0;
  for (const Part* p = &m.root; !p->children.empty(); p = &p->children[0])
    ++depth;
  EXPECT_EQ(depth, 11);  // ten levels, then the fallback text part
}

TEST(ParseTest, PartLimitStopsSplitting) {
  std::string raw = "Content-Type: multipart/mixed; boundary=p\r\n\r\n";
  for (int i = 0; i < 50; ++i) raw += "--p\r\n\r\npart\r\n";
  raw += "--p--\r\n";
  Limits limits;
  limits.max_parts = 10;
  Message m = Parse(raw, limits);
  EXPECT_EQ(CheckTiling(m), "");
  EXPECT_EQ(m.root.children.size(), 9u);
}

TEST(ParseTest, HeaderLimitsTurnTheRestIntoBody) {
  std::string raw;
  for (int i = 0; i < 20; ++i) raw += "X-" + std::to_string(i) + ": v\r\n";
  raw += "Subject: late\r\n\r\nbody\r\n";
  Limits limits;
  limits.max_header_fields = 5;
  Message m = Parse(raw, limits);
  EXPECT_EQ(CheckTiling(m), "");
  EXPECT_TRUE(Bytes(raw, m.root.body).starts_with("X-5: v\r\n"));
  EXPECT_FALSE(m.root.envelope->subject.has_value());

  limits = Limits();
  limits.max_header_bytes = 30;
  m = Parse(raw, limits);
  EXPECT_EQ(CheckTiling(m), "");
  EXPECT_EQ(Bytes(raw, m.root.header), "X-0: v\r\nX-1: v\r\nX-2: v\r\n");
}

TEST(ParseTest, ManyDashLinesStayLinear) {
  // Lines of dashes are candidate boundaries; parsing must still finish.
  std::string raw = "Content-Type: multipart/mixed; boundary=-\r\n\r\n";
  for (int i = 0; i < 200000; ++i) raw += "---------------\r\n";
  Message m = Parse(raw);
  EXPECT_EQ(CheckTiling(m), "");
}

}  // namespace
}  // namespace mailroom::mime
