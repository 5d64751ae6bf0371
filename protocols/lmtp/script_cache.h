// Compiled Sieve scripts shared by every LMTP session of the process, so a
// delivery does not compile the same script again. Entries are keyed by the
// owner and a hash of the source (the full source is compared on a hit), so
// a script changed through ManageSieve or mailroomctl is recompiled on its
// next use without any invalidation message. Compile errors are cached
// too: a broken script costs one compile, not one per delivery. At most
// `capacity` entries; the least recently used one goes first.
//
// Thread-safety: thread-safe.
#ifndef MAILROOM_PROTOCOLS_LMTP_SCRIPT_CACHE_H_
#define MAILROOM_PROTOCOLS_LMTP_SCRIPT_CACHE_H_

#include <cstddef>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "sieve/limits.h"
#include "sieve/script.h"

namespace mailroom::lmtp {

class ScriptCache {
 public:
  explicit ScriptCache(size_t capacity) : capacity_(capacity) {}

  // The compiled `source` of `owner` ("" for global scripts), compiled
  // with `limits` when not cached. `limits` must be the same on every call
  // (they are the process's settings).
  absl::StatusOr<std::shared_ptr<const sieve::Script>> Get(
      std::string_view owner, std::string_view source,
      const sieve::Limits& limits);

  size_t compiles() const;  // for tests and benchmarks

 private:
  struct Entry {
    std::string key;
    std::string source;
    absl::StatusOr<std::shared_ptr<const sieve::Script>> script;
  };

  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::list<Entry> lru_ ABSL_GUARDED_BY(mu_);  // most recent first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_
      ABSL_GUARDED_BY(mu_);
  size_t compiles_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace mailroom::lmtp

#endif  // MAILROOM_PROTOCOLS_LMTP_SCRIPT_CACHE_H_
