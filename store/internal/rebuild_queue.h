// Owners whose full-text index must be rebuilt because a query found it
// missing or damaged. Search requests a rebuild; the indexer thread takes the
// requests, queues the owner's messages again (Store::Reindex) and reports
// when that work was applied. An owner is requested at most once until then,
// so a burst of searches over a lost index queues one rebuild, not one each.
//
// Thread-safety: thread-safe.
#ifndef MAILROOM_STORE_INTERNAL_REBUILD_QUEUE_H_
#define MAILROOM_STORE_INTERNAL_REBUILD_QUEUE_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "store/internal/sync.h"

namespace mailroom::store::internal {

class RebuildQueue {
 public:
  // Taken before a query; a failure seen by that query requests a rebuild
  // only if none finished since (the query may have read the old index).
  uint64_t Epoch();
  // True when `owner` was not already requested or being rebuilt, and no
  // rebuild of it finished after `epoch`.
  bool Request(std::string_view owner, uint64_t epoch);
  // The requested owners, now marked as being rebuilt.
  std::vector<std::string> Take();
  // The rebuild of `owners` (from Take) was applied to the index; a later
  // failure may request them again.
  void Done(const std::vector<std::string>& owners);
  bool Pending(std::string_view owner);

 private:
  enum class Stage { kRequested, kRebuilding };
  Mutex mu_;
  std::map<std::string, Stage, std::less<>> owners_ ABSL_GUARDED_BY(mu_);
  uint64_t epoch_ ABSL_GUARDED_BY(mu_) = 0;  // counts Done() calls
  // Epoch at which each owner's last rebuild finished.
  std::map<std::string, uint64_t, std::less<>> finished_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mailroom::store::internal

#endif  // MAILROOM_STORE_INTERNAL_REBUILD_QUEUE_H_
