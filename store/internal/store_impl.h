// The mail logic of the Store API (see store/store.h for the contract and
// keys.h for the logical key layout), written once over a storage engine
// (store/engine/engine.h). Its methods are spread over several files
// by area: store_impl.cc (open, transactions, shared helpers), users.cc,
// mailboxes.cc, acl_quota.cc, messages.cc, search.cc, indexer.cc,
// maildrop.cc, consistency.cc, verify*.cc.
//
// Thread-safety: thread-safe. Mutations are engine transactions; conflicts
// are retried a bounded number of times, then kAborted.
#ifndef MAILROOM_STORE_INTERNAL_STORE_IMPL_H_
#define MAILROOM_STORE_INTERNAL_STORE_IMPL_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "store/engine/engine.h"
#include "store/internal/keys.h"
#include "store/internal/maildrop_leases.h"
#include "store/internal/message_table.h"
#include "store/internal/notifier.h"
#include "store/internal/queued_text_cache.h"
#include "store/internal/rebuild_queue.h"
#include "store/internal/search_columns.h"
#include "store/internal/records.h"
#include "store/internal/sync.h"
#include "store/store.h"

namespace mailroom::store::internal {

// Annotation entries and bytes (names and values) charged to one owner.
struct MetadataUsage {
  int64_t entries = 0;
  int64_t bytes = 0;
  bool operator==(const MetadataUsage&) const = default;
};

class StoreImpl : public Store {
 public:
  // Starts the mail logic over `engine` (writing or checking the format
  // version). kDataLoss on an unknown format version.
  static absl::StatusOr<std::unique_ptr<StoreImpl>> Open(
      const StoreOptions& options, std::unique_ptr<engine::Engine> engine);
  ~StoreImpl() override;

  absl::Status CreateUser(std::string_view user,
                          std::string_view password) override;
  absl::Status DeleteUser(std::string_view user) override;
  absl::Status SetPassword(std::string_view user,
                           std::string_view password) override;
  absl::StatusOr<std::vector<std::string>> ListUsers() override;
  absl::StatusOr<Principal> Authenticate(std::string_view user,
                                         std::string_view password) override;
  absl::StatusOr<ScramCredentials> GetScramCredentials(
      std::string_view user) override;
  absl::Status SetGroupMembers(std::string_view group,
                               const std::vector<std::string>& users) override;

  absl::StatusOr<std::vector<MailboxInfo>> ListMailboxes(
      const Principal& who) override;
  absl::Status CreateMailbox(const Principal& who, std::string_view name,
                             std::optional<std::string> special_use) override;
  absl::Status DeleteMailbox(const Principal& who,
                             std::string_view name) override;
  absl::Status RenameMailbox(const Principal& who, std::string_view from,
                             std::string_view to) override;
  absl::Status SetSubscribed(const Principal& who, std::string_view name,
                             bool subscribed) override;
  absl::StatusOr<std::vector<std::string>> ListSubscriptions(
      const Principal& who) override;
  absl::StatusOr<MailboxStatus> GetStatus(const Principal& who,
                                          std::string_view name) override;
  absl::StatusOr<MailboxSnapshot> OpenMailbox(const Principal& who,
                                              std::string_view name) override;
  absl::StatusOr<MailboxTableSnapshot> OpenMailboxTable(
      const Principal& who, std::string_view name) override;
  absl::StatusOr<MailboxSnapshot> OpenMailboxHeader(
      const Principal& who, std::string_view name) override;
  absl::StatusOr<Uid> ClaimRecent(const Principal& who, MailboxId mailbox,
                                  Uid up_to) override;

  absl::StatusOr<AppendResult> Append(
      const Principal& who, std::string_view mailbox,
      const std::vector<AppendRequest>& messages) override;
  std::vector<absl::StatusOr<AppendResult>> Deliver(
      const std::vector<DeliveryTarget>& targets,
      std::string_view data) override;
  absl::StatusOr<QuotaUsage> RecipientQuota(std::string_view user) override;
  absl::StatusOr<std::vector<MessageMeta>> GetMessages(
      const Principal& who, MailboxId mailbox,
      const std::vector<Uid>& uids) override;
  absl::StatusOr<std::shared_ptr<const std::string>> ReadMessage(
      const Principal& who, MailboxId mailbox, Uid uid) override;
  absl::StatusOr<std::string> ReadMessageRange(const Principal& who,
                                               MailboxId mailbox, Uid uid,
                                               uint64_t offset,
                                               uint64_t length) override;
  absl::StatusOr<std::shared_ptr<const mime::Message>> GetStructure(
      const Principal& who, MailboxId mailbox, Uid uid) override;
  absl::StatusOr<std::vector<MessageStructure>> GetStructures(
      const Principal& who, MailboxId mailbox,
      const std::vector<Uid>& uids) override;
  absl::StatusOr<StoreFlagsResult> StoreFlags(
      const Principal& who, MailboxId mailbox,
      const StoreFlagsRequest& request) override;
  absl::StatusOr<std::vector<Uid>> Expunge(
      const Principal& who, MailboxId mailbox,
      const ExpungeRequest& request) override;
  absl::StatusOr<AppendResult> Replace(const Principal& who, MailboxId source,
                                       Uid uid, std::string_view dest,
                                       const AppendRequest& message) override;
  absl::StatusOr<CopyResult> Copy(const Principal& who, MailboxId source,
                                  const std::vector<Uid>& uids,
                                  std::string_view dest) override;
  absl::StatusOr<CopyResult> Move(const Principal& who, MailboxId source,
                                  const std::vector<Uid>& uids,
                                  std::string_view dest) override;
  absl::StatusOr<std::vector<Uid>> Search(const Principal& who,
                                          MailboxId mailbox,
                                          const SearchKey& key) override;
  absl::StatusOr<Changes> ChangesSince(const Principal& who,
                                       MailboxId mailbox,
                                       ModSeq since) override;

