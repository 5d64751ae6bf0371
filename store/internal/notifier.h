// Fan-out of change events to watchers.
//
// Thread-safety: thread-safe. Publish() calls callbacks under a shared lock;
// destroying a Watch takes the lock exclusively, so once its destructor
// returns no call of its callback is in progress. A callback must therefore
// not destroy its own Watch nor call back into the store.
#ifndef MAILROOM_STORE_INTERNAL_NOTIFIER_H_
#define MAILROOM_STORE_INTERNAL_NOTIFIER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "store/internal/sync.h"
#include "store/store.h"

namespace mailroom::store::internal {

class Notifier : public std::enable_shared_from_this<Notifier> {
 public:
  using Callback = std::function<void(const ChangeEvent&)>;

  // The returned Watch may outlive the Notifier.
  std::unique_ptr<Watch> Subscribe(std::optional<MailboxId> mailbox,
                                   Callback callback);
  void Publish(const std::vector<ChangeEvent>& events);

 private:
  struct Entry {
    std::optional<MailboxId> mailbox;
    Callback callback;
  };
  friend class NotifierWatch;
  void Unsubscribe(uint64_t id);

  Mutex mu_;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<uint64_t, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mailroom::store::internal

#endif  // MAILROOM_STORE_INTERNAL_NOTIFIER_H_
