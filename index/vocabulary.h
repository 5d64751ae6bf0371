// Every distinct word stored in one owner's database, held in memory so that
// a search key can be expanded to the words that contain it (IMAP matches
// inside words). Persisted in the database as metadata keys
// kWordKeyPrefix + word, written in the same transaction as the documents.
//
// Thread-safety: not thread-safe; the owner's mutex guards it.
#ifndef MAILROOM_INDEX_VOCABULARY_H_
#define MAILROOM_INDEX_VOCABULARY_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "xapian.h"

namespace mailroom::index {

class Vocabulary {
 public:
  bool loaded() const { return loaded_; }
  // Reads every word from the database's metadata.
  void Load(const Xapian::Database& db);
  void Clear();

  // Records `word`; when it is new, also writes it to `db` (in the current
  // transaction).
  void Add(std::string_view word, Xapian::WritableDatabase& db);

  // Appends the words satisfying `pred` to `out`. Returns false (with `out`
  // unspecified) when more than `limit` match.
  bool Find(const std::function<bool(std::string_view)>& pred, size_t limit,
            std::vector<std::string_view>* out) const;

  size_t size() const { return words_.size(); }

 private:
  bool loaded_ = false;
  std::deque<std::string> words_;  // stable addresses for the views below
  absl::flat_hash_set<std::string_view> known_;
};

}  // namespace mailroom::index

#endif  // MAILROOM_INDEX_VOCABULARY_H_
