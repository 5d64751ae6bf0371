// The folded text of messages still queued for the full-text index, kept
// while a delivery burst is indexed in the background.
//
// A text search during a burst matches the queued messages of its mailbox
// on their text itself (StoreImpl::PrepareIndexForSearch). Decoding and
// folding is most of that cost, and every search until the indexer catches
// up would pay it again for the same messages; this keeps the result, by
// blob, so the next search only matches. Entries are useful for seconds:
// the oldest go first once the byte bound is reached.
//
// Thread-safety: thread-safe.
#ifndef MAILROOM_STORE_INTERNAL_QUEUED_TEXT_CACHE_H_
#define MAILROOM_STORE_INTERNAL_QUEUED_TEXT_CACHE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "store/internal/search_eval.h"
#include "store/internal/sync.h"

namespace mailroom::store::internal {

class QueuedTextCache {
 public:
  explicit QueuedTextCache(uint64_t max_bytes) : max_bytes_(max_bytes) {}

  // The text kept for blob `hash`, or null.
  std::shared_ptr<const FoldedText> Get(std::string_view hash);
  // Keeps `text` for blob `hash`, dropping the oldest entries past the bound.
  // A text larger than the whole bound is not kept.
  void Put(std::string_view hash, std::shared_ptr<const FoldedText> text);

  // Approximate bytes a text holds in memory.
  static uint64_t BytesOf(const FoldedText& text);

 private:
  const uint64_t max_bytes_;
  Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const FoldedText>> kept_
      ABSL_GUARDED_BY(mu_);
  std::deque<std::string> order_ ABSL_GUARDED_BY(mu_);  // oldest first
  uint64_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace mailroom::store::internal

#endif  // MAILROOM_STORE_INTERNAL_QUEUED_TEXT_CACHE_H_
