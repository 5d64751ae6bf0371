#include "protocols/pop3/wire_size_cache.h"

#include <functional>
#include <string>

namespace mailroom::pop3 {

WireSizeCache& WireSizeCache::Global() {
  // About 32 MB at most.
  static WireSizeCache* cache = new WireSizeCache(1 << 20);
  return *cache;
}

uint64_t WireSizeCache::Key(std::string_view blob_id) {
  return std::hash<std::string_view>()(blob_id);
}

std::optional<uint64_t> WireSizeCache::Find(std::string_view blob_id) const {
  if (blob_id.empty()) return std::nullopt;
  absl::MutexLock lock(&mu_);
  auto it = sizes_.find(Key(blob_id));
  if (it == sizes_.end()) return std::nullopt;
  return it->second;
}

void WireSizeCache::Insert(std::string_view blob_id, uint64_t wire_size) {
  if (blob_id.empty()) return;
  absl::MutexLock lock(&mu_);
  if (sizes_.size() >= capacity_) sizes_.clear();
  sizes_[Key(blob_id)] = wire_size;
}

size_t WireSizeCache::size() const {
  absl::MutexLock lock(&mu_);
  return sizes_.size();
}

}  // namespace mailroom::pop3
