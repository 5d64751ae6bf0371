#include "mime/imap.h"

#include <string>

#include "gtest/gtest.h"
#include "mime/message.h"
#include "mime/testing/messages.h"

namespace mailroom::mime {
namespace {

using testing::Crlf;

struct Fixture {
  explicit Fixture(std::string_view text, bool crlf = true)
      : raw(crlf ? Crlf(text) : std::string(text)), message(Parse(raw)) {}
  std::string Section(std::string_view spec) const {
    absl::StatusOr<SectionSpec> s = ParseSectionSpec(spec);
    if (!s.ok()) return "<bad spec: " + std::string(s.status().message()) + ">";
    absl::StatusOr<std::string> bytes = FetchSection(message, raw, *s);
    if (!bytes.ok()) return "<" + std::string(bytes.status().message()) + ">";
    return *bytes;
  }
  absl::StatusCode SectionError(std::string_view spec) const {
    return FetchSection(message, raw, *ParseSectionSpec(spec)).status().code();
  }
  std::string raw;
  Message message;
};

TEST(ImapStringTest, QuotesOrLiterals) {
  EXPECT_EQ(ImapString("plain"), "\"plain\"");
  EXPECT_EQ(ImapString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(ImapString(""), "\"\"");
  EXPECT_EQ(ImapString("caf\xC3\xA9"), "{5}\r\ncaf\xC3\xA9");
  EXPECT_EQ(ImapString("a\r\nb"), "{4}\r\na\r\nb");
  EXPECT_EQ(ImapString(std::string("a\0b", 3)), "\"ab\"");
  EXPECT_EQ(ImapNString(std::nullopt), "NIL");
}

TEST(BodyStructureTest, SinglePart) {
  Fixture f(testing::kSinglePart);
  EXPECT_EQ(BodyStructure(f.message, f.raw, true),
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 24 "
            "2 NIL NIL NIL NIL)");
  EXPECT_EQ(BodyStructure(f.message, f.raw, false),
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 24 "
            "2)");
}

TEST(BodyStructureTest, MixedWithAttachment) {
  Fixture f(testing::kMixedWithAttachment);
  EXPECT_EQ(BodyStructure(f.message, f.raw, true),
            "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 9 1 "
            "NIL NIL NIL NIL)(\"application\" \"pdf\" (\"name\" \"doc.pdf\") "
            "NIL NIL \"base64\" 8 NIL (\"attachment\" (\"filename\" "
            "\"doc.pdf\")) NIL NIL) \"mixed\" (\"boundary\" \"XYZ\") NIL NIL "
            "NIL)");
  EXPECT_EQ(BodyStructure(f.message, f.raw, false),
            "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 9 1)"
            "(\"application\" \"pdf\" (\"name\" \"doc.pdf\") NIL NIL "
            "\"base64\" 8) \"mixed\")");
}

TEST(BodyStructureTest, NestedAlternative) {
  Fixture f(testing::kNestedAlternative);
  EXPECT_EQ(
      BodyStructure(f.message, f.raw, true),
      "(((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 11 1 "
      "NIL NIL NIL NIL)(\"text\" \"html\" (\"charset\" \"iso-8859-1\") NIL NIL "
      "\"quoted-printable\" 24 1 NIL NIL NIL NIL) \"alternative\" "
      "(\"boundary\" \"inner\") NIL NIL NIL)(\"image\" \"png\" NIL \"<img1>\" "
      "NIL \"base64\" 12 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"outer\") "
      "NIL NIL NIL)");
}

TEST(BodyStructureTest, MessageRfc822) {
  Fixture f(testing::kMessageAttachment);
  const std::string inner_envelope =
      "(\"Tue, 1 Jan 2002 10:00:00 +0000\" \"Inner\" ((\"Carol\" NIL \"carol\" "
      "\"example.net\")) ((\"Carol\" NIL \"carol\" \"example.net\")) "
      "((\"Carol\" NIL \"carol\" \"example.net\")) NIL NIL NIL NIL NIL)";
  EXPECT_EQ(
      BodyStructure(f.message, f.raw, true),
      "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 12 1 "
      "NIL NIL NIL NIL)(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 99 " +
          inner_envelope +
          " (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 10 "
          "1 NIL NIL NIL NIL) 5 NIL NIL NIL NIL) \"mixed\" (\"boundary\" "
          "\"b\") NIL NIL NIL)");
}

TEST(BodyStructureTest, Digest) {
  Fixture f(testing::kDigest);
  std::string part1 =
      "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 17 (NIL \"one\" NIL NIL NIL "
      "NIL NIL NIL NIL NIL) (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL "
      "NIL \"7bit\" 1 1 NIL NIL NIL NIL) 3 NIL NIL NIL NIL)";
  std::string part2 = part1;
  part2.replace(part2.find("\"one\""), 5, "\"two\"");
  EXPECT_EQ(BodyStructure(f.message, f.raw, true),
            "(" + part1 + part2 +
                " \"digest\" (\"boundary\" \"d\") NIL NIL NIL)");
}

TEST(BodyStructureTest, ExtensionFieldsAnd2231Filename) {
  Fixture f(
      "Content-Type: text/plain; format=flowed\n"
      "Content-Disposition: attachment;\n"
      " filename*0*=utf-8''%E2%82%AC; filename*1=\" rates.txt\"\n"
      "Content-Language: en, de\n"
      "Content-Location: http://example.com/x\n"
      "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\n"
      "Content-Description: Rates\n"
      "\n"
      "r\n");
  EXPECT_EQ(BodyStructure(f.message, f.raw, true),
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\" \"format\" "
            "\"flowed\") NIL \"Rates\" \"7bit\" 3 1 \"Q2hlY2sgSW50ZWdyaXR5IQ==\" "
            "(\"attachment\" (\"filename\" {13}\r\n\xE2\x82\xAC rates.txt)) "
            "(\"en\" \"de\") \"http://example.com/x\")");
}

TEST(BodyStructureTest, NoHeadersAndBareLf) {
  Fixture f("\nbody\n", /*crlf=*/false);
  EXPECT_EQ(BodyStructure(f.message, f.raw, false),
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 5 "
            "1)");
  EXPECT_EQ(Envelope(f.message), "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST(BodyStructureTest, EncodedMessageIsBasic) {
  Fixture f(
      "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"
      "U3ViamVjdDogeA0KDQp5\n");
  EXPECT_EQ(BodyStructure(f.message, f.raw, false),
            "(\"message\" \"rfc822\" NIL NIL NIL \"base64\" 22)");
}

TEST(EnvelopeTest, SinglePart) {
  Fixture f(testing::kSinglePart);
  const std::string alice = "((\"Alice\" NIL \"alice\" \"example.com\"))";
  EXPECT_EQ(Envelope(f.message),
            "(\"Mon, 7 Feb 1994 21:52:25 -0800\" \"Hello\" " + alice + " " +
                alice + " " + alice +
                " ((NIL NIL \"bob\" \"example.org\")) NIL NIL NIL "
                "\"<1@example.com>\")");
}

TEST(EnvelopeTest, GroupsRoutesEncodedWordsAndDefaults) {
  EnvelopeFields e;
  e.subject = "=?UTF-8?B?4pyT?= done";
  e.from = "\"Doe, John\" <@relay.example:john@example.com>";
  e.sender = "";
  e.reply_to = "replies@example.com (Reply Desk)";
  e.to = "Team: a@example.com, =?ISO-8859-1?Q?Jos=E9?= <jose@example.com>;, "
         "undisclosed-recipients:;";
  e.cc = "local-only";
  e.in_reply_to = "<0@example.com>";
  EXPECT_EQ(Envelope(e),
            "(NIL \"=?UTF-8?B?4pyT?= done\" "
            "((\"Doe, John\" \"@relay.example\" \"john\" \"example.com\")) "
            "((\"Doe, John\" \"@relay.example\" \"john\" \"example.com\")) "
            "((\"Reply Desk\" NIL \"replies\" \"example.com\")) "
            "((NIL NIL \"Team\" NIL)(NIL NIL \"a\" \"example.com\")"
            "(\"=?ISO-8859-1?Q?Jos=E9?=\" NIL \"jose\" \"example.com\")"
            "(NIL NIL NIL NIL)(NIL NIL \"undisclosed-recipients\" NIL)"
            "(NIL NIL NIL NIL)) "
            "((NIL NIL \"local-only\" \"\")) NIL \"<0@example.com>\" NIL)");
}

TEST(SectionTest, TopLevel) {
  Fixture f(testing::kSinglePart);
  EXPECT_EQ(f.Section(""), f.raw);
  EXPECT_EQ(f.Section("TEXT"), "Hello Bob\r\nSecond line\r\n");
  EXPECT_EQ(f.Section("1"), "Hello Bob\r\nSecond line\r\n");
  EXPECT_EQ(f.Section("header"), f.raw.substr(0, f.raw.find("\r\n\r\n") + 4));
  EXPECT_EQ(f.Section("HEADER.FIELDS (subject \"FROM\")"),
            "From: Alice <alice@example.com>\r\nSubject: Hello\r\n\r\n");
  EXPECT_EQ(f.Section("HEADER.FIELDS.NOT (From To Date Message-ID)"),
            "Subject: Hello\r\n\r\n");
  EXPECT_EQ(f.Section("HEADER.FIELDS (X-None)"), "\r\n");
  EXPECT_EQ(f.SectionError("2"), absl::StatusCode::kNotFound);
  EXPECT_EQ(f.SectionError("1.1"), absl::StatusCode::kNotFound);
  EXPECT_EQ(f.SectionError("1.HEADER"), absl::StatusCode::kInvalidArgument);
}

TEST(SectionTest, Multipart) {
  Fixture f(testing::kMixedWithAttachment);
  EXPECT_EQ(f.Section("1"), "Body text");
  EXPECT_EQ(f.Section("2"), "SGVsbG8=");
  EXPECT_EQ(f.Section("2.MIME"),
            "Content-Type: application/pdf; name=\"doc.pdf\"\r\n"
            "Content-Disposition: attachment; filename=\"doc.pdf\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n");
  EXPECT_TRUE(f.Section("TEXT").starts_with("preamble\r\n--XYZ\r\n"));
  EXPECT_EQ(f.SectionError("3"), absl::StatusCode::kNotFound);
  EXPECT_EQ(f.SectionError("2.TEXT"), absl::StatusCode::kInvalidArgument);
}

TEST(SectionTest, NestedAndEncapsulated) {
  Fixture nested(testing::kNestedAlternative);
  EXPECT_EQ(nested.Section("1.2"), "<p>Caf=E9 &amp; more</p>");
  EXPECT_EQ(nested.Section("1.MIME"),
            "Content-Type: multipart/alternative; boundary=inner\r\n\r\n");

  Fixture f(testing::kMessageAttachment);
  EXPECT_EQ(f.Section("2.HEADER"),
            "From: Carol <carol@example.net>\r\nSubject: Inner\r\n"
            "Date: Tue, 1 Jan 2002 10:00:00 +0000\r\n\r\n");
  EXPECT_EQ(f.Section("2.TEXT"), "Inner body");
  EXPECT_EQ(f.Section("2.1"), "Inner body");
  EXPECT_EQ(f.Section("2.HEADER.FIELDS (SUBJECT)"), "Subject: Inner\r\n\r\n");
  EXPECT_EQ(f.Section("2.MIME"), "Content-Type: message/rfc822\r\n\r\n");
  EXPECT_TRUE(f.Section("2").starts_with("From: Carol"));
  EXPECT_EQ(f.SectionError("2.2"), absl::StatusCode::kNotFound);

  Fixture digest(testing::kDigest);
  EXPECT_EQ(digest.Section("2.1"), "2");
  EXPECT_EQ(digest.Section("1.HEADER"), "Subject: one\r\n\r\n");
}

TEST(SectionTest, HeaderFieldsUseCrlfForBareLfMessages) {
  Fixture f("Subject: a\n b\nTo: x@y\n\nbody\n", /*crlf=*/false);
  EXPECT_EQ(f.Section("HEADER.FIELDS (SUBJECT)"), "Subject: a\r\n b\r\n\r\n");
  EXPECT_EQ(f.Section("HEADER"), "Subject: a\n b\nTo: x@y\n\n");
}

TEST(SectionTest, HeaderFieldsFromTheHeaderBytesAloneMatchTheWholeMessage) {
  struct Case {
    const char* text;
    bool crlf;
    const char* spec;
  };
  const Case cases[] = {
      {testing::kMixedWithAttachment, true, "HEADER.FIELDS (subject \"FROM\")"},
      {testing::kMixedWithAttachment, true, "HEADER.FIELDS.NOT (From Date)"},
      {testing::kMixedWithAttachment, true, "HEADER.FIELDS (X-None)"},
      {testing::kMessageAttachment, true, "2.HEADER.FIELDS (SUBJECT)"},
      {testing::kMessageAttachment, true, "2.HEADER.FIELDS.NOT (SUBJECT)"},
      {testing::kDigest, true, "1.HEADER.FIELDS (Subject)"},
      {"Subject: a\n b\nTo: x@y\n\nbody\n", false, "HEADER.FIELDS (SUBJECT)"},
      {"No-Blank-Line: x", false, "HEADER.FIELDS (NO-BLANK-LINE)"},
  };
  for (const Case& c : cases) {
    Fixture f(c.text, c.crlf);
    const SectionSpec spec = *ParseSectionSpec(c.spec);
    SectionSpec header = spec;
    header.text = SectionSpec::Text::kHeader;
    absl::StatusOr<Span> span = SectionSpan(f.message, header);
    ASSERT_TRUE(span.ok()) << c.spec;
    // Only the header block is given: the body cannot leak into the answer.
    const std::string header_bytes = f.raw.substr(span->offset, span->size);
    EXPECT_EQ(FilterHeaderFields(header_bytes, spec), f.Section(c.spec))
        << c.spec;
  }
}

TEST(SectionTest, TopLevelMessageRfc822AndGlobal) {
  // A message whose own body is a message: part 1 is that message.
  Fixture f(
      "Content-Type: message/global\n\nSubject: inner\n"
      "Content-Type: multipart/mixed; boundary=x\n\n--x\n\na\n--x\n\nb\n"
      "--x--\n");
  EXPECT_TRUE(f.Section("1").starts_with("Subject: inner"));
  EXPECT_EQ(f.Section("1.HEADER"),
            "Subject: inner\r\nContent-Type: multipart/mixed; boundary=x\r\n"
            "\r\n");
  EXPECT_EQ(f.Section("1.2"), "b");
  EXPECT_EQ(f.Section("1.2.MIME"), "\r\n");
  EXPECT_EQ(f.SectionError("1.3"), absl::StatusCode::kNotFound);
  EXPECT_EQ(
      BodyStructure(f.message, f.raw, false),
      "(\"message\" \"global\" NIL NIL NIL \"7bit\" 88 (NIL \"inner\" NIL NIL "
      "NIL NIL NIL NIL NIL NIL) ((\"text\" \"plain\" (\"charset\" "
      "\"us-ascii\") NIL NIL \"7bit\" 1 1)(\"text\" \"plain\" (\"charset\" "
      "\"us-ascii\") NIL NIL \"7bit\" 1 1) \"mixed\") 10)");
}

TEST(SectionTest, SpecSyntax) {
  auto spec = ParseSectionSpec("1.2.3.HEADER.FIELDS.NOT (A \"b c\")");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->part, (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_EQ(spec->text, SectionSpec::Text::kHeaderFieldsNot);
  EXPECT_EQ(spec->fields, (std::vector<std::string>{"A", "b c"}));
  for (const char* bad : {"0", "1.", "MIME", "HEADER.FIELDS", "HEADER.FIELDS ()",
                          "1.FOO", "TEXT x", "HEADER.FIELDS (A", "1..2"}) {
    EXPECT_FALSE(ParseSectionSpec(bad).ok()) << bad;
  }
}

TEST(SectionTest, SpanMatchesFetch) {
  Fixture f(testing::kMessageAttachment);
  for (const char* s : {"", "1", "2", "2.1", "2.HEADER", "2.TEXT", "2.MIME",
                        "HEADER", "TEXT"}) {
    auto spec = ParseSectionSpec(s);
    ASSERT_TRUE(spec.ok());
    auto span = SectionSpan(f.message, *spec);
    ASSERT_TRUE(span.ok()) << s;
    EXPECT_EQ(f.raw.substr(span->offset, span->size), f.Section(s)) << s;
  }
  EXPECT_FALSE(
      SectionSpan(f.message, *ParseSectionSpec("HEADER.FIELDS (A)")).ok());
}

TEST(BinaryTest, DecodesAndRejectsUnknownEncodings) {
  Fixture f(testing::kMixedWithAttachment);
  EXPECT_EQ(*FetchBinary(f.message, f.raw, {2}), "Hello");
  EXPECT_EQ(*BinarySize(f.message, f.raw, {2}), 5u);
  EXPECT_EQ(*FetchBinary(f.message, f.raw, {1}), "Body text");
  EXPECT_EQ(*BinarySize(f.message, f.raw, {1}), 9u);
  EXPECT_EQ(*BinarySize(f.message, f.raw, {}), f.raw.size());
  EXPECT_EQ(FetchBinary(f.message, f.raw, {3}).status().code(),
            absl::StatusCode::kNotFound);

  Fixture odd("Content-Transfer-Encoding: x-uuencode\n\nbegin 644 x\n");
  EXPECT_EQ(FetchBinary(odd.message, odd.raw, {1}).status().code(),
            absl::StatusCode::kUnimplemented);
  EXPECT_EQ(BinarySize(odd.message, odd.raw, {1}).status().code(),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace mailroom::mime
