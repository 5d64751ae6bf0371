// Appends the messages of one source folder (a Maildir folder, an mbox
// file) to one mailbox, in batches of one transaction each, keeping the
// source's UIDs and UIDVALIDITY when it can:
//   - the mailbox never held a message (UIDNEXT 1): it takes the source's
//     UIDVALIDITY and every message keeps its UID;
//   - the mailbox already has the source's UIDVALIDITY (an earlier run of
//     the same import): UIDs are kept and source UIDs below the mailbox's
//     UIDNEXT are skipped, so a rerun adds only what is new;
//   - otherwise messages get new UIDs, and a message whose bytes the
//     mailbox already holds is skipped (so a rerun adds nothing here too).
// Source messages without a UID (or out of order) take the next free one
// after the source's highest, in source order, so reruns agree on them too.
//
// Thread-safety: not thread-safe.
#ifndef MAILROOM_SERVER_ADMIN_MAILBOX_IMPORTER_H_
#define MAILROOM_SERVER_ADMIN_MAILBOX_IMPORTER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "store/store.h"

namespace mailroom::server::admin {

// The special-use attribute a folder of this name usually has ("Sent
// Messages" is \Sent, "Spam" is \Junk...), for top-level names only.
std::optional<std::string> GuessSpecialUse(const std::string& mailbox);

class MailboxImporter {
 public:
  MailboxImporter(store::Store& store, store::Principal who,
                  std::string mailbox)
      : store_(store), who_(std::move(who)), mailbox_(std::move(mailbox)) {}

  // Creates the mailbox if missing (with a guessed special use) and
  // decides how UIDs are handled. `uidvalidity` 0: the source has none.
  absl::Status Prepare(uint32_t uidvalidity);
  // Later unlisted messages get UIDs from `next_uid` on at least.
  void ReserveUidsBelow(store::Uid next_uid);
  // Queues one message (flushing a full batch); skipped when its UID is
  // already in the mailbox.
  absl::Status Add(std::string data, const store::Flags& flags,
                   std::optional<int64_t> internal_date,
                   std::optional<store::Uid> source_uid);
  absl::Status Flush();

  bool keeps_uids() const { return keep_uids_; }
  uint32_t uidvalidity() const { return uidvalidity_; }
  uint64_t imported() const { return imported_; }
  uint64_t skipped() const { return skipped_; }
  uint64_t queued() const { return batch_.size(); }

 private:
  static constexpr size_t kBatchMessages = 200;
  static constexpr size_t kBatchBytes = 16 << 20;

  // Whether the mailbox holds these bytes already (compared byte for byte
  // with its messages of the same size); such a message is used up.
  absl::StatusOr<bool> AlreadyPresent(const std::string& data);

  store::Store& store_;
  const store::Principal who_;
  const std::string mailbox_;
  bool keep_uids_ = false;
  store::Uid skip_below_ = 1;
  store::Uid last_uid_ = 0;
  uint32_t uidvalidity_ = 0;
  store::MailboxId mailbox_id_ = 0;
  std::multimap<uint64_t, store::Uid> present_by_size_;
  std::vector<std::string> data_;  // owned bytes of the batch
  std::vector<store::AppendRequest> batch_;
  size_t batch_bytes_ = 0;
  uint64_t imported_ = 0;
  uint64_t skipped_ = 0;
};

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_MAILBOX_IMPORTER_H_
