#include "mime/text.h"

#include <string>

#include "gtest/gtest.h"
#include "mime/charset.h"
#include "mime/message.h"
#include "mime/testing/messages.h"

namespace mailroom::mime {
namespace {

using testing::Crlf;

TEST(DecodeHeaderValueTest, EncodedWords) {
  EXPECT_EQ(DecodeHeaderValue("=?ISO-8859-1?Q?Caf=E9?= =?UTF-8?B?4pyT?="),
            "Caf\xC3\xA9\xE2\x9C\x93");
  EXPECT_EQ(DecodeHeaderValue("=?utf-8?q?a_b?= c =?utf-8?q?d?="), "a b c d");
  // A character split across two words of the same charset.
  EXPECT_EQ(DecodeHeaderValue("=?UTF-8?B?4pw=?=\r\n =?UTF-8?B?kw==?="),
            "\xE2\x9C\x93");
  EXPECT_EQ(DecodeHeaderValue("=?x-unknown?Q?plain?="), "plain");
  EXPECT_EQ(DecodeHeaderValue("=?utf-8*en?Q?lang?="), "lang");
  EXPECT_EQ(DecodeHeaderValue("=?koi8-r?B?8NLJ18XU?="),
            "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
  EXPECT_EQ(DecodeHeaderValue("not =?encoded"), "not =?encoded");
  EXPECT_EQ(DecodeHeaderValue("  folded\r\n value "), "folded value");
  // Raw 8-bit: UTF-8 kept, anything else read as Windows-1252.
  EXPECT_EQ(DecodeHeaderValue("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(DecodeHeaderValue("caf\xE9"), "caf\xC3\xA9");
}

TEST(CharsetTest, Conversions) {
  EXPECT_EQ(ToUtf8("\xE4", "ISO-8859-1"), "\xC3\xA4");
  EXPECT_EQ(ToUtf8("\x80", "windows-1252"), "\xE2\x82\xAC");
  EXPECT_EQ(ToUtf8("a\xFF" "b", "utf-8"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(ToUtf8("\xE4", "no-such-charset"), "\xC3\xA4");
  EXPECT_EQ(ToUtf8("\xC3\xA4", "us-ascii"), "\xC3\xA4");
  EXPECT_EQ(ToUtf8("+AOQ-", "utf-7"), "\xC3\xA4");
  EXPECT_EQ(ToUtf8("\x82\xA0", "shift_jis"), "\xE3\x81\x82");
  // iconv options never reach iconv: the name becomes an unknown charset.
  EXPECT_EQ(ToUtf8("\xE4", "utf-8//TRANSLIT"), "\xC3\xA4");
  EXPECT_TRUE(IsValidUtf8("plain \xC3\xA4"));
  EXPECT_FALSE(IsValidUtf8("\xC0\x80"));
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));
}

TEST(TransferEncodingTest, Base64ToleratesGarbage) {
  EXPECT_EQ(*DecodeTransferEncoding("SGVs\r\nbG8=\r\n", "base64"), "Hello");
  EXPECT_EQ(*DecodeTransferEncoding("SG!!Vs bG8", "base64"), "Hello");
  EXPECT_EQ(*DecodeTransferEncoding("SGk=SGk=", "BASE64"), "HiHi");
  EXPECT_EQ(*DecodeTransferEncoding("SGVsbA", "base64"), "Hell");
  EXPECT_EQ(*DecodeTransferEncoding("S", "base64"), "");
  // Text after the padded end is a footer, not data.
  EXPECT_EQ(*DecodeTransferEncoding("SGk=\r\n\r\n--list footer--\r\nSGk=",
                                    "base64"),
            "Hi");
}

TEST(TransferEncodingTest, QuotedPrintable) {
  EXPECT_EQ(*DecodeTransferEncoding("a=3Db=\r\nc  \r\nd=e9\r\n=XY", "quoted-printable"),
            "a=bc\r\nd\xE9\r\n=XY");
  EXPECT_EQ(*DecodeTransferEncoding("soft=\nbreak\n", "quoted-printable"),
            "softbreak\n");
  EXPECT_EQ(*DecodeTransferEncoding("end=", "quoted-printable"), "end");
}

TEST(TransferEncodingTest, IdentityAndUnknown) {
  EXPECT_EQ(*DecodeTransferEncoding("x=41", "8bit"), "x=41");
  EXPECT_EQ(*DecodeTransferEncoding("x", ""), "x");
  EXPECT_FALSE(DecodeTransferEncoding("x", "x-uuencode").has_value());
}

TEST(HtmlToTextTest, TagsScriptsEntities) {
  EXPECT_EQ(HtmlToText("<html><head><style>p{color:red}</style>"
                       "<script>alert('<b>')</script></head><body>"
                       "<p>Hello&nbsp;&amp; <b>wor</b>ld</p><p>&#x263A; &#233;"
                       "&unknown; 1 &lt; 2</p><!-- hidden --></body></html>"),
            "Hello & world\n\xE2\x98\xBA \xC3\xA9&unknown; 1 < 2");
  EXPECT_EQ(HtmlToText("a<br>b<a href=\"x>y\">c</a><td>d"), "a\nbc d");
  EXPECT_EQ(HtmlToText("1 < 2 and <3"), "1 < 2 and <3");
}

TEST(ExtractTextTest, DecodesEveryTextPart) {
  std::string raw = Crlf(testing::kNestedAlternative);
  ExtractedText t = ExtractText(Parse(raw), raw);
  // Both alternatives, the HTML one as text.
  EXPECT_EQ(t.body, "plain words\nCaf\xC3\xA9 & more");
  ASSERT_EQ(t.headers.size(), 1u);
  EXPECT_EQ(t.headers[0].first, "content-type");

  std::string html = Crlf(
      "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\nContent-Type: multipart/mixed; "
      "boundary=b\n\n--b\nContent-Type: text/html; charset=iso-8859-1\n"
      "Content-Transfer-Encoding: quoted-printable\n\n<p>Caf=E9</p>\n--b\n"
      "Content-Type: application/octet-stream\nContent-Disposition: "
      "attachment; filename=\"=?utf-8?q?r=C3=A9sum=C3=A9.pdf?=\"\n\nxx\n"
      "--b\nContent-Type: message/rfc822\n\nSubject: inner subject\n\n"
      "inner text\n--b--\n");
  ExtractedText u = ExtractText(Parse(html), html);
  EXPECT_EQ(u.headers[0].second, "Gr\xC3\xBC\xC3\x9F" "e");
  EXPECT_EQ(u.body, "Caf\xC3\xA9\ninner subject\ninner text");
  ASSERT_EQ(u.attachment_names.size(), 1u);
  EXPECT_EQ(u.attachment_names[0], "r\xC3\xA9sum\xC3\xA9.pdf");
}

TEST(AddressTest, ParsesListsGroupsAndObsoleteForms) {
  auto a = ParseAddressList(
      "\"Doe, John\" <john@example.com>, =?utf-8?q?J=C3=B6rg?= <j@x.de>, "
      "bare@example.org (Comment Name), Friends: a@b.c, <@r1,@r2:d@e.f>;, "
      "John Q. Public <jqp@example.com>, broken <no-close@x.y");
  ASSERT_EQ(a.size(), 7u);
  EXPECT_EQ(a[0].display_name, "Doe, John");
  EXPECT_EQ(a[0].mailbox, "john");
  EXPECT_EQ(a[0].domain, "example.com");
  EXPECT_EQ(a[1].display_name, "J\xC3\xB6rg");
  EXPECT_EQ(a[2].display_name, "Comment Name");
  EXPECT_EQ(a[2].mailbox, "bare");
  EXPECT_EQ(a[3].group, "Friends");
  EXPECT_EQ(a[3].mailbox, "a");
  EXPECT_EQ(a[4].group, "Friends");
  EXPECT_EQ(a[4].mailbox, "d");
  EXPECT_EQ(a[4].domain, "e.f");
  EXPECT_EQ(a[5].group, "");
  EXPECT_EQ(a[5].display_name, "John Q. Public");
  EXPECT_EQ(a[6].mailbox, "no-close");
  EXPECT_EQ(a[6].domain, "x.y");
  // "broken" followed by an unclosed '<': the name survives.
  EXPECT_EQ(a[6].display_name, "broken");
}

TEST(AddressTest, EdgeCases) {
  EXPECT_TRUE(ParseAddressList("").empty());
  EXPECT_TRUE(ParseAddressList(" , ;, ").empty());
  EXPECT_TRUE(ParseAddressList("undisclosed-recipients:;").empty());
  auto q = ParseAddressList("\"quoted local\"@example.com");
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].mailbox, "quoted local");
  auto l = ParseAddressList("user@[192.0.2.1]");
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].domain, "[192.0.2.1]");
}

TEST(DateTest, Rfc5322AndObsoleteForms) {
  auto d = ParseDate("Mon, 7 Feb 1994 21:52:25 -0800");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->unix_seconds, 760686745);
  EXPECT_EQ(d->tz_minutes, -480);
  // Two-digit year, obsolete zone, comment.
  auto e = ParseDate("7 Feb 94 21:52:25 PST (Pacific)");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->unix_seconds, 760686745);
  auto f = ParseDate("1 Jan 49 00:00 GMT");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->unix_seconds, 2493072000);  // 2049-01-01
  auto g = ParseDate("Thu, 01 Jan 1970 00:00:00 Z");
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->unix_seconds, 0);
  auto h = ParseDate("Sat Jan  3 01:02:03 2004");  // asctime
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->unix_seconds, 1073091723);
  auto i = ParseDate("1 Jan 100 00:00:00 +0000");  // three-digit year
  ASSERT_TRUE(i.has_value());
  EXPECT_EQ(i->unix_seconds, 946684800);
  auto j = ParseDate("2 Mar 2020 10:00:00 +0530");
  ASSERT_TRUE(j.has_value());
  EXPECT_EQ(j->unix_seconds, 1583143200 - 19800);
  EXPECT_EQ(j->tz_minutes, 330);
  EXPECT_FALSE(ParseDate("").has_value());
  EXPECT_FALSE(ParseDate("yesterday").has_value());
  EXPECT_FALSE(ParseDate("31 Feb 2020 10:00:00 +0000").has_value());
  EXPECT_FALSE(ParseDate("1 Jan 2020 25:00:00 +0000").has_value());
}

