#include "store/internal/queued_text_cache.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace mailroom::store::internal {
namespace {

std::shared_ptr<const FoldedText> Text(size_t body_bytes) {
  auto text = std::make_shared<FoldedText>();
  text->body.assign(body_bytes, 'x');
  text->headers.push_back({"subject", "hello"});
  return text;
}

TEST(QueuedTextCacheTest, KeepsTextsByBlob) {
  QueuedTextCache cache(1 << 20);
  EXPECT_EQ(cache.Get("a"), nullptr);
  auto text = Text(100);
  cache.Put("a", text);
  EXPECT_EQ(cache.Get("a"), text);
  EXPECT_EQ(cache.Get("b"), nullptr);
}

TEST(QueuedTextCacheTest, DropsTheOldestPastTheBound) {
  const uint64_t one = QueuedTextCache::BytesOf(*Text(1000));
  QueuedTextCache cache(2 * one + one / 2);
  cache.Put("a", Text(1000));
  cache.Put("b", Text(1000));
  cache.Put("a", Text(1000));  // already kept: neither added nor renewed
  EXPECT_NE(cache.Get("a"), nullptr);
  cache.Put("c", Text(1000));
  EXPECT_EQ(cache.Get("a"), nullptr);
  EXPECT_NE(cache.Get("b"), nullptr);
  EXPECT_NE(cache.Get("c"), nullptr);
}

TEST(QueuedTextCacheTest, ATextLargerThanTheBoundIsNotKept) {
  QueuedTextCache cache(500);
  cache.Put("big", Text(1000));
  EXPECT_EQ(cache.Get("big"), nullptr);
  cache.Put("small", Text(10));
  EXPECT_NE(cache.Get("small"), nullptr);
}

}  // namespace
}  // namespace mailroom::store::internal
