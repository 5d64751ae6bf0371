// Breaks a store on purpose, through its engine, for the tests of
// Store::Verify and the verify/repair admin commands. Each damage is what a
// bug or a lost file could leave behind. Open it on a store nothing else has
// open (RocksDB allows one process).
#ifndef MAILROOM_TESTS_STORE_STORE_DAMAGE_H_
#define MAILROOM_TESTS_STORE_STORE_DAMAGE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/engine/engine.h"
#include "store/store.h"
#include "store/types.h"

namespace mailroom::store::testing {

class StoreDamage {
 public:
  static absl::StatusOr<std::unique_ptr<StoreDamage>> Open(
      const StoreOptions& options);

  // Deletes the stored body of message `uid` (its record stays).
  absl::Status DropBody(const std::string& user, const std::string& mailbox,
                        Uid uid);
  // Sets the mailbox's message counter to `messages`.
  absl::Status SetMessageCounter(const std::string& user,
                                 const std::string& mailbox,
                                 uint32_t messages);
  // Overwrites the user's quota usage.
  absl::Status SetQuotaUsage(const std::string& user, uint64_t bytes,
                             uint64_t messages);
  // Adds `delta` to the reference count of the body of message `uid`.
  absl::Status AddToRefCount(const std::string& user,
                             const std::string& mailbox, Uid uid,
                             int64_t delta);
  // Adds a per-user \Seen row of `seen_user` for a UID with no message.
  absl::Status AddOrphanSeenRow(const std::string& user,
                                const std::string& mailbox,
                                const std::string& seen_user, Uid uid);
  // Adds a live change log entry for message `uid` at a modseq that is not
  // the message's (HIGHESTMODSEQ is moved along, so only the entry is wrong).
  absl::Status AddStaleChange(const std::string& user,
                              const std::string& mailbox, Uid uid);
  // Deletes the mailbox's keyword list (the count in its state stays).
  absl::Status DropKeywordList(const std::string& user,
                               const std::string& mailbox);
  // Rewrites the mailbox's state as older stores wrote it: the keyword list
  // inline, without a count, and no list key.
  absl::Status InlineKeywordList(const std::string& user,
                                 const std::string& mailbox);
  // Stores a body no message refers to.
  absl::Status AddUnreferencedBody(const std::string& data);

  // One damage by name, for the damage_store tool:
  //   drop-body USER MAILBOX UID | message-counter USER MAILBOX N |
  //   quota USER BYTES MESSAGES | refcount USER MAILBOX UID DELTA |
  //   orphan-seen USER MAILBOX SEEN_USER UID | stale-change USER MAILBOX UID |
  //   unreferenced-body TEXT
  absl::Status Apply(const std::vector<std::string>& words);

  // The engine itself, for tests that break keys no damage word names.
  engine::Engine& engine() { return *engine_; }

 private:
  explicit StoreDamage(std::unique_ptr<engine::Engine> engine)
      : engine_(std::move(engine)) {}
  absl::StatusOr<MailboxId> FindMailbox(const std::string& user,
                                        const std::string& mailbox);
  absl::StatusOr<std::string> BodyHash(MailboxId id, Uid uid);
  // Runs `fn` in one transaction and commits it.
  absl::Status Write(
      const std::function<absl::Status(engine::Transaction&)>& fn);

  std::unique_ptr<engine::Engine> engine_;
};

}  // namespace mailroom::store::testing

#endif  // MAILROOM_TESTS_STORE_STORE_DAMAGE_H_