TEST(BaseSubjectTest, Rfc5256) {
  EXPECT_EQ(BaseSubject("Re: [list] Fwd: Hello (fwd)"), "Hello");
  EXPECT_EQ(BaseSubject("RE:  re: hello"), "hello");
  EXPECT_EQ(BaseSubject("[fwd: Re: hi]"), "hi");
  EXPECT_EQ(BaseSubject("Re: [blob]"), "[blob]");
  EXPECT_EQ(BaseSubject("[a][b] Re[2]: x"), "x");
  EXPECT_EQ(BaseSubject("fw: \t tabs\t\there "), "tabs here");
  EXPECT_EQ(BaseSubject("Reply: not a prefix"), "Reply: not a prefix");
  EXPECT_EQ(BaseSubject(""), "");
  EXPECT_EQ(BaseSubject("Re:"), "");
}

TEST(SearchFoldTest, UnicodeCasemap) {
  EXPECT_EQ(SearchFold("\xCE\xA3\xCE\x8A\xCE\xA3\xCE\xA5\xCE\xA6\xCE\x9F\xCE\xA3"),
            SearchFold("\xCF\x83\xCE\xAF\xCF\x83\xCF\x85\xCF\x86\xCE\xBF\xCF\x82"));
  EXPECT_EQ(SearchFold("Stra\xC3\x9F" "e"), "strasse");
  EXPECT_EQ(SearchFold("\xEF\xAC\x81le"), "file");  // the "fi" ligature
  EXPECT_EQ(SearchFold("Hello WORLD"), "hello world");
  // NFKD: "é" becomes "e" + combining acute, so both spellings match.
  EXPECT_EQ(SearchFold("CAF\xC3\x89"), SearchFold("cafe\xCC\x81"));
  EXPECT_EQ(SearchFold("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(SearchFold(std::string("\xC3\xA4\0x", 4)), "a\xCC\x88 x");
}

TEST(HostileInputTest, LargeAdversarialValuesFinish) {
  std::string words;
  while (words.size() < (1 << 20)) words += "=?a?q?x";
  EXPECT_EQ(DecodeHeaderValue(words).size(), words.size());
  std::string blobs;
  while (blobs.size() < (1 << 20)) blobs += "[a] ";
  blobs += "x";
  EXPECT_EQ(BaseSubject(blobs), "x");
  std::string routes;
  while (routes.size() < (1 << 20)) routes += "<@a,";
  (void)ParseAddressList(routes);
  std::string html(1 << 20, '<');
  EXPECT_EQ(HtmlToText(html).size(), html.size());
}

}  // namespace
}  // namespace mailroom::mime
