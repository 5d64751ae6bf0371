#include "index/vocabulary.h"

#include <string.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>

#include "absl/strings/string_view.h"
#include "index/schema.h"

namespace mailroom::index {

namespace {

constexpr int kChunkDigits = 10;

// The table's lookups take absl's view (not std::string_view in every
// build of absl).
absl::string_view Key(std::string_view word) {
  return absl::string_view(word.data(), word.size());
}

// The word prefixes, in FieldMask bit order.
constexpr std::string_view kWordPrefixes[] = {
    kPrefixBody, kPrefixAnyHeader, kPrefixSubject, kPrefixFrom,
    kPrefixTo,   kPrefixCc,        kPrefixBcc,     kPrefixAttachment};
static_assert(std::size(kWordPrefixes) <= 8 * sizeof(FieldMask));

// Splits a term into its word prefix's bit and the word; false for a term
// that is no word (ids, mailboxes, dates, markers: Q and X...). Folded text
// holds no upper-case ASCII, so a word term's prefix is its upper-case head.
bool SplitWordTerm(std::string_view term, FieldMask* bit,
                   std::string_view* word) {
  if (term.empty()) return false;
  size_t head = 0;
  while (head < term.size() && term[head] >= 'A' && term[head] <= 'Z') ++head;
  *bit = FieldBit(term.substr(0, head));
  *word = term.substr(head);
  return *bit != 0 && !word->empty();
}

}  // namespace

FieldMask FieldBit(std::string_view prefix) {
  for (size_t i = 0; i < std::size(kWordPrefixes); ++i) {
    if (prefix == kWordPrefixes[i]) return static_cast<FieldMask>(1u << i);
  }
  return 0;
}

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
      if (!word.empty() && known_.try_emplace(Key(word), 0).second) {
        joined_.append(word).push_back('\n');
      }
      start = end + 1;
    }
  }
  loaded_ = true;
  // No term to learn from: words left by removed documents are in no field,
  // as LearnFields() would find, and Add() records every later one's.
  fields_learned_ = db.get_doccount() == 0;
}

bool Vocabulary::LearnFields(const Xapian::Database& db) {
  if (fields_learned_) return false;
  // One pass over the header-field terms (upper-case prefixes), skipping
  // the per-document ids (Q) and the boolean X terms; body terms (no
  // prefix) sort after them and are not needed (body keys are not
  // filtered).
  auto it = db.allterms_begin();
  it.skip_to("A");
  while (it != db.allterms_end()) {
    const std::string term = *it;
    if (static_cast<unsigned char>(term[0]) > 'Z') break;
    if (term[0] == 'Q' || term[0] == 'X') {
      it.skip_to(std::string(1, static_cast<char>(term[0] + 1)));
      continue;
    }
    FieldMask bit = 0;
    std::string_view word;
    if (SplitWordTerm(term, &bit, &word)) {
      if (auto known = known_.find(Key(word)); known != known_.end()) {
        known->second |= bit;
      }
    }
    ++it;
  }
  fields_learned_ = true;
  return true;
}

void Vocabulary::Clear() {
  fields_learned_ = false;
  known_.clear();
  joined_.assign(1, '\n');
  pending_.clear();
  next_chunk_ = 0;
  loaded_ = false;
}

void Vocabulary::Add(std::string_view word, FieldMask fields) {
  auto [known, added] = known_.try_emplace(Key(word), fields);
  if (!added) {
    known->second |= fields;
    return;
  }
  joined_.append(word).push_back('\n');
  pending_.append(word).push_back('\n');
}

void Vocabulary::Add(const WordList& words) {
  words.ForEach([this](std::string_view word, FieldMask fields) {
    Add(word, fields);
  });
}

FieldMask Vocabulary::FieldsOf(std::string_view word) const {
  if (!fields_learned_) return kAnyField;
  auto known = known_.find(Key(word));
  return known == known_.end() ? 0 : known->second;
}

void Vocabulary::Flush(Xapian::WritableDatabase& db) {
  if (pending_.empty()) return;
  std::string key = std::to_string(next_chunk_++);
  key.insert(0, kChunkDigits - std::min<size_t>(key.size(), kChunkDigits), '0');
  db.set_metadata(std::string(kWordChunkKeyPrefix).append(key), pending_);
  pending_.clear();
}

bool Vocabulary::FindWords(std::string_view part, Match match, size_t limit,
                           std::vector<std::string_view>* out) const {
  // A start or end of a word is next to a newline in joined_: look for the
  // newline too, so every hit is a matching word.
  std::string needle;
  if (match == Match::kStartsWith) needle.push_back('\n');
  needle.append(part);
  if (match == Match::kEndsWith) needle.push_back('\n');
  const char* const begin = joined_.data();
  const char* const end = begin + joined_.size();
  const char* at = begin;
  while (at < end) {
    const void* hit = memmem(at, end - at, needle.data(), needle.size());
    if (hit == nullptr) break;
    const char* h = static_cast<const char*>(hit);
    // The word holding the hit: from after the newline before it (the hit's
    // own newline for kStartsWith) to the next newline.
    const char* word_begin =
        match == Match::kStartsWith
            ? h + 1
            : static_cast<const char*>(memrchr(begin, '\n', h - begin)) + 1;
    const char* word_end =
        match == Match::kEndsWith
            ? h + needle.size() - 1
            : static_cast<const char*>(memchr(h + 1, '\n', end - h - 1));
    if (out->size() >= limit) return false;
    out->emplace_back(word_begin, word_end - word_begin);
    at = word_end;  // the next word starts after this newline
  }
  return true;
}

}  // namespace mailroom::index
