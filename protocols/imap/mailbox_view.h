// A session's view of its selected mailbox: message sequence numbers to
// UIDs, flags and modseqs as last told to the client, and the changes made
// by others that are still to be announced.
//
// Changes are absorbed from the store (ChangesSince) at any time, but an
// expunge changes sequence numbers, so expunges wait in `pending` until the
// session may announce them (RFC 9051 section 7.5.1: never during FETCH,
// STORE or SEARCH).
//
// The messages live in a MailboxVersion shared with every other session on
// the mailbox (mailbox_version.h); the view keeps only its differences from
// that version: changed flags, new messages, messages removed since, so a
// session costs what changed rather than what the mailbox holds. When the
// differences grow, the view builds a new version and publishes it.
//
// Thread-safety: not thread-safe; owned by one session.
#ifndef MAILROOM_PROTOCOLS_IMAP_MAILBOX_VIEW_H_
#define MAILROOM_PROTOCOLS_IMAP_MAILBOX_VIEW_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "protocols/imap/mailbox_version.h"
#include "protocols/imap/sequence_set.h"
#include "store/types.h"

namespace mailroom::imap {

class MailboxView {
 public:
  // A view with its own version of `snapshot`'s messages.
  explicit MailboxView(const store::MailboxSnapshot& snapshot);
  // A view on `base`; `header` gives everything but the messages (its
  // `messages` are not read). Bring it up to date with CatchUp.
  MailboxView(const store::MailboxSnapshot& header,
              std::shared_ptr<const MailboxVersion> base);

  // Applies changes made after `base` was built, before the client has
  // been told anything: expunges take effect at once.
  void CatchUp(const store::Changes& changes);
  // Where a version built from this view is published for other sessions
  // (unset: never published).
  void set_share_key(SharedVersions::Key key) { share_key_ = std::move(key); }
  // The version the view's messages are kept against.
  const std::shared_ptr<const MailboxVersion>& base() const { return base_; }
  // Builds a new base from the view's current state and publishes it when
  // nothing is pending; called on its own once the differences grow.
  void Compact();
  // Heap bytes this view holds beyond its shared base.
  size_t PrivateBytes() const;

  store::MailboxId id() const { return status_.id; }
  const std::string& name() const { return name_; }
  uint32_t uidvalidity() const { return status_.uidvalidity; }
  // MAILBOXID (RFC 8474).
  const std::string& object_id() const { return status_.object_id; }
  store::Uid uidnext() const;
  store::ModSeq highest_modseq() const { return highest_modseq_; }
  const std::string& rights() const { return rights_; }
  bool read_only() const { return read_only_; }
  // No new keyword may be added (the store's bound is reached).
  bool keywords_full() const { return status_.keywords_full; }
  void set_keywords_full() { status_.keywords_full = true; }
  void set_read_only(bool ro) { read_only_ = ro; }

  uint32_t count() const {
    return static_cast<uint32_t>(live_base() + appended_.size());
  }
  // REQUIRES for the *At accessors: 1 <= seq <= count().
  store::Uid UidAt(uint32_t seq) const;
  store::ModSeq ModSeqAt(uint32_t seq) const;
  uint32_t SystemFlagsAt(uint32_t seq) const;
  // The UID, flags and modseq of a message; its other fields (dates, size,
  // ids) are not kept here: read them with MailStore::GetMessages.
  store::MessageMeta MessageAt(uint32_t seq) const;
  std::optional<uint32_t> SeqOf(store::Uid uid) const;
  std::vector<store::Uid> Uids() const;
  // Calls fn(uid, modseq) for every message, in sequence order.
  void ForEachMessage(
      const std::function<void(store::Uid, store::ModSeq)>& fn) const;
  // Calls fn(seq, uid, system flags, keywords, modseq) for every message,
  // in sequence order, without copying flags; `keywords` is valid during the
  // call only.
  void ForEachWithKeywords(
      const std::function<void(uint32_t, store::Uid, uint32_t,
                               const std::vector<std::string>&,
                               store::ModSeq)>& fn) const;
  store::Uid max_uid() const { return count() == 0 ? 0 : UidAt(count()); }
  uint32_t unseen_count() const;
  std::optional<uint32_t> first_unseen() const;

  // Sequence numbers (ascending) of the messages in `set`; for UID sets,
  // UIDs not in the mailbox are skipped. "$" uses `saved` (UIDs).
  std::vector<uint32_t> Select(const SequenceSet& set, bool uid,
                               const std::vector<store::Uid>& saved) const;

