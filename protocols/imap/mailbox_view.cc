#include "protocols/imap/mailbox_view.h"

#include <algorithm>

namespace mailroom::imap {
namespace {

// The view rebuilds its base once its differences pass this many messages
// or this share of the mailbox, whichever is more: building costs a pass
// over the mailbox, so it is amortised over as many changes.
constexpr size_t kMinCompactDeltas = 4096;
constexpr size_t kCompactShareDivisor = 16;

}  // namespace

MailboxView::MailboxView(const store::MailboxSnapshot& snapshot)
    : MailboxView(snapshot, MailboxVersion::FromSnapshot(snapshot)) {}

MailboxView::MailboxView(const store::MailboxSnapshot& header,
                         std::shared_ptr<const MailboxVersion> base)
    : status_(header.status),
      name_(header.name),
      rights_(header.rights),
      read_only_(header.read_only),
      base_(std::move(base)),
      highest_modseq_(std::max(header.status.highestmodseq, base_->modseq())),
      recent_claimed_at_open_(header.recent_claimed) {
  announced_count_ = count();
  LearnBaseKeywords();
}

void MailboxView::LearnBaseKeywords() {
  // Only keyword lists some message uses: the table keeps old ones too.
  std::vector<bool> used(base_->keywords().size(), false);
  for (const CompactMessage& m : base_->messages()) used[m.keyword_set()] = true;
  for (size_t i = 1; i < used.size(); ++i) {
    if (!used[i]) continue;
    for (const std::string& k : base_->keywords().Get(static_cast<uint32_t>(i))) {
      keywords_.insert(k);
    }
  }
}

void MailboxView::CatchUp(const store::Changes& changes) {
  for (const store::MessageMeta& m : changes.changed) {
    if (auto seq = SeqOf(m.uid)) {
      const Place place = Locate(*seq);
      const store::ModSeq mine = ModSeqAt(*seq);
      if (m.modseq > mine || !SameFlags(place, m.flags)) SetDelta(place, m);
    } else if (m.uid > max_uid()) {
      appended_.emplace_back(m.uid, Delta{m.flags, m.modseq});
    }
    LearnKeywords(m.flags);
  }
  Remove(changes.vanished);
  highest_modseq_ = std::max(highest_modseq_, changes.highestmodseq);
  announced_count_ = count();
  CompactIfLarge();
}

bool MailboxView::LearnKeywords(const store::Flags& flags) {
  bool learned = false;
  for (const std::string& k : flags.keywords) {
    learned = keywords_.insert(k).second || learned;
  }
  return learned;
}

// ---- positions ---------------------------------------------------------------

MailboxView::Place MailboxView::Locate(uint32_t seq) const {
  const size_t s0 = seq - 1;
  if (s0 >= live_base()) return {false, s0 - live_base()};
  if (removed_.empty()) return {true, s0};
  // The smallest base index with `seq` live messages up to it.
  size_t lo = s0, hi = std::min(base_->size() - 1, s0 + removed_.size());
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    const size_t gone = std::upper_bound(removed_.begin(), removed_.end(),
                                         static_cast<uint32_t>(mid)) -
                        removed_.begin();
    if (mid + 1 - gone >= seq) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return {true, lo};
}

uint32_t MailboxView::LiveBelow(store::Uid uid) const {
  const size_t index = base_->LowerBound(uid);
  const size_t gone = std::lower_bound(removed_.begin(), removed_.end(),
                                       static_cast<uint32_t>(index)) -
                      removed_.begin();
  const size_t appended =
      std::lower_bound(appended_.begin(), appended_.end(), uid,
                       [](const auto& a, store::Uid u) { return a.first < u; }) -
      appended_.begin();
  return static_cast<uint32_t>(index - gone + appended);
}

std::optional<uint32_t> MailboxView::SeqOf(store::Uid uid) const {
  const size_t index = base_->LowerBound(uid);
  if (index < base_->size() && base_->at(index).uid == uid) {
    auto it = std::lower_bound(removed_.begin(), removed_.end(),
                               static_cast<uint32_t>(index));
    if (it != removed_.end() && *it == index) return std::nullopt;
    return static_cast<uint32_t>(index - (it - removed_.begin())) + 1;
  }
  auto it = std::lower_bound(
      appended_.begin(), appended_.end(), uid,
      [](const auto& a, store::Uid u) { return a.first < u; });
  if (it == appended_.end() || it->first != uid) return std::nullopt;
  return static_cast<uint32_t>(live_base() + (it - appended_.begin())) + 1;
}

const MailboxView::Delta* MailboxView::DeltaAt(const Place& place) const {
  if (!place.in_base) return &appended_[place.index].second;
  if (changed_.empty()) return nullptr;
  auto it = changed_.find(base_->at(place.index).uid);
  return it == changed_.end() ? nullptr : &it->second;
}

store::Uid MailboxView::UidAt(uint32_t seq) const {
  const Place p = Locate(seq);
  return p.in_base ? base_->at(p.index).uid : appended_[p.index].first;
}

store::ModSeq MailboxView::ModSeqAt(uint32_t seq) const {
  const Place p = Locate(seq);
  if (const Delta* d = DeltaAt(p)) return d->modseq;
  return base_->at(p.index).modseq;
}

uint32_t MailboxView::SystemFlagsAt(uint32_t seq) const {
  const Place p = Locate(seq);
  if (const Delta* d = DeltaAt(p)) return d->flags.system;
  return base_->at(p.index).system();
}

store::MessageMeta MailboxView::MessageAt(uint32_t seq) const {
  const Place p = Locate(seq);
  store::MessageMeta m;
  if (const Delta* d = DeltaAt(p)) {
    m.uid = p.in_base ? base_->at(p.index).uid : appended_[p.index].first;
    m.flags = d->flags;
    m.modseq = d->modseq;
    return m;
  }
  const CompactMessage& c = base_->at(p.index);
  m.uid = c.uid;
  m.flags.system = c.system();
  m.flags.keywords = base_->keywords().Get(c.keyword_set());
  m.modseq = c.modseq;
  return m;
}

bool MailboxView::SameFlags(const Place& place,
                            const store::Flags& flags) const {
  if (const Delta* d = DeltaAt(place)) return d->flags == flags;
  const CompactMessage& c = base_->at(place.index);
  return c.system() == flags.system &&
         base_->keywords().Get(c.keyword_set()) == flags.keywords;
}

void MailboxView::SetDelta(const Place& place, const store::MessageMeta& meta) {
  if (place.in_base) {
    changed_[meta.uid] = Delta{meta.flags, meta.modseq};
  } else {
    appended_[place.index].second = Delta{meta.flags, meta.modseq};
  }
}

template <typename Fn>
void MailboxView::Walk(Fn fn) const {
  uint32_t seq = 0;
  auto gone = removed_.begin();
  auto delta = changed_.begin();
  for (size_t i = 0; i < base_->size(); ++i) {
    if (gone != removed_.end() && *gone == i) {
      ++gone;
      continue;
    }
    const CompactMessage& c = base_->at(i);
    while (delta != changed_.end() && delta->first < c.uid) ++delta;
    const bool changed = delta != changed_.end() && delta->first == c.uid;
    fn(++seq, c.uid, changed ? &delta->second : nullptr, &c);
  }
  for (const auto& [uid, d] : appended_) fn(++seq, uid, &d, nullptr);
}

template <typename Fn>
void MailboxView::ForEach(Fn fn) const {
  Walk([&](uint32_t seq, store::Uid uid, const Delta* d,
           const CompactMessage* c) {
    if (d != nullptr) {
      fn(seq, uid, d->flags.system, d->modseq);
    } else {
      fn(seq, uid, c->system(), c->modseq);
    }
  });
}

void MailboxView::ForEachMessage(
    const std::function<void(store::Uid, store::ModSeq)>& fn) const {
  ForEach([&](uint32_t, store::Uid uid, uint32_t, store::ModSeq modseq) {
    fn(uid, modseq);
  });
}

void MailboxView::ForEachWithKeywords(
    const std::function<void(uint32_t, store::Uid, uint32_t,
                             const std::vector<std::string>&, store::ModSeq)>&
        fn) const {
  Walk([&](uint32_t seq, store::Uid uid, const Delta* d,
           const CompactMessage* c) {
    if (d != nullptr) {
      fn(seq, uid, d->flags.system, d->flags.keywords, d->modseq);
    } else {
      fn(seq, uid, c->system(), base_->keywords().Get(c->keyword_set()),
         c->modseq);
    }
  });
}

std::vector<store::Uid> MailboxView::Uids() const {
  std::vector<store::Uid> out;
  out.reserve(count());
  ForEach([&](uint32_t, store::Uid uid, uint32_t, store::ModSeq) {
    out.push_back(uid);
  });
  return out;
}

store::Uid MailboxView::uidnext() const {
  return std::max<store::Uid>(status_.uidnext, max_uid() + 1);
}

uint32_t MailboxView::unseen_count() const {
  uint32_t n = 0;
  ForEach([&](uint32_t, store::Uid, uint32_t system, store::ModSeq) {
    if (!(system & store::kSeen)) ++n;
  });
  return n;
}

std::optional<uint32_t> MailboxView::first_unseen() const {
  std::optional<uint32_t> first;
  ForEach([&](uint32_t seq, store::Uid, uint32_t system, store::ModSeq) {
    if (!first && !(system & store::kSeen)) first = seq;
  });
  return first;
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
  for (const auto& r : set.Resolve(max_uid())) {
    // Sequence numbers of the UIDs in [first, last], without a lookup each.
    const uint32_t from = LiveBelow(static_cast<store::Uid>(r.first));
    const uint32_t to =
        r.last >= max_uid() ? count()
                            : LiveBelow(static_cast<store::Uid>(r.last) + 1);
    for (uint32_t s = from + 1; s <= to; ++s) out.push_back(s);
  }
  return out;
}

// ---- \Recent ---------------------------------------------------------------

void MailboxView::AddRecent(store::Uid after, store::Uid up_to) {
  if (after < up_to) {
    if (!recent_.empty() && recent_.back().second + 1 >= after + 1 &&
        recent_.back().first <= after + 1) {
      recent_.back().second = std::max(recent_.back().second, up_to);
    } else {
      recent_.emplace_back(after + 1, up_to);
      std::sort(recent_.begin(), recent_.end());
    }
  }
  recent_checked_ = std::max(recent_checked_, up_to);
}

bool MailboxView::is_recent(store::Uid uid) const {
  for (const auto& [lo, hi] : recent_) {
    if (uid >= lo && uid <= hi) return true;
  }
  return false;
}

uint32_t MailboxView::recent_count() const {
  uint32_t n = 0;
  for (const auto& [lo, hi] : recent_) {
    const uint32_t below_hi =
        hi == UINT32_MAX ? count() : LiveBelow(hi + 1);
    n += below_hi - LiveBelow(lo);
  }
  return n;
}

std::vector<store::Uid> MailboxView::RecentUids() const {
  std::vector<store::Uid> out;
  for (const auto& [lo, hi] : recent_) {
    const uint32_t to = hi == UINT32_MAX ? count() : LiveBelow(hi + 1);
    for (uint32_t s = LiveBelow(lo) + 1; s <= to; ++s) out.push_back(UidAt(s));
  }
  return out;
}

// ---- changes -----------------------------------------------------------------

void MailboxView::Absorb(const store::Changes& changes) {
  for (const auto& m : changes.changed) {
    if (auto seq = SeqOf(m.uid)) {
      const Place place = Locate(*seq);
      const store::ModSeq mine = ModSeqAt(*seq);
      const bool same_flags = SameFlags(place, m.flags);
      if (!same_flags) flag_changes_.insert(m.uid);
      if (m.modseq > mine) {
        // Modseq moved without a visible flag change: still tell CONDSTORE
        // clients, which track modseqs.
        if (same_flags) flag_changes_.insert(m.uid);
        SetDelta(place, m);
      }
    } else if (m.uid > max_uid()) {
      appended_.emplace_back(m.uid, Delta{m.flags, m.modseq});
    }
  }
  for (store::Uid uid : changes.vanished) {
    if (SeqOf(uid)) expunged_.insert(uid);
  }
  highest_modseq_ = std::max(highest_modseq_, changes.highestmodseq);
  CompactIfLarge();
}

void MailboxView::MarkExpunged(const std::vector<store::Uid>& uids) {
  for (store::Uid uid : uids) {
    if (SeqOf(uid)) expunged_.insert(uid);
  }
}

void MailboxView::UpdateMessage(const store::MessageMeta& meta) {
  if (auto seq = SeqOf(meta.uid)) {
    SetDelta(Locate(*seq), meta);
    flag_changes_.erase(meta.uid);
  }
  // highest_modseq_ stays: it marks how far changes were pulled, and other
  // sessions' changes below this modseq are not pulled yet.
  CompactIfLarge();
}

void MailboxView::Remove(const std::vector<store::Uid>& uids) {
  std::vector<uint32_t> gone_base;
  std::vector<size_t> gone_appended;
  for (store::Uid uid : uids) {
    auto seq = SeqOf(uid);
    if (!seq) continue;
    const Place p = Locate(*seq);
    if (p.in_base) {
      gone_base.push_back(static_cast<uint32_t>(p.index));
      changed_.erase(uid);
    } else {
      gone_appended.push_back(p.index);
    }
    flag_changes_.erase(uid);
  }
  std::sort(gone_appended.begin(), gone_appended.end());
  gone_appended.erase(std::unique(gone_appended.begin(), gone_appended.end()),
                      gone_appended.end());
  for (auto it = gone_appended.rbegin(); it != gone_appended.rend(); ++it) {
    appended_.erase(appended_.begin() + *it);
  }
  std::sort(gone_base.begin(), gone_base.end());
  const size_t before = removed_.size();
  removed_.insert(removed_.end(), gone_base.begin(), gone_base.end());
  std::inplace_merge(removed_.begin(), removed_.begin() + before,
                     removed_.end());
  removed_.erase(std::unique(removed_.begin(), removed_.end()), removed_.end());
}

std::vector<uint32_t> MailboxView::TakeExpunges(std::vector<store::Uid>* uids) {
  std::vector<uint32_t> seqs;
  std::vector<store::Uid> gone;
  // Highest sequence number first: each EXPUNGE then stays valid as sent,
  // and the client renumbers correctly. Removing a message renumbers only
  // those after it, so every number can be taken before removing any.
  for (auto it = expunged_.rbegin(); it != expunged_.rend(); ++it) {
    auto seq = SeqOf(*it);
    if (!seq) continue;
    gone.push_back(*it);
    if (*seq > announced_count_) continue;  // the client never saw it
    seqs.push_back(*seq);
    if (uids) uids->push_back(*it);
  }
  announced_count_ -= static_cast<uint32_t>(seqs.size());
  Remove(gone);
  expunged_.clear();
  if (uids) std::reverse(uids->begin(), uids->end());
  CompactIfLarge();
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

// ---- the shared base -----------------------------------------------------------

void MailboxView::CompactIfLarge() {
  const size_t deltas = removed_.size() + changed_.size() + appended_.size();
  if (deltas > std::max(kMinCompactDeltas, base_->size() / kCompactShareDivisor)) {
    Compact();
  }
}

void MailboxView::Compact() {
  MailboxVersion::Builder builder(&base_->keywords(), count());
  auto gone = removed_.begin();
  for (size_t i = 0; i < base_->size(); ++i) {
    if (gone != removed_.end() && *gone == i) {
      ++gone;
      continue;
    }
    const CompactMessage& c = base_->at(i);
    auto d = changed_.find(c.uid);
    if (d == changed_.end()) {
      builder.Add(c);
    } else {
      builder.Add(c.uid, d->second.flags, d->second.modseq);
    }
  }
  for (const auto& [uid, d] : appended_) builder.Add(uid, d.flags, d.modseq);
  base_ = builder.Finish(highest_modseq_);
  removed_.clear();
  changed_.clear();
  appended_.clear();
  // With expunges pending, the version holds messages already gone at its
  // modseq: a session starting from it would never hear of them.
  if (share_key_ && expunged_.empty()) {
    SharedVersions::Global().Publish(*share_key_, base_);
  }
}

size_t MailboxView::PrivateBytes() const {
  // Node sizes of the std containers are estimates (three pointers and a
  // colour per red-black node).
  constexpr size_t kNode = 32;
  size_t bytes = removed_.capacity() * sizeof(uint32_t) +
                 appended_.capacity() * sizeof(appended_[0]) +
                 changed_.size() * (kNode + sizeof(store::Uid) + sizeof(Delta)) +
                 (expunged_.size() + flag_changes_.size()) *
                     (kNode + sizeof(store::Uid)) +
                 recent_.capacity() * sizeof(recent_[0]);
  for (const std::string& k : keywords_) bytes += kNode + sizeof(k) + k.capacity();
  return bytes;
}

}  // namespace mailroom::imap