  absl::StatusOr<std::vector<AclEntry>> GetAcl(
      const Principal& who, std::string_view mailbox) override;
  absl::Status SetAcl(const Principal& who, std::string_view mailbox,
                      std::string_view identifier,
                      std::string_view rights) override;
  absl::StatusOr<std::string> MyRights(const Principal& who,
                                       std::string_view mailbox) override;
  absl::Status SetSeenMode(const Principal& who, std::string_view mailbox,
                           SeenMode mode) override;
  absl::Status SetPrivateFlags(const Principal& who, std::string_view mailbox,
                               const Flags& private_flags) override;
  absl::StatusOr<Flags> GetPrivateFlags(const Principal& who,
                                        std::string_view mailbox) override;
  absl::StatusOr<QuotaUsage> GetQuota(const Principal& who,
                                      std::string_view user) override;
  absl::Status SetQuota(const Principal& who, std::string_view user,
                        std::optional<uint64_t> storage_bytes,
                        std::optional<uint64_t> messages) override;

  // metadata.cc
  absl::StatusOr<MetadataResult> GetMetadata(
      const Principal& who, std::string_view mailbox,
      const MetadataQuery& query) override;
  absl::Status SetMetadata(const Principal& who, std::string_view mailbox,
                           const std::vector<MetadataEntry>& entries) override;

  // sieve_scripts.cc, sieve_marks.cc
  absl::StatusOr<std::vector<SieveScriptInfo>> ListSieveScripts(
      const Principal& who, std::string_view owner) override;
  absl::StatusOr<std::string> GetSieveScript(const Principal& who,
                                             std::string_view owner,
                                             std::string_view name) override;
  absl::StatusOr<std::optional<SieveScript>> GetActiveSieveScript(
      const Principal& who, std::string_view owner) override;
  absl::Status PutSieveScript(const Principal& who, std::string_view owner,
                              std::string_view name,
                              std::string_view source) override;
  absl::Status CheckSieveSpace(const Principal& who, std::string_view owner,
                               std::string_view name, uint64_t size) override;
  absl::Status ActivateSieveScript(const Principal& who,
                                   std::string_view owner,
                                   std::string_view name) override;
  absl::Status DeleteSieveScript(const Principal& who, std::string_view owner,
                                 std::string_view name) override;
  absl::Status RenameSieveScript(const Principal& who, std::string_view owner,
                                 std::string_view from,
                                 std::string_view to) override;
  absl::StatusOr<bool> HasSieveMark(const Principal& who,
                                    std::string_view owner,
                                    std::string_view key, int64_t now) override;
  absl::StatusOr<bool> TestAndSetSieveMark(const Principal& who,
                                           std::string_view owner,
                                           std::string_view key, int64_t now,
                                           int64_t expires,
                                           bool extend) override;
  // outbound.cc
  absl::StatusOr<std::string> QueueOutbound(
      const Principal& who, const OutboundMessage& message) override;
  absl::StatusOr<std::vector<OutboundMessage>> ClaimOutbound(
      int64_t now, int64_t claim_seconds, size_t max) override;
  absl::Status RemoveOutbound(std::string_view id) override;
  absl::Status DeferOutbound(std::string_view id, int64_t next_attempt_at,
                             std::string_view error) override;
  absl::StatusOr<uint64_t> FlushOutbound(int64_t now) override;
  absl::StatusOr<std::vector<OutboundMessage>> ListOutbound() override;

  absl::StatusOr<std::unique_ptr<Lease>> LockMaildrop(
      const Principal& who) override;
  absl::Status MarkRetrieved(const Principal& who, MailboxId mailbox,
                             const std::vector<Uid>& uids) override;
  absl::StatusOr<uint64_t> ApplyRetention(
      const RetentionPolicy& policy) override;

  absl::StatusOr<std::vector<std::pair<std::string, uint64_t>>> IndexBacklog()
      override;
  absl::Status Reindex(std::string_view user) override;

