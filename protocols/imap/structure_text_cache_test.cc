#include "protocols/imap/structure_text_cache.h"

#include "gtest/gtest.h"

namespace mailroom::imap {
namespace {

using Kind = StructureTextCache::Kind;

TEST(StructureTextCacheTest, FindsWhatWasInsertedByKindAndBody) {
  StructureTextCache cache(1 << 20);
  cache.Insert(Kind::kEnvelope, "aa", "(env)");
  cache.Insert(Kind::kBodyStructure, "aa", "(bs)");
  EXPECT_EQ(cache.Find(Kind::kEnvelope, "aa"), "(env)");
  EXPECT_EQ(cache.Find(Kind::kBodyStructure, "aa"), "(bs)");
  EXPECT_FALSE(cache.Find(Kind::kBody, "aa").has_value());
  EXPECT_FALSE(cache.Find(Kind::kEnvelope, "bb").has_value());
  EXPECT_TRUE(cache.Contains(Kind::kEnvelope, "aa"));
  EXPECT_FALSE(cache.Contains(Kind::kEnvelope, ""));
}

TEST(StructureTextCacheTest, StaysWithinItsBound) {
  StructureTextCache cache(1000);
  for (int i = 0; i < 100; ++i) {
    cache.Insert(Kind::kBody, std::to_string(i), std::string(100, 'x'));
    EXPECT_LE(cache.bytes(), 1000u);
  }
  EXPECT_TRUE(cache.Contains(Kind::kBody, "99"));
  cache.Insert(Kind::kBody, "huge", std::string(5000, 'x'));
  EXPECT_FALSE(cache.Contains(Kind::kBody, "huge"));
}

}  // namespace
}  // namespace mailroom::imap
