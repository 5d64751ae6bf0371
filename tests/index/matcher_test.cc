// The one IMAP text matcher (index/matcher.h): RFC 3501 / RFC 9051 SEARCH
// semantics on decoded, folded text, the same on text held in memory (the
// store's scan) and on text stored with an index document, compressed (the
// index's verification of candidates).
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "index/doc_text.h"
#include "index/matchable_text.h"
#include "index/matcher.h"
#include "index/mime_text.h"
#include "mime/text.h"
#include "store/search_key.h"

namespace mailroom::index {
namespace {

using Kind = store::SearchKey::Kind;

std::string Filler() {
  std::string out;
  for (int i = 0; i < 60; ++i) {
    out += "lorem ipsum dolor sit amet consectetur adipiscing elit ";
  }
  return out;
}

// A Latin-1 quoted-printable part, a UTF-8 base64 part, encoded words in
// the header, and a long last part (stored compressed; its end is past the
// first inflation step).
std::string Message() {
  return absl::StrCat(
    "Subject: =?ISO-8859-1?Q?Caf=E9_cr=E8me?=\r\n"
    "From: =?UTF-8?B?w4lsb2RpZQ==?= <elodie@example.com>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Na=EFve R=C9SUM=C9 inside.\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "zojOvc6xIM68zrnOus+Bz4wgzqPOn86mzpnOkSDOus61zq/OvM61zr3Ovw0K\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=us-ascii\r\n"
    "\r\n"
    "", Filler(), "tailword\r\n"
    "--b1--\r\n");
}

class MatcherTest : public ::testing::Test {
 protected:
  MatcherTest()
      : text_(FoldMessage(Message())),
        memory_(text_) {
    auto stored = DocText::Decode(EncodeDocData(text_),
                                  EncodeBodyValue(text_.body));
    EXPECT_TRUE(stored.ok()) << stored.status();
    if (stored.ok()) stored_ = *std::move(stored);
  }

  // The answer, checked to be the same in memory and stored.
  bool Match(Kind kind, const std::string& key, const std::string& field = "") {
    const std::string needle = mime::SearchFold(key);
    absl::StatusOr<bool> in_memory = MatchTextKey(kind, field, needle, memory_);
    DocText stored = *DocText::Decode(EncodeDocData(text_),
                                      EncodeBodyValue(text_.body));
    absl::StatusOr<bool> from_index = MatchTextKey(kind, field, needle, stored);
    EXPECT_TRUE(in_memory.ok()) << in_memory.status();
    EXPECT_TRUE(from_index.ok()) << from_index.status();
    EXPECT_EQ(in_memory.value_or(false), from_index.value_or(true))
        << "in memory and stored text disagree on " << key;
    return in_memory.value_or(false);
  }

