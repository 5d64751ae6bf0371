// Store::Verify: checks what the store keeps consistent and, with repair,
// fixes what can be fixed. Private to store/internal (verify.cc holds the
// checks, verify_repairs.cc the repairs).
//
// Live traffic. The checks read one engine snapshot of the whole store at
// one instant (RocksDB), so a commit that lands while verify runs cannot
// make the snapshot disagree with itself. A shared engine (RADOS) keeps no
// old state: each mailbox is read at a snapshot of its own (read again when
// a commit aborts it) and store-wide rows at the newest state, so a
// store-wide count there is not exact under traffic and verify does not
// lower a reference count from it. What the snapshot cannot settle (a body read from
// the newest state, the index, which lives outside the engine) is checked
// again at the newest state before it is reported. Each repair is its own
// transaction that first takes the locks every writer takes (the mailbox
// state key, then the owner's quota key, the blob's reference count) and
// decides again from what it reads under them; counters are recounted
// inside that transaction, never copied from the snapshot, and a
// reference count is corrected by the difference the snapshot showed, so a
// delivery or expunge committed meanwhile is never undone.
//
// Thread-safety: one Verifier runs one Verify call on one thread.
#ifndef MAILROOM_STORE_INTERNAL_VERIFIER_H_
#define MAILROOM_STORE_INTERNAL_VERIFIER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "store/internal/password.h"
#include "store/internal/store_impl.h"

namespace mailroom::store::internal {

// The first 16 hex digits of a body hash, to name a body in a problem.
inline std::string ShortHash(const std::string& hash) {
  return HexEncode(hash).substr(0, 16);
}

class StoreImpl::Verifier {
 public:
  // `owner` is canonical; empty verifies the whole store.
  Verifier(StoreImpl& store, std::string owner, bool repair,
           std::function<void(uint64_t, uint64_t)> progress)
      : store_(store),
        owner_(std::move(owner)),
        repair_(repair),
        progress_(std::move(progress)) {}

  absl::StatusOr<VerifyReport> Run();

 private:
  // Repairs run in this order: removing a lost message changes counters,
  // quota and reference counts, which the later recounts then see.
  enum RepairOrder {
    kFixLostMessage = 0,
    kFixNames,
    kFixChangelog,
    kFixSeen,
    kFixOrphanRows,
    kFixMetadataUsage,
    kFixMailboxCounters,
    kFixQuota,
    kFixRefCount,
    kFixUnreferencedBlob,
    kFixIndex,
    kFixOutbound,
  };
  using RepairKey = std::pair<int, std::string>;
  // Returns what it did ("" when it found nothing left to do).
  using RepairFn = std::function<absl::StatusOr<std::string>()>;

  struct Message {
    ModSeq modseq = 0;
    bool seen = false;
    uint64_t size = 0;
    std::string hash;
  };

  // ---- checks (verify.cc) ----
  absl::Status Check();
  absl::Status ListMailboxes();
  absl::Status CheckNames();
  absl::Status CheckMailbox(MailboxId id, const MailboxRecord& record);
  absl::Status CheckChangelog(MailboxId id, const MailboxRecord& record,
                              const MailboxState& state,
                              const absl::flat_hash_map<Uid, Message>& messages,
                              ModSeq* max_change);
  absl::Status CheckSeen(MailboxId id, const MailboxRecord& record,
                         const MailboxState& state,
                         const absl::flat_hash_map<Uid, Message>& messages);
  absl::Status CheckIndex(MailboxId id, const MailboxRecord& record,
                          const absl::flat_hash_map<Uid, Message>& messages);
  // The persisted message table (mailbox_table.cc), when there is one:
  // whole, of this UIDVALIDITY, not ahead of the state, and holding every
  // message not changed since its stamp at its modseq.
  absl::Status CheckMessageTable(
      MailboxId id, const MailboxState& state,
      const absl::flat_hash_map<Uid, Message>& messages);
  // The persisted search column (search_column_io.cc), when there is one:
  // whole, and if of this UIDVALIDITY, not past UIDNEXT and holding every
  // message below its mark at its size.
  absl::Status CheckSearchColumn(
      MailboxId id, const MailboxState& state,
      const absl::flat_hash_map<Uid, Message>& messages);
  // Whether the newest state of the store still lacks the body of message
  // `uid` (not expunged meanwhile).
  absl::StatusOr<bool> BodyStillMissing(MailboxId id, Uid uid,
                                        const std::string& hash);
  absl::Status CheckQuota();
  absl::Status CheckBlobs();
  absl::Status CheckOrphans();
  // Annotations of mailboxes that do not exist, and usage counters that
  // disagree with the annotations (store-wide only).
  absl::Status CheckMetadata();
  // Sieve rows of users who do not exist, an active mark naming a missing
  // script, and (repairing) expired marks (verify_sieve.cc).
  absl::Status CheckSieve();
  // The outbound queue's rows, due index and count (store-wide only;
  // verify_outbound.cc).
  absl::Status CheckOutbound();
  // Calls fn(id) for each mailbox id with keys under `prefix` + id in
  // `space`, one seek per id.
  absl::Status ForEachIdWithKeys(
      Space space, const std::string& prefix,
      const std::function<absl::Status(MailboxId)>& fn);

