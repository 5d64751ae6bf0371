#include "protocols/imap/search_parser.h"

#include "gtest/gtest.h"

namespace mailroom::imap {
namespace {

using store::SearchKey;
using Kind = store::SearchKey::Kind;

absl::StatusOr<SearchKey> Translate(std::string_view text,
                                    std::vector<store::Uid> uids = {},
                                    std::vector<store::Uid> saved = {}) {
  Lexer lx(text);
  auto key = ParseSearchKeys(lx, {});
  if (!key.ok()) return key.status();
  if (!lx.AtEnd()) return absl::InvalidArgumentError("trailing input");
  return TranslateSearchKey(*key, uids, saved);
}

TEST(SearchParserTest, FlagKeys) {
  auto k = Translate("UNSEEN");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->kind, Kind::kFlagClear);
  EXPECT_EQ(k->number, store::kSeen);
  k = Translate("deleted");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->kind, Kind::kFlagSet);
  EXPECT_EQ(k->number, store::kDeleted);
}

TEST(SearchParserTest, ImplicitAndOrNot) {
  auto k = Translate("FLAGGED OR FROM alice NOT SUBJECT \"hello world\"");
  ASSERT_TRUE(k.ok());
  ASSERT_EQ(k->kind, Kind::kAnd);
  ASSERT_EQ(k->children.size(), 2u);
  const SearchKey& orkey = k->children[1];
  ASSERT_EQ(orkey.kind, Kind::kOr);
  ASSERT_EQ(orkey.children.size(), 2u);
  EXPECT_EQ(orkey.children[0].kind, Kind::kHeader);
  EXPECT_EQ(orkey.children[0].field, "from");
  EXPECT_EQ(orkey.children[0].value, "alice");
  ASSERT_EQ(orkey.children[1].kind, Kind::kNot);
  EXPECT_EQ(orkey.children[1].children[0].field, "subject");
  EXPECT_EQ(orkey.children[1].children[0].value, "hello world");
}

TEST(SearchParserTest, ParenthesisedList) {
  auto k = Translate("(SEEN FLAGGED) BODY {3}\r\nabc");
  ASSERT_TRUE(k.ok());
  ASSERT_EQ(k->kind, Kind::kAnd);
  EXPECT_EQ(k->children[0].kind, Kind::kAnd);
  EXPECT_EQ(k->children[1].kind, Kind::kBody);
  EXPECT_EQ(k->children[1].value, "abc");
}

TEST(SearchParserTest, HeaderAndKeyword) {
  auto k = Translate("HEADER X-Mailer \"\" KEYWORD $Junk");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->children[0].kind, Kind::kHeader);
  EXPECT_EQ(k->children[0].field, "x-mailer");
  EXPECT_EQ(k->children[0].value, "");
  EXPECT_EQ(k->children[1].kind, Kind::kKeyword);
  EXPECT_EQ(k->children[1].value, "$Junk");
}

TEST(SearchParserTest, Dates) {
  auto k = Translate("SINCE 1-Feb-1994");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->kind, Kind::kSince);
  EXPECT_EQ(k->number, 8797);  // days from 1970-01-01 to 1994-02-01
  EXPECT_TRUE(Translate("SENTBEFORE \"01-Jan-1970\"").ok());
  EXPECT_EQ(Translate("SENTBEFORE \"01-Jan-1970\"")->number, 0);
  k = Translate("SAVEDBEFORE 1-Feb-1994");  // RFC 8514
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->kind, Kind::kSavedBefore);
  EXPECT_EQ(k->number, 8797);
  EXPECT_EQ(Translate("SAVEDON 1-Feb-1994")->kind, Kind::kSavedOn);
  EXPECT_EQ(Translate("SAVEDSINCE 1-Feb-1994")->kind, Kind::kSavedSince);
  EXPECT_EQ(Translate("SAVEDATESUPPORTED")->kind, Kind::kAll);
  EXPECT_FALSE(Translate("SAVEDON").ok());
  EXPECT_FALSE(Translate("ON 30-Feb-2020").ok());
  EXPECT_FALSE(Translate("ON 1-Foo-2020").ok());
}

TEST(SearchParserTest, ObjectIds) {  // RFC 8474
  auto k = Translate("EMAILID M6d8vqb4x_-Z9");
  ASSERT_TRUE(k.ok()) << k.status();
  EXPECT_EQ(k->kind, Kind::kEmailId);
  EXPECT_EQ(k->value, "M6d8vqb4x_-Z9");
  EXPECT_EQ(Translate("THREADID T1")->kind, Kind::kThreadId);
  EXPECT_FALSE(Translate("EMAILID").ok());
  EXPECT_FALSE(Translate("EMAILID \"a.b\"").ok());
  EXPECT_FALSE(Translate("THREADID \"\"").ok());
  EXPECT_FALSE(Translate("THREADID " + std::string(256, 'a')).ok());
  EXPECT_TRUE(Translate("THREADID " + std::string(255, 'a')).ok());
}

