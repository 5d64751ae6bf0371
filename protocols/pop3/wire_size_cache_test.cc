#include "protocols/pop3/wire_size_cache.h"

#include "gtest/gtest.h"

namespace mailroom::pop3 {
namespace {

TEST(WireSizeCacheTest, FindsWhatWasInserted) {
  WireSizeCache cache(10);
  EXPECT_FALSE(cache.Find("abc").has_value());
  cache.Insert("abc", 42);
  EXPECT_EQ(cache.Find("abc"), 42u);
  EXPECT_FALSE(cache.Find("abd").has_value());
}

TEST(WireSizeCacheTest, EmptyBlobIdIsNeverCached) {
  WireSizeCache cache(10);
  cache.Insert("", 7);
  EXPECT_FALSE(cache.Find("").has_value());
  EXPECT_EQ(cache.size(), 0u);
}

TEST(WireSizeCacheTest, StaysWithinCapacity) {
  WireSizeCache cache(3);
  for (int i = 0; i < 10; ++i) cache.Insert(std::to_string(i), i);
  EXPECT_LE(cache.size(), 3u);
  EXPECT_EQ(cache.Find("9"), 9u);  // the latest is always kept
}

}  // namespace
}  // namespace mailroom::pop3