  using Store::WatchChanges;
  std::unique_ptr<Watch> WatchChanges(
      std::optional<MailboxId> mailbox,
      std::function<void(const ChangeEvent&)> callback) override;

  // Verify over the whole store without repair (consistency.cc).
  absl::Status CheckConsistency() override;
  // verify*.cc (see verifier.h).
  absl::StatusOr<VerifyReport> Verify(
      std::string_view user, bool repair,
      const std::function<void(uint64_t, uint64_t)>& progress) override;
  absl::StatusOr<std::vector<QuotaRecount>> RecountQuota(
      std::string_view user) override;

  absl::StatusOr<StoreStats> GetStats() override;
  absl::Status CatchUpIndex() override;
  absl::Status SetUidValidity(const Principal& who, std::string_view mailbox,
                              uint32_t uidvalidity) override;
  absl::StatusOr<BackupInfo> CreateBackup(
      std::string_view dir,
      const std::function<void(uint64_t, uint64_t)>& progress) override;

 private:
  // One attempt of a mutation: the transaction and what to publish after it
  // commits.
  struct Txn {
    engine::Transaction* t = nullptr;
    std::vector<ChangeEvent> events;
    bool queued_index_work = false;
    uint64_t queued_index_items = 0;
  };
  // A mailbox as a principal sees it.
  struct Resolved {
    MailboxId id = 0;
    MailboxRecord record;
    std::string rights;
  };

  StoreImpl(const StoreOptions& options, std::unique_ptr<engine::Engine> engine);

  // Runs `fn` in a fresh transaction until it commits, retrying conflicts;
  // publishes the collected events after the commit. `durable` false skips
  // the WAL sync (only for data that is harmless to lose, such as caches).
  absl::Status RunTxn(const std::function<absl::Status(Txn&)>& fn,
                      bool durable = true);

  // Point read; std::nullopt if absent. With `txn`, reads through it (and
  // locks the key when `for_update`); otherwise from the DB at `snapshot`.
  absl::StatusOr<std::optional<std::string>> Get(
      Space c, std::string_view key, Txn* txn = nullptr, bool for_update = false,
      engine::Reader* snapshot = nullptr);
  absl::Status Put(Txn& txn, Space c, std::string_view key,
                   std::string_view value);
  absl::Status Delete(Txn& txn, Space c, std::string_view key);
  // Deletes every key under `prefix` in the transaction.
  absl::Status DeletePrefix(Txn& txn, Space c, std::string_view prefix);
  // Deletes the keys in [begin, end).
  absl::Status DeleteRange(Txn& txn, Space c, std::string_view begin,
                           std::string_view end);
  // Calls fn(key, value) for keys in [begin, end) until it returns false.
  absl::Status Scan(
      Space c, std::string_view begin, std::string_view end,
      const std::function<bool(std::string_view, std::string_view)>& fn,
      Txn* txn = nullptr, engine::Reader* snapshot = nullptr);
  absl::Status ScanPrefix(
      Space c, std::string_view prefix,
      const std::function<bool(std::string_view, std::string_view)>& fn,
      Txn* txn = nullptr, engine::Reader* snapshot = nullptr);

  // Calls fn(uid, record) for every message of `mailbox`, ascending UID.
  // kDataLoss on an undecodable record.
  absl::Status ForEachMessage(
      MailboxId mailbox, const std::function<void(Uid, MessageRecord)>& fn,
      Txn* txn = nullptr, engine::Reader* snapshot = nullptr);

  template <typename Record>
  absl::StatusOr<std::optional<Record>> GetRecord(
      Space c, std::string_view key, Txn* txn = nullptr, bool for_update = false,
      engine::Reader* snapshot = nullptr);

  // ---- rights and name resolution (store_impl.cc) ----
  absl::StatusOr<std::string> RightsOf(const Principal& who, MailboxId id,
                                       const MailboxRecord& record,
                                       Txn* txn);
  // The rights of an anonymous sender: the "anyone" entries less the
  // "-anyone" ones.
  absl::StatusOr<std::string> AnyoneRights(MailboxId id, Txn* txn);
  // kNotFound when the mailbox is missing or the principal holds none of
  // `l`, `r` and the rights in `also_visible` on it. Insert paths pass "i"
  // so that a drop box (`i` without `l`) takes mail while looking missing
  // to every other command (RFC 4314 sections 4 and 6).
  absl::StatusOr<Resolved> ResolveName(const Principal& who,
                                       std::string_view name, Txn* txn,
                                       std::string_view also_visible = "");
  absl::StatusOr<Resolved> ResolveId(const Principal& who, MailboxId id,
                                     Txn* txn,
                                     std::string_view also_visible = "");
  static absl::Status Require(const Resolved& mailbox, char right);