TEST(SearchParserTest, SizesWithinModseq) {
  auto k = Translate("LARGER 100 SMALLER 200 OLDER 60 YOUNGER 30 MODSEQ 5");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->children[0].kind, Kind::kLarger);
  EXPECT_EQ(k->children[1].kind, Kind::kSmaller);
  EXPECT_EQ(k->children[2].kind, Kind::kOlder);
  EXPECT_EQ(k->children[2].number, 60);
  EXPECT_EQ(k->children[3].kind, Kind::kYounger);
  EXPECT_EQ(k->children[4].kind, Kind::kModSeq);
  EXPECT_EQ(k->children[4].number, 5);
  auto m = Translate("MODSEQ \"/flags/\\\\draft\" all 620162338");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->number, 620162338);
}

TEST(SearchParserTest, SequenceNumbersBecomeUids) {
  auto k = Translate("2:3,5", {10, 20, 30, 40, 50});
  ASSERT_TRUE(k.ok());
  ASSERT_EQ(k->kind, Kind::kUids);
  ASSERT_EQ(k->uids.size(), 3u);
  EXPECT_EQ(k->uids[0].first, 20u);
  EXPECT_EQ(k->uids[0].last, 20u);
  EXPECT_EQ(k->uids[1].first, 30u);
  EXPECT_EQ(k->uids[2].first, 50u);
}

TEST(SearchParserTest, ConsecutiveUidsAreMerged) {
  auto k = Translate("1:*", {3, 4, 5, 9});
  ASSERT_TRUE(k.ok());
  ASSERT_EQ(k->uids.size(), 2u);
  EXPECT_EQ(k->uids[0].first, 3u);
  EXPECT_EQ(k->uids[0].last, 5u);
  EXPECT_EQ(k->uids[1].first, 9u);
}

TEST(SearchParserTest, UidSetStarIsHighestUid) {
  auto k = Translate("UID 5:*", {3, 4, 5, 9});
  ASSERT_TRUE(k.ok());
  ASSERT_EQ(k->uids.size(), 1u);
  EXPECT_EQ(k->uids[0].first, 5u);
  EXPECT_EQ(k->uids[0].last, 9u);
}

TEST(SearchParserTest, SavedResult) {
  auto k = Translate("$", {1, 2, 3}, {2, 3});
  ASSERT_TRUE(k.ok());
  ASSERT_EQ(k->kind, Kind::kUids);
  ASSERT_EQ(k->uids.size(), 1u);
  EXPECT_EQ(k->uids[0].first, 2u);
  EXPECT_EQ(k->uids[0].last, 3u);
}

TEST(SearchParserTest, RecentNewAndOldUseTheSessionsRecentUids) {
  Lexer lx("RECENT NEW OLD");
  auto key = ParseSearchKeys(lx, {});
  ASSERT_TRUE(key.ok());
  SearchKey k = TranslateSearchKey(*key, {1, 2, 3, 4}, {}, {3, 4});
  ASSERT_EQ(k.kind, Kind::kAnd);
  ASSERT_EQ(k.children.size(), 3u);
  ASSERT_EQ(k.children[0].kind, Kind::kUids);
  ASSERT_EQ(k.children[0].uids.size(), 1u);
  EXPECT_EQ(k.children[0].uids[0].first, 3u);
  EXPECT_EQ(k.children[0].uids[0].last, 4u);
  // NEW: recent and unseen.
  ASSERT_EQ(k.children[1].kind, Kind::kAnd);
  EXPECT_EQ(k.children[1].children[0].kind, Kind::kUids);
  EXPECT_EQ(k.children[1].children[1].kind, Kind::kFlagClear);
  // OLD: not recent.
  ASSERT_EQ(k.children[2].kind, Kind::kNot);
  EXPECT_EQ(k.children[2].children[0].uids.size(), 1u);
  // No \Recent message: RECENT matches nothing.
  auto none = Translate("RECENT");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->kind, Kind::kUids);
  EXPECT_TRUE(none->uids.empty());
}

TEST(SearchParserTest, Errors) {
  for (const char* bad : {"", "FOO", "FROM", "OR SEEN", "NOT", "LARGER x",
                          "(SEEN", "UID", "KEYWORD", "OLDER 0"}) {
    EXPECT_FALSE(Translate(bad).ok()) << bad;
  }
}

TEST(SearchParserTest, DepthLimit) {
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "NOT ";
  deep += "SEEN";
  EXPECT_FALSE(Translate(deep).ok());
  std::string nested(200, '(');
  nested += "SEEN" + std::string(200, ')');
  EXPECT_FALSE(Translate(nested).ok());
}

TEST(SearchParserTest, LimitsAreResourceExhausted) {
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "NOT ";
  deep += "SEEN";
  EXPECT_EQ(Translate(deep).status().code(),
            absl::StatusCode::kResourceExhausted);

  SearchParseLimits limits;
  limits.max_keys = 3;
  Lexer ok("SEEN OR DRAFT FLAGGED");
  EXPECT_FALSE(ParseSearchKeys(ok, limits).ok());  // OR is a key too: 4
  Lexer three("SEEN NOT DRAFT");
  EXPECT_TRUE(ParseSearchKeys(three, limits).ok());

  limits.max_sequence_elements = 4;
  Lexer sets("1,2 UID 3,4");
  EXPECT_TRUE(ParseSearchKeys(sets, limits).ok());
  Lexer too_many("1,2 UID 3,4,5");
  EXPECT_EQ(ParseSearchKeys(too_many, limits).status().code(),
            absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace mailroom::imap
