// A session's view of its selected mailbox: message sequence numbers to
// UIDs, flags and modseqs as last told to the client, and the changes made
// by others that are still to be announced.
//
// Changes are absorbed from the store (ChangesSince) at any time, but an
// expunge changes sequence numbers, so expunges wait in `pending` until the
// session may announce them (RFC 9051 section 7.5.1: never during FETCH,
// STORE or SEARCH).
//
// Thread-safety: not thread-safe; owned by one session.
#ifndef MAILROOM_PROTOCOLS_IMAP_MAILBOX_VIEW_H_
#define MAILROOM_PROTOCOLS_IMAP_MAILBOX_VIEW_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "protocols/imap/sequence_set.h"
#include "store/types.h"

namespace mailroom::imap {

class MailboxView {
 public:
  explicit MailboxView(store::MailboxSnapshot snapshot);

  store::MailboxId id() const { return status_.id; }
  const std::string& name() const { return name_; }
  uint32_t uidvalidity() const { return status_.uidvalidity; }
  // MAILBOXID (RFC 8474).
  const std::string& object_id() const { return status_.object_id; }
  store::Uid uidnext() const;
  store::ModSeq highest_modseq() const { return highest_modseq_; }
  const std::string& rights() const { return rights_; }
  bool read_only() const { return read_only_; }
  void set_read_only(bool ro) { read_only_ = ro; }

  uint32_t count() const { return static_cast<uint32_t>(messages_.size()); }
  // REQUIRES: 1 <= seq <= count().
  const store::MessageMeta& at(uint32_t seq) const { return messages_[seq - 1]; }
  std::optional<uint32_t> SeqOf(store::Uid uid) const;
  std::vector<store::Uid> Uids() const;
  store::Uid max_uid() const {
    return messages_.empty() ? 0 : messages_.back().uid;
  }
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
  bool is_recent(store::Uid uid) const { return recent_.count(uid) != 0; }
  // Present messages that are \Recent here (the RECENT response).
  uint32_t recent_count() const { return static_cast<uint32_t>(recent_.size()); }
  // The \Recent UIDs, ascending (SEARCH RECENT, NEW, OLD).
  std::vector<store::Uid> RecentUids() const {
    return {recent_.begin(), recent_.end()};
  }

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
  store::MailboxStatus status_;
  std::string name_;
  std::string rights_;
  bool read_only_ = false;
  std::vector<store::MessageMeta> messages_;  // ascending UID
  store::ModSeq highest_modseq_ = 0;
  std::set<store::Uid> expunged_;
  std::set<store::Uid> flag_changes_;
  uint32_t announced_count_ = 0;
  store::Uid recent_claimed_at_open_ = 0;
  store::Uid recent_checked_ = 0;
  std::set<store::Uid> recent_;
  std::set<std::string> keywords_;
};

}  // namespace mailroom::imap

#endif  // MAILROOM_PROTOCOLS_IMAP_MAILBOX_VIEW_H_