  // ---- mailbox state, quota, blobs (store_impl.cc) ----
  absl::StatusOr<MailboxState> LockState(Txn& txn, MailboxId id);
  absl::Status PutState(Txn& txn, MailboxId id, const MailboxState& state);
  absl::StatusOr<QuotaRecord> LockQuota(Txn& txn, std::string_view owner);
  // Checks `usage` (after the change) against the owner's limits.
  absl::Status CheckQuota(Txn& txn, std::string_view owner,
                          const QuotaRecord& usage);
  // Adds `bytes`/`messages` (may be negative) to the owner's usage,
  // checking limits when growing.
  absl::Status ChargeQuota(Txn& txn, std::string_view owner, int64_t bytes,
                           int64_t messages);
  // `data` is needed only when the blob may not exist yet. A new blob is
  // stored with its parsed structure: `structure` when the caller computed
  // it before the transaction, otherwise parsed here.
  absl::Status AddBlobRef(Txn& txn, std::string_view hash,
                          std::optional<std::string_view> data,
                          const std::optional<std::string>* structure = nullptr);
  // mime::Serialize(mime::Parse(data)) for every body whose blob is not
  // stored yet (std::nullopt for the others). Runs before the transaction so
  // parsing never holds locks; AddBlobRef checks again inside it.
  absl::StatusOr<std::vector<std::optional<std::string>>> StructuresOfNewBlobs(
      const std::vector<std::string>& hashes,
      const std::vector<std::string_view>& data);
  absl::Status DropBlobRef(Txn& txn, std::string_view hash);
  void QueueIndex(Txn& txn, const IndexWork& work, absl::Status* status);

  // ---- messages inside a transaction (messages.cc) ----
  // Assigns UID (`uid` when given, which must not be below UIDNEXT) and
  // modseq, writes the message, change log and index work and counts it in
  // `state`. The blob reference must already be taken.
  absl::StatusOr<Uid> InsertMessage(Txn& txn, MailboxId id,
                                    std::string_view owner,
                                    MailboxState& state, MessageRecord record,
                                    std::optional<Uid> uid = std::nullopt);
  // Removes a message, records its expunge and uncounts it. Drops the blob
  // reference unless `keep_blob_ref`. Quota is the caller's.
  absl::Status RemoveMessage(Txn& txn, MailboxId id, std::string_view owner,
                             MailboxState& state, Uid uid,
                             const MessageRecord& record, bool keep_blob_ref);
  // What to do with keywords past max_keywords_per_mailbox.
  enum class KeywordOverflow {
    kRefuse,  // kResourceExhausted: a client's command fails whole
    kDrop,    // leave them out: a delivery must not bounce over keywords
    kKeep,    // note them past the bound too: messages that only move
  };
  absl::StatusOr<AppendResult> AppendInTxn(
      Txn& txn, MailboxId id, std::string_view owner,
      const std::vector<AppendRequest>& messages,
      const std::vector<std::string>& hashes,
      const std::vector<std::optional<std::string>>& structures,
      bool charge_quota, std::string_view seen_user = {},
      KeywordOverflow overflow = KeywordOverflow::kRefuse);

  // ---- the keyword bound (keyword_limit.cc) ----
  // Notes `keywords` in `state` (written back by the caller's PutState).
  // Past the bound: kResourceExhausted (kRefuse), `keywords` loses the new
  // ones that do not fit (kDrop), or all are noted anyway (kKeep). Reads
  // the mailbox's keyword list only when `keywords` is not empty.
  // REQUIRES: LockState(mailbox).
  absl::Status AdmitKeywords(Txn& txn, MailboxId mailbox, MailboxState& state,
                             std::vector<std::string>* keywords,
                             KeywordOverflow overflow);
  // Reads the keyword list into `state` unless it is there already.
  // kDataLoss when it is undecodable. REQUIRES: LockState(mailbox).
  absl::Status LoadKeywords(Txn& txn, MailboxId mailbox, MailboxState& state);
  // The keywords the messages of `mailbox` carry, shared or as someone's
  // private flag: folded, sorted, unique.
  absl::StatusOr<std::vector<std::string>> KeywordsInUse(
      MailboxId mailbox, Txn* txn, engine::Reader* snapshot);
  // Rebuilds the keyword list in `state` from the messages.
  // REQUIRES: LockState(mailbox).
  absl::Status RecountKeywords(Txn& txn, MailboxId mailbox,
                               MailboxState& state);
  bool KeywordsFull(const MailboxState& state) const;
  absl::StatusOr<CopyResult> CopyOrMove(const Principal& who, MailboxId source,
                                        const std::vector<Uid>& uids,
                                        std::string_view dest, bool move);
  // Moves every message of `from` into `to` (both locked), inside txn.
  // The moved messages carry \Seen as `who` saw it.
  absl::Status MoveAllInTxn(const Principal& who, Txn& txn, MailboxId from,
                            MailboxState& from_state, MailboxId to,
                            MailboxState& to_state, std::string_view owner);
  // The metadata of a record, with its object ids (derived for records
  // older than them: see MessageRecord::email_id).
  MessageMeta ToMeta(Uid uid, const MessageRecord& record) const;
  absl::StatusOr<std::shared_ptr<const std::string>> ReadBlob(
      std::string_view hash);
  // The structure of body `hash` from its stored encoding `stored`, or
  // parsed from the body (and stored) when there is none.
  absl::StatusOr<std::shared_ptr<const mime::Message>> StructureOfBody(
      std::string_view hash, const std::optional<std::string>& stored);
  // The body hash of message `uid`, when `who` may read it.
  absl::StatusOr<std::string> ReadableBody(const Principal& who,
                                           MailboxId mailbox, Uid uid);

