// Sizes of message bodies as POP3 sends them (see message_lines.h), keyed
// by the store's content hash (MessageMeta::blob_id). A body never changes
// under its hash, so an entry never goes stale: a client that polls a
// maildrop every few minutes only pays for reading the new messages.
//
// Bounded: past `capacity` entries the cache starts over.
//
// Thread-safety: thread-safe.
#ifndef MAILROOM_PROTOCOLS_POP3_WIRE_SIZE_CACHE_H_
#define MAILROOM_PROTOCOLS_POP3_WIRE_SIZE_CACHE_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace mailroom::pop3 {

class WireSizeCache {
 public:
  explicit WireSizeCache(size_t capacity) : capacity_(capacity) {}

  // The one cache of the process (the plugin is loaded once).
  static WireSizeCache& Global();

  std::optional<uint64_t> Find(std::string_view blob_id) const;
  void Insert(std::string_view blob_id, uint64_t wire_size);
  size_t size() const;

 private:
  // A 64-bit hash stands for the (long) content hash: 16 bytes an entry.
  static uint64_t Key(std::string_view blob_id);

  const size_t capacity_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, uint64_t> sizes_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mailroom::pop3

#endif  // MAILROOM_PROTOCOLS_POP3_WIRE_SIZE_CACHE_H_
