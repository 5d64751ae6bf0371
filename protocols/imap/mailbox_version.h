// One state of a mailbox's messages as IMAP sessions see them, in compact
// form, shared by every session of this process on the same mailbox.
//
// A session on a mailbox of a million messages needs each message's UID,
// flags and modseq, and nothing else until a command asks for more. Kept
// once per mailbox instead of once per session, that is 16 bytes a message
// for all sessions together; each session adds only what changed since
// (mailbox_view.h). A version never changes once built: sessions share it
// through shared_ptr, and a session that has absorbed many changes builds a
// new one (MailboxVersion::Build) and publishes it for the next SELECT.
//
// Versions are keyed by mailbox, UIDVALIDITY and whose flags they hold: a
// mailbox with private flags (store::MailboxSnapshot::private_view) gets one
// version per user, since flags and modseqs differ between users there.
//
// Thread-safety: MailboxVersion and KeywordSets are immutable and safe to
// share; SharedVersions is thread-safe.
#ifndef MAILROOM_PROTOCOLS_IMAP_MAILBOX_VERSION_H_
#define MAILROOM_PROTOCOLS_IMAP_MAILBOX_VERSION_H_

#include <chrono>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "store/types.h"

namespace mailroom::imap {

// Distinct keyword lists, numbered; 0 is the empty list. Append-only: a
// table extended for a newer version keeps every number of the older one.
class KeywordSets {
 public:
  KeywordSets();
  // The lists of a store::MessageTable, keeping their numbers.
  explicit KeywordSets(std::vector<std::vector<std::string>> lists);
  // The number of `keywords` (sorted, unique), added when new.
  uint32_t Intern(const std::vector<std::string>& keywords);
  const std::vector<std::string>& Get(uint32_t id) const { return sets_[id]; }
  size_t size() const { return sets_.size(); }

 private:
  std::vector<std::vector<std::string>> sets_;
  absl::flat_hash_map<std::string, uint32_t> ids_;  // joined by '\0'
};

// A message as a version keeps it: 16 bytes (its keyword_set() is the
// KeywordSets number).
using CompactMessage = store::CompactMessage;

class MailboxVersion {
 public:
  // Makes a version message by message, ascending UID.
  class Builder {
   public:
    // Keyword numbers go into a copy of `keywords` (a new table when null),
    // so messages copied from a version on that table keep theirs.
    Builder(const KeywordSets* keywords, size_t expected);
    // A message of a version whose table `keywords` was.
    void Add(const CompactMessage& message) { messages_.push_back(message); }
    void Add(store::Uid uid, const store::Flags& flags, store::ModSeq modseq);
    // `modseq`: the changes up to it are in; ChangesSince(modseq) brings a
    // copy of the version up to date.
    std::shared_ptr<const MailboxVersion> Finish(store::ModSeq modseq);

   private:
    std::shared_ptr<KeywordSets> keywords_;
    std::vector<CompactMessage> messages_;
  };

  static std::shared_ptr<const MailboxVersion> FromSnapshot(
      const store::MailboxSnapshot& snapshot);
  // Takes the messages of `table`; `modseq` as for Builder::Finish.
  static std::shared_ptr<const MailboxVersion> FromTable(
      store::MessageTable table, store::ModSeq modseq);

  store::ModSeq modseq() const { return modseq_; }
  size_t size() const { return messages_.size(); }
  const CompactMessage& at(size_t index) const { return messages_[index]; }
  const std::vector<CompactMessage>& messages() const { return messages_; }
  const KeywordSets& keywords() const { return *keywords_; }
  // Index of the first message with a UID >= `uid` (size() if none).
  size_t LowerBound(store::Uid uid) const;
  // Bytes this version holds (what every session on it shares).
  size_t MemoryBytes() const;

 private:
  MailboxVersion() = default;
  store::ModSeq modseq_ = 0;
  std::vector<CompactMessage> messages_;  // ascending UID
  std::shared_ptr<const KeywordSets> keywords_;
};

// Process-wide table of the newest version of each mailbox that some
// session still holds. The versions used most recently are also kept after
// their last session closes, within a budget of bytes and for a time
// (SetRetention), so that the next SELECT of a mailbox just closed costs
// only the changes since; past either bound a version nobody holds is
// freed.
class SharedVersions {
 public:
  struct Key {
    // The mailbox's MAILBOXID, a keyed digest unique to its installation:
    // copies outlive their sessions, and a process may open more than one
    // store (tests do), whose mailbox ids and UIDVALIDITYs can coincide.
    std::string object_id;
    store::MailboxId mailbox = 0;
    uint32_t uidvalidity = 0;
    std::string user;  // "" unless the mailbox has private flags
    bool operator<(const Key& o) const {
      return std::tie(object_id, mailbox, uidvalidity, user) <
             std::tie(o.object_id, o.mailbox, o.uidvalidity, o.user);
    }
  };

  static SharedVersions& Global();

  // The newest published version of `key`, or null.
  std::shared_ptr<const MailboxVersion> Find(const Key& key)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Offers `version` for `key`; kept when no newer one is held.
  void Publish(const Key& key, std::shared_ptr<const MailboxVersion> version)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Keeps recently used versions up to `bytes` in all (0: none), each at
  // most `seconds` after its last use.
  void SetRetention(size_t bytes, std::chrono::seconds seconds)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Bytes of the versions kept for retention.
  size_t RetainedBytes() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Retained {
    Key key;
    std::shared_ptr<const MailboxVersion> version;
    size_t bytes = 0;
    std::chrono::steady_clock::time_point used;
  };
  // Moves `key`'s version to the most recent end of `retained_`, then
  // drops what is past the budget or too old.
  void Retain(const Key& key, std::shared_ptr<const MailboxVersion> version)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Trim() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::map<Key, std::weak_ptr<const MailboxVersion>> versions_
      ABSL_GUARDED_BY(mu_);
  std::list<Retained> retained_ ABSL_GUARDED_BY(mu_);  // oldest use first
  std::map<Key, std::list<Retained>::iterator> retained_index_
      ABSL_GUARDED_BY(mu_);
  size_t retained_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  size_t retain_budget_ ABSL_GUARDED_BY(mu_) = size_t{128} << 20;
  std::chrono::seconds retain_for_ ABSL_GUARDED_BY(mu_){600};
};

}  // namespace mailroom::imap

#endif  // MAILROOM_PROTOCOLS_IMAP_MAILBOX_VERSION_H_