  // ---- keywords told to the client (FLAGS, PERMANENTFLAGS) ---------------
  // Every keyword the client was told of, ascending; at first those of the
  // messages at open.
  const std::set<std::string>& keywords() const { return keywords_; }
  // Adds the keywords of `flags`; true when one was not known, so that the
  // client must get a new FLAGS response before a FETCH shows it
  // (RFC 3501 section 7.2.6).
  bool LearnKeywords(const store::Flags& flags);

  // ---- \Recent (RFC 3501 section 2.3.2) ---------------------------------
  // The store's claim mark when the mailbox was opened: messages above it
  // were not yet given to any read-write session.
  store::Uid recent_claimed_at_open() const { return recent_claimed_at_open_; }
  // UIDs up to this one were already offered to the store's claim (or, read
  // only, taken as \Recent without claiming).
  store::Uid recent_checked() const { return recent_checked_; }
  // Makes the messages with UIDs in (after, up_to] \Recent in this session
  // and records that UIDs up to `up_to` were checked.
  void AddRecent(store::Uid after, store::Uid up_to);
  bool is_recent(store::Uid uid) const;
  // Present messages that are \Recent here (the RECENT response).
  uint32_t recent_count() const;
  // The \Recent UIDs, ascending (SEARCH RECENT, NEW, OLD).
  std::vector<store::Uid> RecentUids() const;

  // ---- changes -----------------------------------------------------------
  // Absorbs changes pulled from the store. New messages get sequence numbers
  // at once (EXISTS is always allowed); flag changes are recorded for FETCH;
  // vanished UIDs wait until TakeExpunges().
  void Absorb(const store::Changes& changes);
  // Marks UIDs as expunged (our own EXPUNGE/MOVE, or a full resync).
  void MarkExpunged(const std::vector<store::Uid>& uids);
  // Our own flag change: updates without announcing it again.
  void UpdateMessage(const store::MessageMeta& meta);

  bool has_pending_expunges() const { return !expunged_.empty(); }
  const std::set<store::Uid>& pending_expunges() const { return expunged_; }
  // Removes the expunged messages. Returns their sequence numbers in the
  // order to announce them (each valid at the time of its EXPUNGE), and
  // their UIDs.
  std::vector<uint32_t> TakeExpunges(std::vector<store::Uid>* uids);
  // UIDs whose flags changed since the last call (still present).
  std::vector<store::Uid> TakeFlagChanges();
  // True when count() differs from what the client was last told.
  bool count_changed() const { return count() != announced_count_; }
  void set_announced_count() { announced_count_ = count(); }
  uint32_t announced_count() const { return announced_count_; }

 private:
  // A message's flags and modseq where they differ from the base.
  struct Delta {
    store::Flags flags;
    store::ModSeq modseq = 0;
  };
  // Where sequence number `seq` lives: base index, or appended_ index.
  struct Place {
    bool in_base;
    size_t index;
  };

  size_t live_base() const { return base_->size() - removed_.size(); }
  Place Locate(uint32_t seq) const;
  // Live messages with a UID below `uid`.
  uint32_t LiveBelow(store::Uid uid) const;
  // The delta of the message at `place`, or null when it is the base's.
  const Delta* DeltaAt(const Place& place) const;
  bool SameFlags(const Place& place, const store::Flags& flags) const;
  void SetDelta(const Place& place, const store::MessageMeta& meta);
  // Removes messages at once (never announced, or not yet told).
  void Remove(const std::vector<store::Uid>& uids);
  void LearnBaseKeywords();
  void CompactIfLarge();
  // Calls fn(seq, uid, change since the base or null, base entry or null
  // when appended since) for every message in order.
  template <typename Fn>
  void Walk(Fn fn) const;
  // Calls fn(seq, uid, system flags, modseq) for every message in order.
  template <typename Fn>
  void ForEach(Fn fn) const;

  store::MailboxStatus status_;
  std::string name_;
  std::string rights_;
  bool read_only_ = false;
  std::shared_ptr<const MailboxVersion> base_;
  std::optional<SharedVersions::Key> share_key_;
  std::vector<uint32_t> removed_;      // base indices gone, ascending
  std::map<store::Uid, Delta> changed_;  // base messages whose state moved
  std::vector<std::pair<store::Uid, Delta>> appended_;  // above the base
  store::ModSeq highest_modseq_ = 0;
  std::set<store::Uid> expunged_;
  std::set<store::Uid> flag_changes_;
  uint32_t announced_count_ = 0;
  store::Uid recent_claimed_at_open_ = 0;
  store::Uid recent_checked_ = 0;
  // \Recent UIDs as inclusive ranges, ascending; each claim adds one.
  std::vector<std::pair<store::Uid, store::Uid>> recent_;
  std::set<std::string> keywords_;
};

}  // namespace mailroom::imap

#endif  // MAILROOM_PROTOCOLS_IMAP_MAILBOX_VIEW_H_