  void Problem(std::string user, std::string mailbox, std::string problem,
               std::optional<RepairKey> key = std::nullopt,
               RepairFn fn = nullptr);
  void MailboxProblem(MailboxId id, std::string problem,
                      std::optional<RepairKey> key = std::nullopt,
                      RepairFn fn = nullptr);
  void ApplyRepairs();

  // ---- repairs (verify_repairs.cc), each one transaction ----
  // Runs one repair as a store transaction (retried on conflict); `fn` says
  // in `done` what it changed, empty when it found nothing to do. `done` is
  // cleared before every attempt, so only the committed one speaks.
  absl::StatusOr<std::string> RepairTxn(
      const std::function<absl::Status(Txn&, std::string& done)>& fn);
  absl::StatusOr<std::string> RemoveLostMessage(MailboxId id, Uid uid,
                                                const std::string& hash);
  absl::StatusOr<std::string> RestoreName(MailboxId id,
                                          const MailboxRecord& record);
  absl::StatusOr<std::string> DropDanglingName(const std::string& key,
                                               MailboxId id);
  absl::StatusOr<std::string> RewriteChangelog(MailboxId id);
  absl::StatusOr<std::string> RewriteSeen(MailboxId id);
  absl::StatusOr<std::string> DropOrphanRows(MailboxId id);
  // Drops a mailbox's persisted message table (the next open rebuilds it).
  absl::StatusOr<std::string> DropMessageTable(MailboxId id);
  // Drops a mailbox's persisted search column (the next date or size
  // search reads the messages and writes it again).
  absl::StatusOr<std::string> DropSearchColumn(MailboxId id);
  absl::StatusOr<std::string> DropOrphanMetadata(MailboxId id);
  absl::StatusOr<std::string> RecountMetadata(const std::string& owner);
  absl::StatusOr<std::string> DropOrphanSieve(const std::string& owner);
  absl::StatusOr<std::string> DropDanglingActive(const std::string& owner);
  absl::StatusOr<std::string> SweepExpiredMarks(const std::string& owner);
  absl::StatusOr<std::string> RecountMailbox(MailboxId id);
  // The keyword list against the keywords the messages carry
  // (keyword_limit.cc); a wrong one is rebuilt from them.
  absl::Status CheckKeywordList(MailboxId id, const MailboxState& state);
  absl::StatusOr<std::string> RebuildKeywordList(MailboxId id);
  absl::StatusOr<std::string> RecountQuota(const std::string& owner);
  absl::StatusOr<std::string> FixRefCount(const std::string& hash,
                                          uint64_t stored, uint64_t counted);
  absl::StatusOr<std::string> DropUnreferencedBlob(
      const std::string& hash, std::optional<uint64_t> stored);
  absl::StatusOr<std::string> RequeueIndex(const std::string& owner);
  absl::StatusOr<std::string> RebuildOutbound();

  StoreImpl& store_;
  const std::string owner_;
  const bool repair_;
  const std::function<void(uint64_t, uint64_t)> progress_;

  // Rebuilt by each attempt of Check().
  std::unique_ptr<engine::Reader> snapshot_;
  // Where store-wide rows are read (the snapshot, or the newest state on a
  // shared engine) and where the mailbox being checked is read.
  engine::Reader* global_ = nullptr;
  engine::Reader* mailbox_view_ = nullptr;
  std::unique_ptr<engine::Reader> mailbox_snapshot_;
  VerifyReport report_;
  std::vector<std::optional<RepairKey>> problem_repairs_;
  std::map<RepairKey, RepairFn> repairs_;
  std::map<MailboxId, MailboxRecord> mailboxes_;
  // Store-wide: every stored blob key. Per user: unused.
  absl::flat_hash_set<std::string> blobs_;
  // References counted from message records, by body hash.
  absl::flat_hash_map<std::string, uint64_t> refs_;
  // Usage counted from message records, by owner.
  std::map<std::string, QuotaRecord> usage_;
  // Owners whose index was found to disagree (reindexed once each).
  std::set<std::string> index_owners_;
  bool index_listable_ = true;
};

}  // namespace mailroom::store::internal

#endif  // MAILROOM_STORE_INTERNAL_VERIFIER_H_
