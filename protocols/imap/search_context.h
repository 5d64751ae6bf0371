// Live search results (RFC 5267 section 4, CONTEXT=SEARCH and CONTEXT=SORT).
//
// SEARCH/SORT ... RETURN (UPDATE ...) leaves a context behind: its criteria
// and its result as UIDs. When the selected mailbox changes, the session
// re-tests only the messages that changed (new ones, and those whose modseq
// moved past what the context last saw) and tells the client how the result
// moved with ESEARCH ADDTO and REMOVEFROM. This file holds the bookkeeping;
// the store calls are in cmd_context.cc.
//
// Positions (section 4.3.2): for SORT contexts an update names the 1-based
// position of the first message of a run of consecutive ones, each update
// applied to the list as the previous ones left it; for SEARCH contexts the
// position is 0 (the result is a set in ascending order).
//
// Thread-safety: not thread-safe; owned by one session.
#ifndef MAILROOM_PROTOCOLS_IMAP_SEARCH_CONTEXT_H_
#define MAILROOM_PROTOCOLS_IMAP_SEARCH_CONTEXT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "protocols/imap/sort_thread.h"
#include "store/search_key.h"
#include "store/types.h"

namespace mailroom::imap {

// One step of turning a result into the next: ADDTO or REMOVEFROM.
struct ContextChange {
  bool add = false;
  uint32_t position = 0;          // 1-based for SORT, 0 for SEARCH
  std::vector<store::Uid> uids;   // consecutive in result order
};

// The steps that turn `before` into `after`: removals first (positions in
// the shrinking list), then additions (positions in the growing list).
// REQUIRES: messages in both lists keep their relative order (sort values
// never change; a SEARCH result is ascending).
std::vector<ContextChange> DiffResults(const std::vector<store::Uid>& before,
                                       const std::vector<store::Uid>& after,
                                       bool sorted);

struct SearchContext {
  std::string tag;
  bool uid = false;   // the client gets UIDs, else sequence numbers
  bool sort = false;  // SORT: order and positions matter
  store::SearchKey key;  // sequence sets already turned into UIDs
  std::vector<SortCriterion> criteria;
  std::vector<store::Uid> result;  // SEARCH: ascending; SORT: sort order
  // SORT: each member's sort values (id = UID), so that re-sorting loads
  // only the values of newcomers.
  absl::flat_hash_map<store::Uid, SortValues> values;
  store::Uid seen_max_uid = 0;    // messages above it are new to the context
  store::ModSeq seen_modseq = 0;  // changes above it are re-tested
};

// "ESEARCH (TAG "t") [UID] ADDTO (p set) REMOVEFROM (p set) ...", or "" for
// no changes. `number` maps a UID to its sequence number (for contexts
// not created by a UID command).
std::string ContextUpdateResponse(
    const SearchContext& context, const std::vector<ContextChange>& changes,
    const std::function<uint32_t(store::Uid)>& number);

// The PARTIAL return data (section 4.4): "PARTIAL (first:last set)" for the
// messages at 1-based positions first..last of `ordered`, "NIL" when none.
// `sorted`: keep the given order (SORT), else a plain ascending set.
std::string PartialResponse(std::pair<uint32_t, uint32_t> range,
                            const std::vector<uint32_t>& ordered, bool sorted);

// The live contexts of one session, at most `max` of them.
class SearchContexts {
 public:
  explicit SearchContexts(size_t max) : max_(max) {}

  void set_max(size_t max) { max_ = max; }
  size_t max() const { return max_; }
  bool Has(std::string_view tag) const;
  // Takes over `context`, replacing one with the same tag. False (and
  // nothing kept) when that would exceed the limit.
  bool Add(SearchContext context);
  // False when no context has this tag.
  bool Cancel(std::string_view tag);
  void Clear() { contexts_.clear(); }
  bool empty() const { return contexts_.empty(); }
  size_t size() const { return contexts_.size(); }
  std::vector<SearchContext>& all() { return contexts_; }

  // Drops expunged messages from every context; returns the REMOVEFROM
  // responses. Called before the EXPUNGEs go out, while `number` still
  // knows the messages' sequence numbers.
  std::vector<std::string> Expunge(
      const std::set<store::Uid>& uids,
      const std::function<uint32_t(store::Uid)>& number);

 private:
  size_t max_;
  std::vector<SearchContext> contexts_;
};

}  // namespace mailroom::imap

#endif  // MAILROOM_PROTOCOLS_IMAP_SEARCH_CONTEXT_H_
