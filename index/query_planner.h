// Finds, for a compiled text key tree, the documents of one mailbox that
// certainly match (`sure`) and those that might (`maybe`, to be verified
// against their stored text), from the word terms of index/schema.h. Every
// matching document is in one of the two sets, and none is in both.
//
// Leaves read the posting lists of their word terms directly (boolean work
// needs no ranked Enquire); the AND/OR/NOT structure is combined here as
// sorted docid sets, which makes NOT exact where the leaves are.
//
// Thread-safety: not thread-safe (uses a Xapian database handle); Xapian
// errors propagate as exceptions to the caller's boundary.
#ifndef MAILROOM_INDEX_QUERY_PLANNER_H_
#define MAILROOM_INDEX_QUERY_PLANNER_H_

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

Candidates FindCandidates(const CompiledKey& key, const Vocabulary& vocabulary,
                          Xapian::Database& db, store::MailboxId mailbox);

}  // namespace mailroom::index

#endif  // MAILROOM_INDEX_QUERY_PLANNER_H_
