// ENVELOPE, BODY and BODYSTRUCTURE texts and top-level header blocks
// (what BODY[HEADER], BODY[HEADER.FIELDS (...)] and RFC822.HEADER are cut
// from) of message bodies, keyed by the
// store's content hash (MessageMeta::blob_id). They depend only on the
// body's bytes, which never change under their hash, so an entry never goes
// stale: a client that asks again (a header list refreshed, a second
// device) is answered without a store read, as a mail store's cache file
// would.
//
// Bounded in bytes: past the bound the cache starts over.
//
// Thread-safety: thread-safe.
#ifndef MAILROOM_PROTOCOLS_IMAP_STRUCTURE_TEXT_CACHE_H_
#define MAILROOM_PROTOCOLS_IMAP_STRUCTURE_TEXT_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace mailroom::imap {

class StructureTextCache {
 public:
  enum class Kind : uint8_t { kEnvelope, kBody, kBodyStructure, kHeader };

  explicit StructureTextCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  // The one cache of the process (64 MiB; the plugin is loaded once).
  static StructureTextCache& Global();

  std::optional<std::string> Find(Kind kind, std::string_view blob_id) const;
  // The cached text itself, shared rather than copied (FETCH writes it
  // straight to the connection); nullptr when absent. Counts as Find.
  std::shared_ptr<const std::string> Share(Kind kind,
                                           std::string_view blob_id) const;
  bool Contains(Kind kind, std::string_view blob_id) const;
  void Insert(Kind kind, std::string_view blob_id, std::string_view text);
  // Inserts `text` and returns it shared (also when it was not kept).
  std::shared_ptr<const std::string> InsertShared(Kind kind,
                                                  std::string_view blob_id,
                                                  std::string text);
  size_t bytes() const;
  // Find calls answered from the cache, and those that were not.
  uint64_t hits() const;
  uint64_t misses() const;

 private:
  struct Key {
    uint64_t hash;
    Kind kind;
    bool operator==(const Key& o) const {
      return hash == o.hash && kind == o.kind;
    }
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.hash, k.kind);
    }
  };
  // A 64-bit hash stands for the (long) content hash.
  static Key KeyOf(Kind kind, std::string_view blob_id);

  const size_t max_bytes_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<Key, std::shared_ptr<const std::string>> texts_
      ABSL_GUARDED_BY(mu_);
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  mutable uint64_t hits_ ABSL_GUARDED_BY(mu_) = 0;
  mutable uint64_t misses_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace mailroom::imap

#endif  // MAILROOM_PROTOCOLS_IMAP_STRUCTURE_TEXT_CACHE_H_
