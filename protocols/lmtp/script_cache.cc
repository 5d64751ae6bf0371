#include "protocols/lmtp/script_cache.h"

#include <functional>
#include <utility>

#include "absl/strings/str_cat.h"

namespace mailroom::lmtp {

absl::StatusOr<std::shared_ptr<const sieve::Script>> ScriptCache::Get(
    std::string_view owner, std::string_view source,
    const sieve::Limits& limits) {
  std::string key = absl::StrCat(
      absl::string_view(owner.data(), owner.size()), "\n",
      std::hash<std::string_view>()(source));
  {
    absl::MutexLock lock(&mu_);
    auto it = index_.find(key);
    if (it != index_.end() && it->second->source == source) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return it->second->script;
    }
  }
  // Compiled outside the lock: a long script must not stall other
  // deliveries. Two sessions may compile the same script at once; the
  // second result replaces the first, which is harmless.
  absl::StatusOr<std::shared_ptr<const sieve::Script>> script =
      sieve::Compile(source, limits);
  absl::MutexLock lock(&mu_);
  ++compiles_;
  if (capacity_ == 0) return script;
  auto it = index_.find(key);
  if (it != index_.end()) {
    lru_.erase(it->second);
    index_.erase(it);
  }
  lru_.push_front(Entry{key, std::string(source), script});
  index_[key] = lru_.begin();
  while (lru_.size() > capacity_) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
  return script;
}

size_t ScriptCache::compiles() const {
  absl::MutexLock lock(&mu_);
  return compiles_;
}

}  // namespace mailroom::lmtp
