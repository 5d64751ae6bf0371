// The part of a NOTIFY session that store notification callbacks reach: it
// decides, on the committing thread, whether a change event concerns the
// session, and queues what does until the session takes it.
//
// A session watching all mailboxes subscribes once with
// WatchChanges(std::nullopt, ...), so every commit on the server calls
// Offer() of every such session: Offer() is a hash lookup under an
// uncontended mutex. Message events are coalesced per mailbox (the session
// pulls the mailbox's status anyway), list and subscription events into
// one flag each. Offers beyond `max_pending` since the last Take() set the
// overflow mark (RFC 5465 section 5.8): the session then stops notifying.
//
// Thread-safety: thread-safe.
#ifndef MAILROOM_PROTOCOLS_IMAP_NOTIFY_FILTER_H_
#define MAILROOM_PROTOCOLS_IMAP_NOTIFY_FILTER_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "store/types.h"

namespace mailroom::imap {

class NotifyFilter {
 public:
  // What to let through. `user` is the session's user: subscription events
  // name the user whose subscriptions changed.
  struct Interest {
    absl::flat_hash_set<store::MailboxId> message_mailboxes;
    bool mailbox_list = false;
    bool subscriptions = false;
    std::string user;
    // Annotation changes (RFC 5464): of these mailboxes, of the server.
    absl::flat_hash_set<store::MailboxId> metadata_mailboxes;
    bool server_metadata = false;
  };

  // Entries that changed on a mailbox (0: the server), in commit order.
  struct MetadataChange {
    store::MailboxId mailbox = 0;
    std::vector<std::string> entries;
  };

  struct Pending {
    std::vector<store::MailboxId> mailboxes;  // in order of first change
    bool mailbox_list = false;
    bool subscriptions = false;
    std::vector<MetadataChange> metadata;
    bool overflow = false;
    bool empty() const {
      return mailboxes.empty() && !mailbox_list && !subscriptions &&
             metadata.empty() && !overflow;
    }
  };

  explicit NotifyFilter(size_t max_pending) : max_pending_(max_pending) {}

  void SetInterest(Interest interest);

  // Called by the store for every commit. Returns true when the session
  // should be woken: the first queued item since the last Take().
  bool Offer(const store::ChangeEvent& event);

  // Everything queued since the last call.
  Pending Take();

 private:
  const size_t max_pending_;
  absl::Mutex mu_;
  Interest interest_ ABSL_GUARDED_BY(mu_);
  Pending pending_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<store::MailboxId> queued_ ABSL_GUARDED_BY(mu_);
  size_t offered_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace mailroom::imap

#endif  // MAILROOM_PROTOCOLS_IMAP_NOTIFY_FILTER_H_
