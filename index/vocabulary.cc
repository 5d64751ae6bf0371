#include "index/vocabulary.h"

#include <algorithm>
#include <cstdlib>

#include "index/schema.h"

namespace mailroom::index {

namespace {

constexpr int kChunkDigits = 10;

}  // namespace

void Vocabulary::Load(const Xapian::Database& db) {
  Clear();
  const std::string prefix = kWordChunkKeyPrefix;
  for (auto it = db.metadata_keys_begin(prefix);
       it != db.metadata_keys_end(prefix); ++it) {
    const std::string& key = *it;
    const uint64_t chunk =
        std::strtoull(key.c_str() + prefix.size(), nullptr, 10);
    next_chunk_ = std::max(next_chunk_, chunk + 1);
    const std::string words = db.get_metadata(key);
    size_t start = 0;
    while (start < words.size()) {
      size_t end = words.find('\n', start);
      if (end == std::string::npos) end = words.size();
      std::string_view word(words.data() + start, end - start);
      if (!word.empty() && !known_.contains(word)) {
        words_.emplace_back(word);
        known_.insert(words_.back());
      }
      start = end + 1;
    }
  }
  loaded_ = true;
}

void Vocabulary::Clear() {
  known_.clear();
  words_.clear();
  pending_.clear();
  next_chunk_ = 0;
  loaded_ = false;
}

void Vocabulary::Add(std::string_view word) {
  if (known_.contains(word)) return;
  words_.emplace_back(word);
  known_.insert(words_.back());
  pending_.append(word).push_back('\n');
}

void Vocabulary::Flush(Xapian::WritableDatabase& db) {
  if (pending_.empty()) return;
  std::string key = std::to_string(next_chunk_++);
  key.insert(0, kChunkDigits - std::min<size_t>(key.size(), kChunkDigits), '0');
  db.set_metadata(std::string(kWordChunkKeyPrefix).append(key), pending_);
  pending_.clear();
}

bool Vocabulary::Find(const std::function<bool(std::string_view)>& pred,
                      size_t limit, std::vector<std::string_view>* out) const {
  for (const std::string& word : words_) {
    if (!pred(word)) continue;
    if (out->size() >= limit) return false;
    out->push_back(word);
  }
  return true;
}

}  // namespace mailroom::index
