#include "protocols/imap/notify_filter.h"

#include <utility>

namespace mailroom::imap {

void NotifyFilter::SetInterest(Interest interest) {
  absl::MutexLock lock(&mu_);
  interest_ = std::move(interest);
}

bool NotifyFilter::Offer(const store::ChangeEvent& event) {
  absl::MutexLock lock(&mu_);
  if (pending_.overflow) return false;  // nothing more until taken
  const bool was_empty = pending_.empty();
  switch (event.kind) {
    case store::ChangeEvent::kMessages:
      if (!interest_.message_mailboxes.contains(event.mailbox)) return false;
      if (queued_.insert(event.mailbox).second) {
        pending_.mailboxes.push_back(event.mailbox);
      }
      break;
    case store::ChangeEvent::kMailboxList:
      // Any mailbox's list change may be a right granted to or taken from
      // this user, so every one makes the session look again.
      if (!interest_.mailbox_list) return false;
      pending_.mailbox_list = true;
      break;
    case store::ChangeEvent::kSubscriptions:
      if (!interest_.subscriptions || event.owner != interest_.user) {
        return false;
      }
      pending_.subscriptions = true;
      break;
    case store::ChangeEvent::kMetadata:
      if (event.mailbox == 0 ? !interest_.server_metadata
                             : !interest_.metadata_mailboxes.contains(
                                   event.mailbox)) {
        return false;
      }
      pending_.metadata.push_back({event.mailbox, event.entries});
      break;
  }
  if (++offered_ > max_pending_) pending_.overflow = true;
  return was_empty;
}

NotifyFilter::Pending NotifyFilter::Take() {
  absl::MutexLock lock(&mu_);
  Pending out = std::move(pending_);
  pending_ = Pending();
  queued_.clear();
  offered_ = 0;
  return out;
}

}  // namespace mailroom::imap