  // ---- private flags (seen.cc; the design is described there) ----
  // True when `who` keeps its own values of some flags in a mailbox with
  // `record`.
  static bool PrivateView(const MailboxRecord& record, const Principal& who);
  // The private set, read after LockState(id) so a concurrent change of it
  // is either fully before or fully after the caller's transaction.
  absl::StatusOr<Flags> LockedPrivateFlags(Txn& txn, MailboxId id);
  // `user`'s rows of messages with UID in [first, last], by UID.
  absl::StatusOr<absl::flat_hash_map<Uid, SeenRow>> SeenRows(
      MailboxId id, std::string_view user, Uid first, Uid last, Txn* txn,
      engine::Reader* snapshot);
  // `user`'s view state (zero when the user never changed a \Seen).
  absl::StatusOr<SeenUserState> GetSeenUser(MailboxId id,
                                            std::string_view user, Txn* txn,
                                            bool for_update,
                                            engine::Reader* snapshot);
  // Overlays a user's row on the shared metadata of a message.
  static void ApplySeenRow(const SeenRow& row, MessageMeta* meta);
  // The status as `who` sees it.
  absl::StatusOr<MailboxStatus> ViewStatus(const Principal& who, MailboxId id,
                                           const MailboxRecord& record,
                                           const MailboxState& state,
                                           engine::Reader* snapshot);
  // Stores `row` as `user`'s row of a message under a new private modseq,
  // replacing `old`, and accounts it in `user_state` (the caller writes that
  // back with PutSeenUser, and `state` with PutState). REQUIRES:
  // LockState(id).
  absl::Status WriteSeenRow(Txn& txn, MailboxId id, std::string_view user,
                            MailboxState& state, SeenUserState& user_state,
                            Uid uid, const MessageRecord& record,
                            const std::optional<SeenRow>& old, SeenRow row,
                            SeenRow* out);
  absl::Status PutSeenUser(Txn& txn, MailboxId id, std::string_view user,
                           const SeenUserState& state);
  // Users with a view state in the mailbox.
  absl::StatusOr<std::vector<std::string>> SeenUsers(Txn& txn, MailboxId id);
  // Drops every user's rows of removed messages. REQUIRES: LockState(id).
  absl::Status DropSeenRows(
      Txn& txn, MailboxId id,
      const std::vector<std::pair<Uid, MessageRecord>>& removed);
  // Keeps users' deltas right when the shared \Seen bit of `uid` flips.
  absl::Status SharedSeenChanged(Txn& txn, MailboxId id, Uid uid,
                                 bool now_seen);
  // Drops every per-user \Seen key of the mailbox.
  absl::Status DropAllSeen(Txn& txn, MailboxId id);
  // Drops `user`'s \Seen in every mailbox (the user is being deleted).
  absl::Status DropSeenOfUser(Txn& txn, std::string_view user);
  // Gives message `uid` a new modseq everyone sees. REQUIRES: LockState(id).
  absl::Status GiveSharedModSeq(Txn& txn, MailboxId id, MailboxState& state,
                                Uid uid);
  // Drops every row's overrides of flags outside `private_flags` (rows left
  // empty go) and renews the modseq of their messages. REQUIRES:
  // LockState(id).
  absl::Status NarrowPrivateRows(Txn& txn, MailboxId id, MailboxState& state,
                                 const Flags& private_flags);
  // Replaces the private set of `mailbox` by change(current), normalised;
  // needs `a`.
  absl::Status ChangePrivateFlags(
      const Principal& who, std::string_view mailbox,
      const std::function<Flags(const Flags&)>& change);

  // ---- mailboxes inside a transaction (mailboxes.cc) ----
  absl::StatusOr<MailboxId> CreateMailboxInTxn(
      Txn& txn, std::string_view owner, std::string_view name,
      std::optional<std::string> special_use);
  // Creates the missing parents of `name` as ordinary mailboxes.
  absl::Status CreateParentsInTxn(Txn& txn, std::string_view owner,
                                  std::string_view name);
  // CreateParentsInTxn and CreateMailboxInTxn for CREATE: every mailbox it
  // creates inherits the ACL of the nearest existing ancestor (RFC 4314
  // section 4, CREATE).
  absl::Status CreateInheritingInTxn(Txn& txn, std::string_view owner,
                                     std::string_view name,
                                     std::optional<std::string> special_use);
  // Copies every ACL entry of `from` to `to` (which has none yet).
  absl::Status CopyAclInTxn(Txn& txn, MailboxId from, MailboxId to);
  // Deletes every message of the mailbox (counters to zero, quota released).
  absl::Status DeleteContentsInTxn(Txn& txn, MailboxId id,
                                   std::string_view owner,
                                   MailboxState& state);
  // Removes the mailbox entirely (contents, names, state, ACL).
  absl::Status RemoveMailboxInTxn(Txn& txn, MailboxId id,
                                  const MailboxRecord& record);
  absl::StatusOr<uint32_t> NextUidValidity(Txn& txn);
  std::vector<std::string> GroupsOf(std::string_view user);

