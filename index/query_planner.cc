#include "index/query_planner.h"

#include <string>
#include <vector>

#include "index/document_builder.h"
#include "index/ngrams.h"
#include "index/schema.h"

namespace mailroom::index {

namespace {

using Kind = store::SearchKey::Kind;

CandidatePlan All(bool exact) { return {Xapian::Query::MatchAll, exact}; }

// Documents whose `prefix` field holds `folded` (non-empty): exactly when it
// is a single n-gram, else a superset (all of its longest n-grams).
CandidatePlan Grams(std::string_view prefix, const std::string& folded) {
  if (CountCodePoints(folded) <= kGramLength) {
    return {Xapian::Query(std::string(prefix).append(folded)), true};
  }
  std::vector<Xapian::Query> terms;
  for (std::string_view gram : DistinctGramsOfLength(folded, kGramLength)) {
    terms.emplace_back(std::string(prefix).append(gram));
  }
  return {Xapian::Query(Xapian::Query::OP_AND, terms.begin(), terms.end()),
          false};
}

CandidatePlan Combine(Xapian::Query::op op, const CompiledKey& key) {
  std::vector<Xapian::Query> parts;
  bool exact = true;
  for (const CompiledKey& child : key.children) {
    CandidatePlan plan = PlanCandidates(child);
    parts.push_back(std::move(plan.query));
    exact = exact && plan.exact;
  }
  return {Xapian::Query(op, parts.begin(), parts.end()), exact};
}

CandidatePlan Header(const CompiledKey& key) {
  const std::string present = FieldPresentTerm(key.field);
  if (key.folded.empty()) {
    if (present.empty()) return All(false);
    return {Xapian::Query(present), true};
  }
  if (std::string_view prefix = FieldPrefix(key.field); !prefix.empty()) {
    return Grams(prefix, key.folded);
  }
  CandidatePlan plan = Grams(kPrefixAnyHeader, key.folded);
  if (!present.empty()) {
    plan.query =
        Xapian::Query(Xapian::Query::OP_AND, plan.query, Xapian::Query(present));
  }
  plan.exact = false;  // the trigrams may be in another field
  return plan;
}

}  // namespace

CandidatePlan PlanCandidates(const CompiledKey& key) {
  switch (key.kind) {
    case Kind::kAnd:
      if (key.children.empty()) return All(true);
      return Combine(Xapian::Query::OP_AND, key);
    case Kind::kOr:
      if (key.children.empty()) return {Xapian::Query::MatchNothing, true};
      return Combine(Xapian::Query::OP_OR, key);
    case Kind::kNot: {
      CandidatePlan inner = PlanCandidates(key.children[0]);
      if (!inner.exact) return All(false);
      return {Xapian::Query(Xapian::Query::OP_AND_NOT, Xapian::Query::MatchAll,
                            inner.query),
              true};
    }
    case Kind::kHeader:
      return Header(key);
    case Kind::kBody:
      if (key.folded.empty()) return All(true);
      return Grams(kPrefixBody, key.folded);
    case Kind::kText: {
      if (key.folded.empty()) return All(true);
      CandidatePlan headers = Grams(kPrefixAnyHeader, key.folded);
      CandidatePlan body = Grams(kPrefixBody, key.folded);
      return {Xapian::Query(Xapian::Query::OP_OR, headers.query, body.query),
              headers.exact && body.exact};
    }
    default:
      return All(true);  // kAll
  }
}

}  // namespace mailroom::index