  FoldedText text_;
  InMemoryText memory_;
  DocText stored_;
};

TEST_F(MatcherTest, EncodedWordsInHeadersAreDecodedAndFolded) {
  EXPECT_TRUE(Match(Kind::kHeader, "CAFÉ CRÈME", "subject"));
  EXPECT_TRUE(Match(Kind::kHeader, "fé cr", "subject"));
  EXPECT_TRUE(Match(Kind::kHeader, "élodie", "from"));
  EXPECT_TRUE(Match(Kind::kHeader, "ELODIE@EXAMPLE", "from"));
  EXPECT_FALSE(Match(Kind::kHeader, "café  crème", "subject"));
  EXPECT_FALSE(Match(Kind::kHeader, "élodie", "subject"));
}

TEST_F(MatcherTest, BodyPartsAreDecodedFromTheirCharsets) {
  EXPECT_TRUE(Match(Kind::kBody, "naïve résumé"));   // Latin-1, QP
  EXPECT_TRUE(Match(Kind::kBody, "NAÏVE RÉSUMÉ"));
  EXPECT_TRUE(Match(Kind::kBody, "σοφια"));          // UTF-8, base64
  EXPECT_TRUE(Match(Kind::kBody, "ΜΙΚΡΌ"));
  EXPECT_FALSE(Match(Kind::kBody, "=EF"));           // never the encoding
  EXPECT_FALSE(Match(Kind::kBody, "w4lsb2RpZQ"));
}

TEST_F(MatcherTest, SubstringsInsideWordsAndFarIntoALongBody) {
  EXPECT_TRUE(Match(Kind::kBody, "sum"));
  EXPECT_TRUE(Match(Kind::kBody, "ailwor"));
  EXPECT_TRUE(Match(Kind::kBody, "elit tailword"));
  EXPECT_FALSE(Match(Kind::kBody, "absentword"));
}

TEST_F(MatcherTest, TextCoversHeaderLinesAndBody) {
  EXPECT_TRUE(Match(Kind::kText, "subject: café"));  // name and value
  EXPECT_TRUE(Match(Kind::kText, "élodie"));
  EXPECT_TRUE(Match(Kind::kText, "résumé"));
  EXPECT_TRUE(Match(Kind::kText, "TAILWORD"));
  EXPECT_FALSE(Match(Kind::kText, "subject: élodie"));
  EXPECT_FALSE(Match(Kind::kBody, "élodie"));  // BODY is not the header
}

TEST_F(MatcherTest, EmptyNeedle) {
  EXPECT_TRUE(Match(Kind::kBody, ""));
  EXPECT_TRUE(Match(Kind::kText, ""));
  EXPECT_TRUE(Match(Kind::kHeader, "", "subject"));
  EXPECT_FALSE(Match(Kind::kHeader, "", "x-not-there"));
}

TEST_F(MatcherTest, EmptyMessage) {
  const FoldedText empty = FoldMessage("");
  InMemoryText text(empty);
  EXPECT_TRUE(*MatchTextKey(Kind::kBody, "", "", text));
  EXPECT_TRUE(*MatchTextKey(Kind::kText, "", "", text));
  EXPECT_FALSE(*MatchTextKey(Kind::kBody, "", "a", text));
  EXPECT_FALSE(*MatchTextKey(Kind::kHeader, "subject", "", text));
}

TEST_F(MatcherTest, OnlyTextKeys) {
  EXPECT_EQ(MatchTextKey(Kind::kAll, "", "x", memory_).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// A whole key tree compiled once gives the per-key answers combined.
TEST_F(MatcherTest, CompiledTrees) {
  store::SearchKey body, header, tree;
  body.kind = Kind::kBody;
  body.value = "RÉSUMÉ";
  header.kind = Kind::kHeader;
  header.field = "Subject";
  header.value = "tea";
  store::SearchKey negated;
  negated.kind = Kind::kNot;
  negated.children = {header};
  tree.kind = Kind::kAnd;
  tree.children = {body, negated};
  auto compiled = CompileKey(tree, [](std::string_view s) {
    return mime::SearchFold(s);
  });
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  EXPECT_TRUE(*Matches(*compiled, memory_));
  EXPECT_TRUE(*Matches(*compiled, stored_));
  header.value = "CRÈME";
  negated.children = {header};
  tree.children = {body, negated};
  compiled = CompileKey(tree, [](std::string_view s) {
    return mime::SearchFold(s);
  });
  ASSERT_TRUE(compiled.ok());
  EXPECT_FALSE(*Matches(*compiled, memory_));
}

// Characters whose compatibility decomposition folds again: U+2122 TRADE
// MARK SIGN is "TM", mathematical bold letters are plain capitals, a
// squared "KB" is two capitals. Folded text holds them in lower case, so
// every spelling of a key finds every spelling of the text.
TEST(CompatibilityFoldingTest, DecompositionsFoldLikeTheirLetters) {
  const FoldedText text = FoldMessage(
      "Subject: Acme\xe2\x84\xa2 news\r\n"  // Acme™
      "Content-Type: text/plain; charset=utf-8\r\n"
      "\r\n"
      "\xf0\x9d\x90\x81\xf0\x9d\x90\x8e\xf0\x9d\x90\x8b"
      "\xf0\x9d\x90\x83 offer, 12\xe3\x8e\x85 left, "   // 𝐁𝐎𝐋𝐃, 12㎅
      "\xf0\x9d\x9a\xa8\xf0\x9d\x9a\xb3 and TM.\r\n");  // 𝚨𝚳
  InMemoryText memory(text);
  absl::StatusOr<DocText> stored =
      DocText::Decode(EncodeDocData(text), EncodeBodyValue(text.body));
  ASSERT_TRUE(stored.ok()) << stored.status();
  auto match = [&](Kind kind, const std::string& key,
                   const std::string& field) {
    const std::string needle = mime::SearchFold(key);
    absl::StatusOr<bool> in_memory = MatchTextKey(kind, field, needle, memory);
    absl::StatusOr<bool> from_index = MatchTextKey(kind, field, needle, *stored);
    EXPECT_TRUE(in_memory.ok() && from_index.ok());
    EXPECT_EQ(in_memory.value_or(false), from_index.value_or(true)) << key;
    return in_memory.value_or(false);
  };
  EXPECT_TRUE(match(Kind::kHeader, "acmetm", "subject"));
  EXPECT_TRUE(match(Kind::kHeader, "ACME\xe2\x84\xa2", "subject"));
  EXPECT_TRUE(match(Kind::kHeader, "Acme\xe2\x84\xa2 NEWS", "subject"));
  EXPECT_TRUE(match(Kind::kBody, "bold offer", ""));
  EXPECT_TRUE(match(Kind::kBody,
                    "\xf0\x9d\x90\x9b\xf0\x9d\x90\xa8\xf0\x9d\x90\xa5"
                    "\xf0\x9d\x90\x9d",  // 𝐛𝐨𝐥𝐝
                    ""));
  EXPECT_TRUE(match(Kind::kBody, "12kb left", ""));
  EXPECT_TRUE(match(Kind::kBody, "\xce\xb1\xce\xbc and", ""));  // "αμ and"
  EXPECT_TRUE(match(Kind::kBody, "and \xe2\x84\xa2.", ""));      // "and ™."
  EXPECT_FALSE(match(Kind::kBody, "bold offers", ""));
}

}  // namespace
}  // namespace mailroom::index