  // ---- outbound queue (outbound.cc) ----
  // The queue's message count, locked: every change of the queue's size
  // takes it first.
  absl::StatusOr<uint64_t> LockOutboundCount(Txn& txn);
  absl::Status PutOutboundCount(Txn& txn, uint64_t count);

  // ---- Sieve filing (filing.cc) ----
  // The mailbox a DeliveryTarget with as_user names, as `user` sees it,
  // created first when target.create allows and `user` may create it.
  // kNotFound when missing (or \Noselect); kPermissionDenied without `p`
  // or `i` there.
  absl::StatusOr<Resolved> ResolveFilingTarget(Txn& txn, std::string_view user,
                                               const DeliveryTarget& target);

  // ---- annotations inside a transaction (metadata.cc) ----
  // Usage per owner charged, recounted from the rows (through `txn`, or at
  // `snapshot`). Rows of mailboxes that do not exist are not counted; their
  // ids go to `orphans` (may be null).
  absl::StatusOr<std::map<std::string, MetadataUsage>> CountMetadataUsage(
      Txn* txn, engine::Reader* snapshot, std::set<MailboxId>* orphans);
  // The usage counters as stored.
  absl::StatusOr<std::map<std::string, MetadataUsage>> StoredMetadataUsage(
      Txn* txn, engine::Reader* snapshot);
  // Adds to `owner`'s annotation usage (may be negative); with
  // `check_limits`, refuses growth past the limits (METADATA TOOMANY).
  absl::Status ChargeMetadata(Txn& txn, std::string_view owner,
                              int64_t entries, int64_t bytes,
                              bool check_limits);
  // Every annotation row (key, value) of mailbox `id`.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
  MailboxMetadataRows(Txn& txn, MailboxId id);
  // Drops every annotation of mailbox `id` (owned by `owner`), uncharging.
  absl::Status DropMailboxMetadataInTxn(Txn& txn, MailboxId id,
                                        std::string_view owner);
  // Copies every annotation of `from` to `to` (RENAME INBOX keeps INBOX's
  // and gives the new mailbox the same, RFC 5464 section 4.1).
  absl::Status CopyMailboxMetadataInTxn(Txn& txn, MailboxId from,
                                        MailboxId to, std::string_view owner);
  // Drops `user`'s private annotations everywhere and their usage counter
  // (the user is being deleted; their mailboxes are removed already).
  absl::Status DropMetadataOfUser(Txn& txn, std::string_view user);

  // ---- Sieve scripts and marks (sieve_scripts.cc, sieve_marks.cc) ----
  // The canonical owner `who` may reach ("" the global scripts): kNotFound
  // for another user's, kPermissionDenied for a non-admin writing global
  // ones.
  absl::StatusOr<std::string> SieveOwner(const Principal& who,
                                         std::string_view owner, bool write);
  // kNotFound unless `owner` is "" or an existing user (read through `txn`
  // for update, else at `snapshot`).
  absl::Status RequireSieveOwnerExists(const std::string& owner, Txn* txn,
                                       engine::Reader* snapshot);
  // Runs change(txn, active) in a transaction holding `owner`'s head lock;
  // `active` is the active script's name, written back with a new tag.
  // Drops the owner's cached active script afterwards.
  absl::Status WriteSieve(
      const std::string& owner,
      const std::function<absl::Status(Txn&, std::string& active)>& change);
  // How many scripts `owner` has, and whether `name` is one of them.
  absl::StatusOr<uint64_t> CountSieveScripts(Txn& txn,
                                             const std::string& owner,
                                             std::string_view name,
                                             bool* exists);
  void ForgetSieveOwner(const std::string& owner);
  // Removes up to `limit` (<= 0: every) marks of `owner` expired at `now`;
  // returns how many.
  absl::StatusOr<int> SweepSieveMarks(Txn& txn, const std::string& owner,
                                      int64_t now, int limit);
  // Drops every script, head and mark of `owner` (the user is being
  // deleted).
  absl::Status DropSieveOfOwner(Txn& txn, const std::string& owner);

