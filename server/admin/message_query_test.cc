#include "server/admin/message_query.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace mailroom::server::admin {
namespace {

using store::SearchKey;
using Kind = store::SearchKey::Kind;

SearchKey Parse(std::vector<std::string> words) {
  absl::StatusOr<SearchKey> key = ParseMessageQuery(words);
  EXPECT_TRUE(key.ok()) << key.status();
  return key.ok() ? *key : SearchKey();
}

std::string Error(std::vector<std::string> words) {
  absl::StatusOr<SearchKey> key = ParseMessageQuery(words);
  EXPECT_FALSE(key.ok());
  return std::string(key.status().message());
}

TEST(MessageQueryTest, EmptyIsAll) {
  EXPECT_EQ(Parse({}).kind, Kind::kAll);
  EXPECT_EQ(Parse({"ALL"}).kind, Kind::kAll);
}

TEST(MessageQueryTest, FlagKeysAreCaseInsensitive) {
  SearchKey key = Parse({"Seen"});
  EXPECT_EQ(key.kind, Kind::kFlagSet);
  EXPECT_EQ(key.number, store::kSeen);
  key = Parse({"UNDELETED"});
  EXPECT_EQ(key.kind, Kind::kFlagClear);
  EXPECT_EQ(key.number, store::kDeleted);
  key = Parse({"keyword", "$Label1"});
  EXPECT_EQ(key.kind, Kind::kKeyword);
  EXPECT_EQ(key.value, "$Label1");
}

TEST(MessageQueryTest, AdjacentKeysAnd) {
  SearchKey key = Parse({"from", "bob", "unseen"});
  ASSERT_EQ(key.kind, Kind::kAnd);
  ASSERT_EQ(key.children.size(), 2u);
  EXPECT_EQ(key.children[0].kind, Kind::kHeader);
  EXPECT_EQ(key.children[0].field, "from");
  EXPECT_EQ(key.children[0].value, "bob");
  EXPECT_EQ(key.children[1].kind, Kind::kFlagClear);
}

TEST(MessageQueryTest, HeaderBodyText) {
  SearchKey key = Parse({"header", "X-Spam", "yes"});
  EXPECT_EQ(key.kind, Kind::kHeader);
  EXPECT_EQ(key.field, "x-spam");
  EXPECT_EQ(key.value, "yes");
  EXPECT_EQ(Parse({"body", "two words"}).value, "two words");
  EXPECT_EQ(Parse({"TEXT", "x"}).kind, Kind::kText);
}

TEST(MessageQueryTest, OrInfixAndPrefix) {
  SearchKey infix = Parse({"from", "a", "or", "from", "b", "seen"});
  ASSERT_EQ(infix.kind, Kind::kAnd);
  ASSERT_EQ(infix.children[0].kind, Kind::kOr);
  EXPECT_EQ(infix.children[0].children[1].value, "b");
  EXPECT_EQ(infix.children[1].kind, Kind::kFlagSet);

  SearchKey prefix = Parse({"OR", "seen", "flagged"});
  ASSERT_EQ(prefix.kind, Kind::kOr);
  EXPECT_EQ(prefix.children[1].number, store::kFlagged);
}

TEST(MessageQueryTest, NotAndParentheses) {
  SearchKey key = Parse({"not", "(from", "a", "or", "from", "b)"});
  ASSERT_EQ(key.kind, Kind::kNot);
  ASSERT_EQ(key.children[0].kind, Kind::kOr);
  EXPECT_EQ(key.children[0].children[1].value, "b");

  // Parentheses standing alone read the same.
  SearchKey spaced = Parse({"not", "(", "from", "a", "or", "from", "b", ")"});
  EXPECT_EQ(spaced.children[0].children[1].value, "b");

  SearchKey nested = Parse({"((seen))", "flagged"});
  ASSERT_EQ(nested.kind, Kind::kAnd);
  EXPECT_EQ(nested.children[0].kind, Kind::kFlagSet);
}

TEST(MessageQueryTest, ValueKeepsParenthesesOutsideGroups) {
  EXPECT_EQ(Parse({"subject", "(draft)"}).value, "(draft)");
  SearchKey key = Parse({"(subject", "x)", "seen"});
  ASSERT_EQ(key.kind, Kind::kAnd);
  EXPECT_EQ(key.children[0].value, "x");
}

TEST(MessageQueryTest, UidSets) {
  SearchKey key = Parse({"uid", "1:5,7,10:*"});
  ASSERT_EQ(key.kind, Kind::kUids);
  ASSERT_EQ(key.uids.size(), 3u);
  EXPECT_EQ(key.uids[0].first, 1u);
  EXPECT_EQ(key.uids[0].last, 5u);
  EXPECT_EQ(key.uids[1].first, 7u);
  EXPECT_EQ(key.uids[2].last, kHighestUidPlaceholder);
  EXPECT_TRUE(UsesHighestUid(key));
  ResolveHighestUid(key, 42);
  EXPECT_EQ(key.uids[2].last, 42u);
  EXPECT_FALSE(UsesHighestUid(key));
}

TEST(MessageQueryTest, DatesAndAges) {
  SearchKey key = Parse({"before", "1970-01-11"});
  EXPECT_EQ(key.kind, Kind::kBefore);
  EXPECT_EQ(key.number, 10);
  EXPECT_EQ(Parse({"on", "2024-02-29"}).kind, Kind::kOn);
  EXPECT_EQ(Parse({"savedsince", "2024-01-01"}).kind, Kind::kSavedSince);
  EXPECT_EQ(Parse({"savedon", "2024-01-01"}).kind, Kind::kSavedOn);

  key = Parse({"savedbefore", "30d"});
  EXPECT_EQ(key.kind, Kind::kSavedOlder);
  EXPECT_EQ(key.number, 30 * 86400 - 1);
  key = Parse({"since", "12h"});
  EXPECT_EQ(key.kind, Kind::kYounger);
  EXPECT_EQ(key.number, 12 * 3600);
  EXPECT_EQ(Parse({"savedsince", "2w"}).number, 14 * 86400);
}

TEST(MessageQueryTest, Sizes) {
  EXPECT_EQ(Parse({"larger", "10k"}).number, 10240);
  EXPECT_EQ(Parse({"smaller", "2M"}).number, 2 << 20);
  EXPECT_EQ(Parse({"larger", "100"}).kind, Kind::kLarger);
}

TEST(MessageQueryTest, ClearErrors) {
  EXPECT_NE(Error({"frob"}).find("unknown key 'frob'"), std::string::npos);
  EXPECT_NE(Error({"from"}).find("'from' needs a string"), std::string::npos);
  EXPECT_NE(Error({"before", "yesterday"}).find("not a date"),
            std::string::npos);
  EXPECT_NE(Error({"on", "2024-02-30"}).find("not a date"), std::string::npos);
  EXPECT_NE(Error({"on", "30d"}).find("not a date"), std::string::npos);
  EXPECT_NE(Error({"uid", "3:x"}).find("not a UID set"), std::string::npos);
  EXPECT_NE(Error({"uid", "0"}).find("not a UID set"), std::string::npos);
  EXPECT_NE(Error({"larger", "big"}).find("not a size"), std::string::npos);
  EXPECT_NE(Error({"(seen"}).find("without a matching ')'"),
            std::string::npos);
  EXPECT_NE(Error({"seen)"}).find("without a matching '('"),
            std::string::npos);
  EXPECT_NE(Error({"seen", "or"}).find("'or' needs"), std::string::npos);
  EXPECT_NE(Error({"or", "seen"}).find("'or' needs two keys"),
            std::string::npos);
  EXPECT_NE(Error({"not"}).find("missing"), std::string::npos);
}

TEST(MessageQueryTest, ParseWhen) {
  EXPECT_EQ(ParseWhen("1970-01-02", 0), 86400);
  EXPECT_EQ(ParseWhen("2d", 1000000), 1000000 - 2 * 86400);
  EXPECT_FALSE(ParseWhen("soon", 0).has_value());
}

}  // namespace
}  // namespace mailroom::server::admin
