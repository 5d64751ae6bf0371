#include "protocols/imap/mailbox_view.h"

#include <algorithm>

namespace mailroom::imap {

MailboxView::MailboxView(store::MailboxSnapshot snapshot)
    : status_(snapshot.status),
      name_(std::move(snapshot.name)),
      rights_(std::move(snapshot.rights)),
      read_only_(snapshot.read_only),
      messages_(std::move(snapshot.messages)),
      highest_modseq_(snapshot.status.highestmodseq),
      recent_claimed_at_open_(snapshot.recent_claimed) {
  announced_count_ = count();
  for (const auto& m : messages_) LearnKeywords(m.flags);
}

bool MailboxView::LearnKeywords(const store::Flags& flags) {
  bool learned = false;
  for (const std::string& k : flags.keywords) {
    learned = keywords_.insert(k).second || learned;
  }
  return learned;
}

void MailboxView::AddRecent(store::Uid after, store::Uid up_to) {
  auto it = std::upper_bound(
      messages_.begin(), messages_.end(), after,
      [](store::Uid u, const store::MessageMeta& m) { return u < m.uid; });
  for (; it != messages_.end() && it->uid <= up_to; ++it) {
    if (!expunged_.count(it->uid)) recent_.insert(it->uid);
  }
  recent_checked_ = std::max(recent_checked_, up_to);
}

store::Uid MailboxView::uidnext() const {
  return std::max<store::Uid>(status_.uidnext, max_uid() + 1);
}

std::optional<uint32_t> MailboxView::SeqOf(store::Uid uid) const {
  auto it = std::lower_bound(
      messages_.begin(), messages_.end(), uid,
      [](const store::MessageMeta& m, store::Uid u) { return m.uid < u; });
  if (it == messages_.end() || it->uid != uid) return std::nullopt;
  return static_cast<uint32_t>(it - messages_.begin()) + 1;
}

std::vector<store::Uid> MailboxView::Uids() const {
  std::vector<store::Uid> out;
  out.reserve(messages_.size());
  for (const auto& m : messages_) out.push_back(m.uid);
  return out;
}

uint32_t MailboxView::unseen_count() const {
  uint32_t n = 0;
  for (const auto& m : messages_) {
    if (!(m.flags.system & store::kSeen)) ++n;
  }
  return n;
}

std::optional<uint32_t> MailboxView::first_unseen() const {
  for (size_t i = 0; i < messages_.size(); ++i) {
    if (!(messages_[i].flags.system & store::kSeen)) {
      return static_cast<uint32_t>(i + 1);
    }
  }
  return std::nullopt;
}

std::vector<uint32_t> MailboxView::Select(
    const SequenceSet& set, bool uid,
    const std::vector<store::Uid>& saved) const {
  std::vector<uint32_t> out;
  if (set.saved) {
    for (store::Uid u : saved) {
      if (auto s = SeqOf(u)) out.push_back(*s);
    }
    return out;
  }
  if (!uid) {
    for (const auto& r : set.Resolve(count())) {
      for (uint64_t s = r.first; s <= r.last && s <= count(); ++s) {
        out.push_back(static_cast<uint32_t>(s));
      }
    }
    return out;
  }
  const auto ranges = set.Resolve(max_uid());
  for (const auto& r : ranges) {
    auto it = std::lower_bound(
        messages_.begin(), messages_.end(), r.first,
        [](const store::MessageMeta& m, store::Uid u) { return m.uid < u; });
    for (; it != messages_.end() && it->uid <= r.last; ++it) {
      out.push_back(static_cast<uint32_t>(it - messages_.begin()) + 1);
    }
  }
  return out;
}

void MailboxView::Absorb(const store::Changes& changes) {
  for (const auto& m : changes.changed) {
    if (auto seq = SeqOf(m.uid)) {
      store::MessageMeta& mine = messages_[*seq - 1];
      if (mine.flags != m.flags) flag_changes_.insert(m.uid);
      if (m.modseq > mine.modseq) {
        if (mine.flags == m.flags && m.modseq != mine.modseq) {
          // Modseq moved without a visible flag change: still tell CONDSTORE
          // clients, which track modseqs.
          flag_changes_.insert(m.uid);
        }
        mine = m;
      }
    } else if (m.uid > max_uid()) {
      messages_.push_back(m);
    }
  }
  for (store::Uid uid : changes.vanished) {
    if (SeqOf(uid)) expunged_.insert(uid);
  }
  highest_modseq_ = std::max(highest_modseq_, changes.highestmodseq);
}

void MailboxView::MarkExpunged(const std::vector<store::Uid>& uids) {
  for (store::Uid uid : uids) {
    if (SeqOf(uid)) expunged_.insert(uid);
  }
}

void MailboxView::UpdateMessage(const store::MessageMeta& meta) {
  if (auto seq = SeqOf(meta.uid)) {
    messages_[*seq - 1] = meta;
    flag_changes_.erase(meta.uid);
  }
  // highest_modseq_ stays: it marks how far changes were pulled, and other
  // sessions' changes below this modseq are not pulled yet.
}

std::vector<uint32_t> MailboxView::TakeExpunges(std::vector<store::Uid>* uids) {
  std::vector<uint32_t> seqs;
  // Highest sequence number first: each EXPUNGE then stays valid as sent,
  // and the client renumbers correctly.
  for (auto it = expunged_.rbegin(); it != expunged_.rend(); ++it) {
    auto seq = SeqOf(*it);
    if (!seq) continue;
    messages_.erase(messages_.begin() + (*seq - 1));
    flag_changes_.erase(*it);
    recent_.erase(*it);
    if (*seq > announced_count_) continue;  // the client never saw it
    seqs.push_back(*seq);
    if (uids) uids->push_back(*it);
    --announced_count_;
  }
  expunged_.clear();
  if (uids) std::reverse(uids->begin(), uids->end());
  return seqs;
}

std::vector<store::Uid> MailboxView::TakeFlagChanges() {
  std::vector<store::Uid> out;
  for (store::Uid uid : flag_changes_) {
    if (SeqOf(uid) && !expunged_.count(uid)) out.push_back(uid);
  }
  for (store::Uid uid : out) flag_changes_.erase(uid);
  return out;
}

}  // namespace mailroom::imap