  // ---- index queue (indexer.cc) ----
  void StartIndexer();
  void StopIndexer();
  void IndexerLoop();
  void WakeIndexer();
  absl::StatusOr<StoredBody> LoadBlobByHex(
      const std::string& blob_id);
  // On a shared store: brings this node's index of mailbox `id` up to the
  // mailbox's change log (the index queue's job on a store of one node).
  absl::Status CatchUpMailboxIndex(const std::string& owner, MailboxId id);
  // Before a text search of `mailbox` on a store of one node: brings the
  // index up to date, or, when `may_defer` and more than a few of the
  // mailbox's new messages are queued and nothing else of `owner`'s is (a
  // delivery burst the background indexer is still working through), leaves
  // the queue to the indexer and lists those messages in `unindexed`
  // (ascending) for the search to read itself, a fraction of the cost of
  // indexing them first.
  absl::Status PrepareIndexForSearch(const std::string& owner,
                                     MailboxId mailbox, bool may_defer,
                                     std::vector<Uid>* unindexed);
  // Called when a text query failed: a missing or damaged owner database
  // (kDataLoss, kNotFound) gets one rebuild queued on the indexer thread.
  // `epoch` is rebuilds_.Epoch() from before the query.
  void MaybeRebuildIndex(const std::string& owner, const absl::Status& error,
                         uint64_t epoch);
  // Runs the rebuilds search asked for (indexer thread).
  void RunRequestedRebuilds();
  // A selectable mailbox read for opening: resolved with `r` checked, a
  // snapshot, and its state and record read there; `header` holds what
  // both open paths report (status without \Recent, name, rights,
  // read-only, recent_claimed, private_view).
  struct OpenedMailbox {
    Resolved mailbox;
    std::unique_ptr<engine::Reader> snapshot;
    MailboxState state;
    MailboxRecord record;
    MailboxSnapshot header;
  };
  absl::StatusOr<OpenedMailbox> ReadMailboxForOpen(const Principal& who,
                                                   std::string_view name);
  // The bodies of the calls that read at a snapshot; the public methods run
  // them again when the engine could not keep the snapshot (kAborted).
  absl::StatusOr<MailboxSnapshot> OpenMailboxOnce(const Principal& who,
                                                  std::string_view name,
                                                  bool with_messages);
  // ---- persisted message tables (mailbox_table.cc) ----
  absl::StatusOr<MailboxTableSnapshot> OpenMailboxTableOnce(
      const Principal& who, std::string_view name);
  // The shared table of mailbox `id` at `snapshot`, whose `state` was read
  // there: the persisted one caught up, or rebuilt from the records (and
  // persisted again when that is worth it).
  absl::StatusOr<MessageTable> LoadMessageTable(MailboxId id,
                                                const MailboxState& state,
                                                engine::Reader* snapshot);
  // Applies the change log after checkpoint->modseq; returns how many
  // messages changed. kOutOfRange when so many did that a rebuild is
  // cheaper, kDataLoss on an undecodable record.
  absl::StatusOr<size_t> CatchUpMessageTable(MailboxId id,
                                             const MailboxState& state,
                                             engine::Reader* snapshot,
                                             TableCheckpoint* checkpoint);
  // Persists `checkpoint` unless a newer table is there (or one as new,
  // unless `replace_same`); failures are logged (the table is a cache).
  void WriteMessageTable(MailboxId id, const TableCheckpoint& checkpoint,
                         bool replace_same);
  // ---- \Recent (recent.cc) ----
  // RFC 4314 section 5.2: a mailbox is READ-WRITE with `i`, `e` or a flag
  // right; only such sessions take \Recent away from others.
  static bool GrantsReadWrite(std::string_view rights);
  // Messages of `id` above state.recent_claimed (STATUS RECENT).
  absl::StatusOr<uint32_t> CountUnclaimedRecent(MailboxId id,
                                                const MailboxState& state,
                                                engine::Reader* snapshot);
  absl::StatusOr<Changes> ChangesSinceOnce(const Principal& who,
                                           MailboxId mailbox, ModSeq since);
  absl::StatusOr<std::vector<Uid>> SearchOnce(const Principal& who,
                                              MailboxId mailbox,
                                              const SearchKey& key);
  // The UIDs of `uids` (ascending) that `mailbox` still holds at
  // `snapshot`, read by key only (no record decoded).
  absl::StatusOr<std::vector<Uid>> StoredUids(engine::Reader& snapshot,
                                              MailboxId mailbox,
                                              std::vector<Uid> uids);
  // ---- the persisted search columns (search_column_io.cc) ----
  // The persisted column of mailbox `id` if it is of `state`'s UIDVALIDITY
  // and not ahead of its UIDNEXT; null when there is none (a damaged one is
  // logged and ignored).
  absl::StatusOr<std::shared_ptr<Column>> LoadStoredColumn(
      MailboxId id, const MailboxState& state, engine::Reader& snapshot);
  // Persists `column` (not durably: a cache) unless the store holds one
  // covering as much already or the mailbox is gone; true when written.
  bool WriteStoredColumn(MailboxId id, const Column& column);
  // `mailbox`'s date and size column at `snapshot`: the kept one (or the
  // persisted one), with the records of messages appended since read and
  // added.
  absl::StatusOr<std::shared_ptr<const Column>> SearchColumnAt(
      engine::Reader& snapshot, MailboxId mailbox, const MailboxState& state);
  // Store::Verify's work (store/internal/verifier.h).
  class Verifier;
  // Recounts `owner`'s quota usage under its mailboxes' locks and stores it.
  absl::StatusOr<QuotaRecount> RecountQuotaOf(const std::string& owner);

