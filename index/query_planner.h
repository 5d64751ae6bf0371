// Finds, for a compiled text key tree, the documents of one mailbox that
// certainly match (`sure`) and those that might (`maybe`, to be verified
// against their stored text), from the word terms of index/schema.h. Every
// matching document is in one of the two sets, and none is in both.
//
// A key of several words is placed by word positions first (a phrase
// query): when its words are separated by single spaces the positions give
// the exact answer, otherwise they narrow the documents to verify to those
// holding the words in order, close together.
//
// Leaves read the posting lists of their word terms directly (boolean work
// needs no ranked Enquire); the AND/OR/NOT structure is combined here as
// sorted docid sets, which makes NOT exact where the leaves are.
//
// Thread-safety: not thread-safe (uses a Xapian database handle); Xapian
// errors propagate as exceptions to the caller's boundary.
#ifndef MAILROOM_INDEX_QUERY_PLANNER_H_
#define MAILROOM_INDEX_QUERY_PLANNER_H_

#include <atomic>
#include <cstdint>
#include <vector>

#include "index/matcher.h"
#include "index/vocabulary.h"
#include "store/types.h"
#include "xapian.h"

namespace mailroom::index {

struct Candidates {
  std::vector<Xapian::docid> sure;   // ascending
  std::vector<Xapian::docid> maybe;  // ascending
};

// A key word expanding to more vocabulary words than this does not narrow
// the search (its documents are verified instead).
inline constexpr size_t kMaxExpansion = 500000;
// An end word of a phrase expanding to more words than this is left out of
// the phrase (placing it would read too many position lists).
inline constexpr size_t kMaxPhraseExpansion = 2000;
// Words of a key placed by positions (a window must stay below kFieldGap).
inline constexpr size_t kMaxPhraseWords = 64;

// How keys were answered, since the process started: for tests and
// benchmarks. Thread-safe.
struct PlannerCounters {
  std::atomic<uint64_t> phrases_from_positions{0};  // placed by positions
  std::atomic<uint64_t> phrases_sure{0};  // of which answered exactly
  std::atomic<uint64_t> documents_verified{0};  // checked against their text
  std::atomic<uint64_t> sent_dates{0};  // SENT* keys answered from day terms
  // Key words expanded over the vocabulary for one prefix, and of those,
  // the searches of the vocabulary itself (once per word and match in a
  // query, whatever the number of prefixes).
  std::atomic<uint64_t> expansions{0};
  std::atomic<uint64_t> vocabulary_searches{0};
  // Words those expansions gave (each a posting list to read).
  std::atomic<uint64_t> words_expanded{0};
  // Header searches that had to learn the fields of the vocabulary's words
  // first (Vocabulary::LearnFields).
  std::atomic<uint64_t> fields_learned_by_queries{0};
};
PlannerCounters& GetPlannerCounters();

Candidates FindCandidates(const CompiledKey& key, const Vocabulary& vocabulary,
                          Xapian::Database& db, store::MailboxId mailbox);

// The documents of `mailbox` whose Date: header day (in its own zone)
// satisfies a kSentBefore / kSentOn / kSentSince key comparing with `day`
// (days since the epoch), and, apart, those without a usable Date: header
// (the caller decides those by their internal date). Both ascending.
struct SentDateDocs {
  std::vector<Xapian::docid> matches;
  std::vector<Xapian::docid> undated;
};
SentDateDocs FindSentDate(store::SearchKey::Kind kind, int64_t day,
                          Xapian::Database& db, store::MailboxId mailbox);

}  // namespace mailroom::index

#endif  // MAILROOM_INDEX_QUERY_PLANNER_H_
