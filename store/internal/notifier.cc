#include "store/internal/notifier.h"

namespace mailroom::store::internal {

class NotifierWatch : public Watch {
 public:
  NotifierWatch(std::weak_ptr<Notifier> notifier, uint64_t id)
      : notifier_(std::move(notifier)), id_(id) {}
  ~NotifierWatch() override {
    if (std::shared_ptr<Notifier> n = notifier_.lock()) n->Unsubscribe(id_);
  }

 private:
  std::weak_ptr<Notifier> notifier_;
  uint64_t id_;
};

std::unique_ptr<Watch> Notifier::Subscribe(std::optional<MailboxId> mailbox,
                                           Callback callback) {
  MutexLock lock(&mu_);
  uint64_t id = next_id_++;
  entries_[id] = Entry{mailbox, std::move(callback)};
  return std::make_unique<NotifierWatch>(weak_from_this(), id);
}

void Notifier::Unsubscribe(uint64_t id) {
  MutexLock lock(&mu_);
  entries_.erase(id);
}

void Notifier::Publish(const std::vector<ChangeEvent>& events) {
  if (events.empty()) return;
  ReaderMutexLock lock(&mu_);
  for (const ChangeEvent& event : events) {
    for (const auto& [id, entry] : entries_) {
      if (!entry.mailbox.has_value() || *entry.mailbox == event.mailbox) {
        entry.callback(event);
      }
    }
  }
}

}  // namespace mailroom::store::internal
