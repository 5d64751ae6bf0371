#include "protocols/imap/structure_text_cache.h"

#include <functional>
#include <utility>

namespace mailroom::imap {

namespace {
// Per entry beyond its text: key, string header and table slot.
constexpr size_t kEntryOverhead = 64;
}  // namespace

StructureTextCache& StructureTextCache::Global() {
  static StructureTextCache* cache = new StructureTextCache(64 << 20);
  return *cache;
}

StructureTextCache::Key StructureTextCache::KeyOf(Kind kind,
                                                  std::string_view blob_id) {
  return Key{std::hash<std::string_view>()(blob_id), kind};
}

std::optional<std::string> StructureTextCache::Find(
    Kind kind, std::string_view blob_id) const {
  std::shared_ptr<const std::string> text = Share(kind, blob_id);
  if (text == nullptr) return std::nullopt;
  return *text;
}

std::shared_ptr<const std::string> StructureTextCache::Share(
    Kind kind, std::string_view blob_id) const {
  if (blob_id.empty()) return nullptr;
  absl::MutexLock lock(&mu_);
  auto it = texts_.find(KeyOf(kind, blob_id));
  if (it == texts_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  return it->second;
}

bool StructureTextCache::Contains(Kind kind, std::string_view blob_id) const {
  if (blob_id.empty()) return false;
  absl::MutexLock lock(&mu_);
  return texts_.contains(KeyOf(kind, blob_id));
}

void StructureTextCache::Insert(Kind kind, std::string_view blob_id,
                                std::string_view text) {
  InsertShared(kind, blob_id, std::string(text));
}

std::shared_ptr<const std::string> StructureTextCache::InsertShared(
    Kind kind, std::string_view blob_id, std::string text) {
  const size_t cost = text.size() + kEntryOverhead;
  auto shared = std::make_shared<const std::string>(std::move(text));
  if (blob_id.empty() || cost > max_bytes_) return shared;
  absl::MutexLock lock(&mu_);
  if (bytes_ + cost > max_bytes_) {
    texts_.clear();
    bytes_ = 0;
  }
  auto [it, inserted] = texts_.try_emplace(KeyOf(kind, blob_id), shared);
  if (inserted) bytes_ += cost;
  return it->second;
}

size_t StructureTextCache::bytes() const {
  absl::MutexLock lock(&mu_);
  return bytes_;
}

uint64_t StructureTextCache::hits() const {
  absl::MutexLock lock(&mu_);
  return hits_;
}

uint64_t StructureTextCache::misses() const {
  absl::MutexLock lock(&mu_);
  return misses_;
}

}  // namespace mailroom::imap
