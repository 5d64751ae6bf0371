// Every distinct word stored in one owner's database, held in memory so that
// a search key can be expanded to the words that contain it (IMAP matches
// inside words). Persisted in the database as metadata: the words new in one
// Apply() under one key, kWordChunkKeyPrefix + a 10-digit sequence number,
// newline-separated (a newline separates words, so no word holds one),
// written in the same transaction as the documents. One key per batch rather
// than per word: a metadata write is a B-tree insertion, and one per new
// word was the largest single cost of indexing after Xapian's own.
//
// In memory the words are also kept end to end in one buffer, each followed
// by a newline, so that finding the words holding a key part is one memmem
// pass over contiguous bytes instead of a call per word (the expansion ran
// on every text search and was most of a small search's time).
//
// Each word also carries the set of prefixes it is stored under (body, H, S,
// F, T, C, B, A: a FieldMask), so that a key on one field expands only to
// words that field holds: "com" starts 400 words of a mail corpus but 15
// From words, and every expanded word costs a posting-list lookup. The masks
// are not persisted: a database opened empty has them exact from the start
// (Add() records each word's prefix as documents are indexed); one opened
// with documents has them read from its header-field terms once by
// LearnFields(), which the index calls after its first commit (on the
// indexer's side) or, failing that, at the first header search. Body keys
// are not filtered.
//
// Thread-safety: not thread-safe; the owner's mutex guards it.
#ifndef MAILROOM_INDEX_VOCABULARY_H_
#define MAILROOM_INDEX_VOCABULARY_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "xapian.h"

namespace mailroom::index {

// One bit per word prefix of index/schema.h.
using FieldMask = uint8_t;
inline constexpr FieldMask kAnyField = 0xff;
// The bit of word prefix `prefix` ("" for the body); 0 for a prefix that
// holds no words.
FieldMask FieldBit(std::string_view prefix);

// The words one document stores, each with the prefixes it is stored
// under, gathered while the document is built (so that the writer need not
// walk the document's terms again).
class WordList {
 public:
  void Add(std::string_view word, FieldMask fields) {
    entries_.push_back({static_cast<uint32_t>(word.size()), fields});
    bytes_.append(word);
  }
  // Calls `visit(word, fields)` for each word, in the order added.
  template <typename Visit>
  void ForEach(Visit&& visit) const {
    size_t at = 0;
    for (const Entry& entry : entries_) {
      visit(std::string_view(bytes_).substr(at, entry.size), entry.fields);
      at += entry.size;
    }
  }
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    uint32_t size;
    FieldMask fields;
  };
  std::string bytes_;  // the words end to end
  std::vector<Entry> entries_;
};

class Vocabulary {
 public:
  bool loaded() const { return loaded_; }
  // Reads every word from the database's metadata. The fields of a
  // database without documents are known at once.
  void Load(const Xapian::Database& db);
  bool fields_learned() const { return fields_learned_; }
  // Learns which header-field prefixes hold each word from the database's
  // terms; nothing once they are known (until Clear()). True when it read
  // the terms.
  bool LearnFields(const Xapian::Database& db);
  void Clear();

  // Records `word`, stored under the prefixes of `fields`; a new one is
  // written by the next Flush().
  void Add(std::string_view word, FieldMask fields = kAnyField);
  // Records the words of a document being added.
  void Add(const WordList& words);
  // Writes the words added since the last Flush() to `db` (in the current
  // transaction). Nothing when there are none.
  void Flush(Xapian::WritableDatabase& db);

  // Which words FindWords() looks for: those holding `part` anywhere, those
  // beginning with it, those ending with it.
  enum class Match { kContains, kStartsWith, kEndsWith };
  // Appends the words matching `part` as `match` says to `out`, in the order
  // they were added (each once). Returns false (with `out` unspecified) when
  // more than `limit` match. The views stay valid until the next Add(),
  // Load() or Clear(). REQUIRES: `part` is not empty and holds no newline.
  bool FindWords(std::string_view part, Match match, size_t limit,
                 std::vector<std::string_view>* out) const;

  // The prefixes `word` is stored under (0 for a word never added); every
  // prefix before LearnFields(). The body bit is not reliable: body keys
  // are not filtered.
  FieldMask FieldsOf(std::string_view word) const;

  size_t size() const { return known_.size(); }

 private:
  bool loaded_ = false;
  bool fields_learned_ = false;
  // Every word and its prefixes. The words are kept in the table itself
  // (most are short enough to sit in the string): a lookup, made for every
  // word of every document indexed, touches one slot instead of following a
  // pointer to a separately allocated word.
  absl::flat_hash_map<std::string, FieldMask> known_;
  // Every word of known_, in the order added, each followed by '\n', after one
  // leading '\n': a word is "\n" word "\n" in it.
  std::string joined_ = "\n";
  std::string pending_;     // new words since the last Flush(), each + '\n'
  uint64_t next_chunk_ = 0;  // sequence number of the next chunk key
};

}  // namespace mailroom::index

#endif  // MAILROOM_INDEX_VOCABULARY_H_