  // Tells the other nodes of a shared store what this commit changed.
  void BroadcastChanges(const std::vector<ChangeEvent>& events);
  // Reports something the store did on its own (options_.log or stderr).
  void Log(std::string_view message);

  // ---- user helpers (users.cc) ----
  absl::StatusOr<UserRecord> GetUser(std::string_view user, Txn* txn);

  StoreOptions options_;
  std::unique_ptr<engine::Engine> engine_;
  // Other nodes share the store (engine_->Shared()): commits are broadcast,
  // POP3 leases are held in the engine, and there is no index queue: the
  // text index is this node's cache, caught up from each mailbox's change
  // log before a text search (CatchUpMailboxIndex).
  bool shared_ = false;
  // This process among the nodes; its own broadcasts are not replayed.
  uint64_t node_id_ = 0;
  std::unique_ptr<engine::Subscription> remote_changes_;
  std::shared_ptr<Notifier> notifier_;
  std::shared_ptr<MaildropLeases> leases_;
  std::atomic<uint64_t> next_index_seq_{1};
  // Index queue items committed (or being committed) and not yet
  // acknowledged: never below the queue's true length, so at 0 a catch-up
  // has nothing to apply and skips reading the queue. Seeded at Open;
  // raised before a commit, lowered when it aborts or an item is acked. A
  // commit of unknown outcome stays counted (a needless scan, never a
  // missed item).
  std::atomic<uint64_t> index_queue_unacked_{0};
  // Keys the RFC 8474 object ids (object_ids.h); set once at Open.
  std::string object_id_key_;

  // Serialises draining of the index queue (background thread and search
  // catch-up), so items are applied in order exactly once.
  Mutex index_apply_mu_;
  // While a backup copies the store and the index, no queue item is applied
  // or acknowledged (backup.cc); searches scan meanwhile.
  bool index_paused_ ABSL_GUARDED_BY(index_apply_mu_) = false;
  // One backup at a time.
  std::atomic<bool> backup_running_{false};
  Mutex indexer_mu_;
  CondVar indexer_cv_;
  bool indexer_wake_ ABSL_GUARDED_BY(indexer_mu_) = false;
  bool indexer_stop_ ABSL_GUARDED_BY(indexer_mu_) = false;
  std::thread indexer_;
  RebuildQueue rebuilds_;
  // The answer of GetActiveSieveScript per owner (sieve_scripts.cc says
  // when an entry may be used). `sieve_cache_generation_` changes with every
  // write, so a read that raced a write does not store its stale answer.
  struct SieveActiveEntry {
    uint64_t tag = 0;
    std::optional<SieveScript> script;
  };
  Mutex sieve_cache_mu_;
  uint64_t sieve_cache_generation_ ABSL_GUARDED_BY(sieve_cache_mu_) = 0;
  absl::flat_hash_map<std::string, SieveActiveEntry> sieve_active_cache_
      ABSL_GUARDED_BY(sieve_cache_mu_);
  // Owners whose rebuild the indexer queued and has not applied yet; only
  // the indexer thread touches it.
  std::vector<std::string> rebuilds_in_flight_;
  // Dates and sizes of each searched mailbox's messages (search.cc).
  SearchColumns search_columns_{options_.search_columns_max_bytes};
  // The folded text of messages queued for the index, read by searches
  // during a delivery burst (search.cc). 64 MiB holds a burst of about
  // 10,000 typical messages.
  QueuedTextCache queued_texts_{64ull << 20};
};

// Calls fn() again while it fails with kAborted, at most `attempts` times:
// for reads at a snapshot that an engine could not keep (engine.h).
inline const absl::Status& StatusOf(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& s) {
  return s.status();
}
template <typename Fn>
auto RetryAborted(Fn fn, int attempts = 20) -> decltype(fn()) {
  for (int i = 1;; ++i) {
    auto result = fn();
    if (StatusOf(result).code() != absl::StatusCode::kAborted ||
        i >= attempts) {
      return result;
    }
  }
}

template <typename Record>
absl::StatusOr<std::optional<Record>> StoreImpl::GetRecord(
    Space c, std::string_view key, Txn* txn, bool for_update,
    engine::Reader* snapshot) {
  absl::StatusOr<std::optional<std::string>> raw =
      Get(c, key, txn, for_update, snapshot);
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return std::optional<Record>();
  Record record;
  if (!Decode(**raw, &record)) {
    return absl::DataLossError(
        absl::StrCat("undecodable record in space ", engine::SpaceName(c)));
  }
  return std::optional<Record>(std::move(record));
}

}  // namespace mailroom::store::internal

#endif  // MAILROOM_STORE_INTERNAL_STORE_IMPL_H_
