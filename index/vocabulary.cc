#include "index/vocabulary.h"

#include "index/schema.h"

namespace mailroom::index {

void Vocabulary::Load(const Xapian::Database& db) {
  Clear();
  const std::string prefix = kWordKeyPrefix;
  for (auto it = db.metadata_keys_begin(prefix); it != db.metadata_keys_end(prefix);
       ++it) {
    const std::string& key = *it;
    words_.push_back(key.substr(prefix.size()));
    known_.insert(words_.back());
  }
  loaded_ = true;
}

void Vocabulary::Clear() {
  known_.clear();
  words_.clear();
  loaded_ = false;
}

void Vocabulary::Add(std::string_view word, Xapian::WritableDatabase& db) {
  if (known_.contains(word)) return;
  words_.emplace_back(word);
  known_.insert(words_.back());
  db.set_metadata(std::string(kWordKeyPrefix).append(word), "-");
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
