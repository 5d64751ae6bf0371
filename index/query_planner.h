// Turns a compiled text key tree into a Xapian query over trigram terms that
// matches a superset of the answer, and says whether it is the exact answer
// (then no document needs verifying).
//
// Thread-safety: pure function.
#ifndef MAILROOM_INDEX_QUERY_PLANNER_H_
#define MAILROOM_INDEX_QUERY_PLANNER_H_

#include "index/matcher.h"
#include "xapian.h"

namespace mailroom::index {

struct CandidatePlan {
  Xapian::Query query;  // not yet restricted to a mailbox
  bool exact = true;
};

CandidatePlan PlanCandidates(const CompiledKey& key);

}  // namespace mailroom::index

#endif  // MAILROOM_INDEX_QUERY_PLANNER_H_
