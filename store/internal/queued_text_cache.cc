#include "store/internal/queued_text_cache.h"

#include <utility>

#include "absl/strings/string_view.h"

namespace mailroom::store::internal {

uint64_t QueuedTextCache::BytesOf(const FoldedText& text) {
  uint64_t bytes = sizeof(FoldedText) + text.body.size();
  for (const auto& [name, value] : text.headers) {
    bytes += name.size() + value.size() + 2 * sizeof(std::string);
  }
  for (const std::string& name : text.attachment_names) {
    bytes += name.size() + sizeof(std::string);
  }
  return bytes;
}

std::shared_ptr<const FoldedText> QueuedTextCache::Get(std::string_view hash) {
  MutexLock lock(&mu_);
  // This Abseil looks up by its own string_view only.
  auto it = kept_.find(absl::string_view(hash.data(), hash.size()));
  return it == kept_.end() ? nullptr : it->second;
}

void QueuedTextCache::Put(std::string_view hash,
                          std::shared_ptr<const FoldedText> text) {
  const uint64_t bytes = BytesOf(*text);
  if (bytes > max_bytes_) return;
  MutexLock lock(&mu_);
  auto [it, added] = kept_.try_emplace(std::string(hash), std::move(text));
  if (!added) return;
  order_.emplace_back(hash);
  bytes_ += bytes;
  while (bytes_ > max_bytes_ && !order_.empty()) {
    auto oldest = kept_.find(order_.front());
    order_.pop_front();
    if (oldest == kept_.end()) continue;
    bytes_ -= BytesOf(*oldest->second);
    kept_.erase(oldest);
  }
}

}  // namespace mailroom::store::internal
