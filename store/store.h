// The store API: the one narrow interface every front-end (IMAP, POP3, LMTP)
// and the admin CLI reach mail through. Split by caller: MailStore is what
// plugins get; Store adds what only the host and the admin CLI may do.
//
// Errors (absl::Status codes, chosen for what the caller should do):
//   kNotFound           no such user / mailbox / message, or no right to see
//                       it (a user without the `l` right cannot tell the
//                       difference: the message is the same)
//   kAlreadyExists      create/rename onto an existing name
//   kPermissionDenied   visible, but the right for this operation is missing
//   kResourceExhausted  quota or a configured limit exceeded; the message
//                       starts with "OVERQUOTA" for quota, "LIMIT" otherwise
//   kInvalidArgument    bad name or argument
//   kFailedPrecondition state forbids it (e.g. mailbox is \Noselect)
//   kAborted            transaction conflict that retries did not resolve:
//                       retrying the call is safe
//   kUnavailable        storage I/O failure
// The message of a status is user-safe; it never reveals the existence of a
// mailbox the principal has no right to see.
//
// Every mutation is one atomic transaction and returns only once durable.
//
// Flags are answered per principal: in a mailbox with private flags
// (SetPrivateFlags; SeenMode::kPerUser in types.h is {\Seen}) those flags,
// UNSEEN, modseqs, HIGHESTMODSEQ, ChangesSince, flag search keys and
// UNCHANGEDSINCE are the calling user's view.
//
// Thread-safety: all methods are safe to call concurrently. Calls may block
// on disk; network threads must call them from a worker pool.
#ifndef MAILROOM_STORE_STORE_H_
#define MAILROOM_STORE_STORE_H_

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "mime/message.h"
#include "store/search_key.h"
#include "store/text_index.h"
#include "store/types.h"

namespace mailroom::store {

// Stored SCRAM-SHA-256 credentials (RFC 5802/7677). The same record verifies
// plain passwords: the stored key is derived with PBKDF2-HMAC-SHA256.
struct ScramCredentials {
  std::string salt;  // raw bytes
  uint32_t iterations = 0;
  std::string stored_key;  // raw 32 bytes
  std::string server_key;  // raw 32 bytes
};

// Cancels its subscription when destroyed.
class Watch {
 public:
  virtual ~Watch() = default;
};

// An exclusive hold on something (a POP3 maildrop); released when destroyed.
class Lease {
 public:
  virtual ~Lease() = default;
};

// "Leave mail on server" (POP3): the store expunges INBOX messages on its
// own. Either rule may be unset.
struct RetentionPolicy {
  std::optional<int64_t> delete_after_retrieval_seconds;
  std::optional<int64_t> delete_after_arrival_seconds;
};

// One message's parsed structure (MailStore::GetStructures).
struct MessageStructure {
  Uid uid = 0;
  std::string blob_id;  // content hash of the body, as MessageMeta::blob_id
  std::shared_ptr<const mime::Message> structure;
};

// What protocol plugins may call: mail, delivery, notifications. Every
// call takes the Principal the host authenticated.
class MailStore {
 public:
  virtual ~MailStore() = default;

  // ---- mailboxes ---------------------------------------------------------
  // Every mailbox the principal may see (`l` right), with attributes.
  virtual absl::StatusOr<std::vector<MailboxInfo>> ListMailboxes(
      const Principal& who) = 0;
  // Creates `name` and any missing parents. kAlreadyExists if it exists
  // (a \Noselect parent becomes selectable instead). Every mailbox created
  // copies the ACL of its nearest existing ancestor (RFC 4314 section 4),
  // also in another user's namespace: the creator, who needed `k` there,
  // keeps exactly the rights the parent gave, and nothing more.
  // In another namespace the parent must exist and grant `k`.
  virtual absl::Status CreateMailbox(
      const Principal& who, std::string_view name,
      std::optional<std::string> special_use = std::nullopt) = 0;
  // Deletes a mailbox and its messages; with children it becomes \Noselect.
  virtual absl::Status DeleteMailbox(const Principal& who,
                                     std::string_view name) = 0;
  // Renames a mailbox and its children, keeping their ACLs. Needs `x` on
  // the mailbox and, in another namespace, `k` on the new parent (RFC 4314
  // section 4). Renaming INBOX moves its messages to the new mailbox and
  // leaves INBOX empty.
  virtual absl::Status RenameMailbox(const Principal& who,
                                     std::string_view from,
                                     std::string_view to) = 0;
  virtual absl::Status SetSubscribed(const Principal& who,
                                     std::string_view name,
                                     bool subscribed) = 0;
  // Subscribed names, including names of mailboxes that no longer exist.
  virtual absl::StatusOr<std::vector<std::string>> ListSubscriptions(
      const Principal& who) = 0;
  virtual absl::StatusOr<MailboxStatus> GetStatus(const Principal& who,
                                                  std::string_view name) = 0;
  // Opens a mailbox for a session: status, rights and every message's
  // metadata. kFailedPrecondition for a \Noselect mailbox.
  virtual absl::StatusOr<MailboxSnapshot> OpenMailbox(const Principal& who,
                                                      std::string_view name) = 0;
  // The same without the messages (`messages` left empty), at a cost that
  // does not grow with the mailbox: for callers that keep the messages
  // themselves and bring them up to date with ChangesSince from a modseq
  // they know (IMAP sessions share one copy per mailbox).
  virtual absl::StatusOr<MailboxSnapshot> OpenMailboxHeader(
      const Principal& who, std::string_view name) {
    absl::StatusOr<MailboxSnapshot> snapshot = OpenMailbox(who, name);
    if (snapshot.ok()) snapshot->messages.clear();
    return snapshot;
  }
  // OpenMailbox with the messages as a MessageTable: their UIDs, flags and
  // modseqs only. The store keeps a persisted copy of each mailbox's table
  // stamped with a modseq and catches it up with the changes since, so the
  // cost grows with what changed since the copy, not with the mailbox (a
  // missing or damaged copy is rebuilt from the messages and written
  // again). `header.status.recent` is counted from the table. The answer
  // is exact, private flags included.
  virtual absl::StatusOr<MailboxTableSnapshot> OpenMailboxTable(
      const Principal& who, std::string_view name) {
    absl::StatusOr<MailboxSnapshot> snapshot = OpenMailbox(who, name);
    if (!snapshot.ok()) return snapshot.status();
    MailboxTableSnapshot out;
    for (const MessageMeta& m : snapshot->messages) {
      uint32_t set = 0;
      if (!m.flags.keywords.empty()) {
        auto& sets = out.table.keyword_sets;
        auto it = std::find(sets.begin(), sets.end(), m.flags.keywords);
        set = static_cast<uint32_t>(it - sets.begin());
        if (it == sets.end()) sets.push_back(m.flags.keywords);
      }
      out.table.messages.push_back(CompactMessage{
          m.uid, (m.flags.system & kAllSystemFlags) | (set << 5), m.modseq});
    }
    snapshot->messages.clear();
    out.header = std::move(*snapshot);
    return out;
  }
  // \Recent (RFC 3501 section 2.3.2) belongs to one session: claims, for
  // the caller's session, every message of `mailbox` with a UID up to
  // `up_to` that no session claimed before, atomically across sessions and
  // nodes. Returns the UID up to which messages were claimed before the
  // call: the messages with UIDs in (returned, up_to] are the caller's
  // \Recent ones. Needs `r` and a right that makes the mailbox read-write
  // (see OpenMailbox); otherwise kPermissionDenied and nothing is claimed.
  virtual absl::StatusOr<Uid> ClaimRecent(const Principal& who,
                                          MailboxId mailbox, Uid up_to) {
    return absl::UnimplementedError("\\Recent is not kept");
  }

  // ---- messages ----------------------------------------------------------
  // Appends messages atomically (all or none), returns their UIDs. Needs
  // `i` only: a mailbox granting `i` without `l` is a drop box.
  virtual absl::StatusOr<AppendResult> Append(
      const Principal& who, std::string_view mailbox,
      const std::vector<AppendRequest>& messages) = 0;
  // Delivers one message to many recipients, storing the bytes once. One
  // status per target, in order; a failed target does not fail the others.
  // A target mailbox other than INBOX is used only when it grants `p` to
  // "anyone" (see DeliveryTarget).
  virtual std::vector<absl::StatusOr<AppendResult>> Deliver(
      const std::vector<DeliveryTarget>& targets, std::string_view data) = 0;
  // For the delivery agent, before it accepts a recipient (LMTP RCPT):
  // whether `user` exists (kNotFound if not) and their usage and limits.
  virtual absl::StatusOr<QuotaUsage> RecipientQuota(std::string_view user) = 0;
  // Current metadata of `uids` (missing ones skipped), ascending UID.
  virtual absl::StatusOr<std::vector<MessageMeta>> GetMessages(
      const Principal& who, MailboxId mailbox,
      const std::vector<Uid>& uids) = 0;
  // The stored bytes of a message. kNotFound if expunged.
  virtual absl::StatusOr<std::shared_ptr<const std::string>> ReadMessage(
      const Principal& who, MailboxId mailbox, Uid uid) = 0;
  // Bytes [offset, offset + length) of the stored message, shorter at its
  // end and empty past it, read without loading the whole message (a part
  // of a 50 MB message costs that part). kNotFound if expunged.
  virtual absl::StatusOr<std::string> ReadMessageRange(
      const Principal& who, MailboxId mailbox, Uid uid, uint64_t offset,
      uint64_t length) = 0;
  // The parsed structure (cached per body).
  virtual absl::StatusOr<std::shared_ptr<const mime::Message>> GetStructure(
      const Principal& who, MailboxId mailbox, Uid uid) = 0;
  // The parsed structures of `uids` (missing ones skipped), ascending UID:
  // one read of their message records and one of their stored structures,
  // where GetStructure costs both per message. Needs `r`.
  virtual absl::StatusOr<std::vector<MessageStructure>> GetStructures(
      const Principal& who, MailboxId mailbox,
      const std::vector<Uid>& uids) = 0;
  // \Seen needs `s`, \Deleted `t`, other flags `w`; flags without the
  // right keep their value. kPermissionDenied when no flag named (or none
  // at all for a replacement) may be changed (RFC 4314 section 4).
  virtual absl::StatusOr<StoreFlagsResult> StoreFlags(
      const Principal& who, MailboxId mailbox,
      const StoreFlagsRequest& request) = 0;
  // Returns the expunged UIDs, ascending.
  virtual absl::StatusOr<std::vector<Uid>> Expunge(
      const Principal& who, MailboxId mailbox,
      const ExpungeRequest& request) = 0;
  virtual absl::StatusOr<CopyResult> Copy(const Principal& who,
                                          MailboxId source,
                                          const std::vector<Uid>& uids,
                                          std::string_view dest) = 0;
  // Copy and expunge from the source in one transaction.
  virtual absl::StatusOr<CopyResult> Move(const Principal& who,
                                          MailboxId source,
                                          const std::vector<Uid>& uids,
                                          std::string_view dest) = 0;
  // Replaces message `uid` of `source` (RFC 8508 REPLACE): appends
  // `message` to `dest` and expunges `uid` from `source` in one
  // transaction, so other sessions see both changes or neither. Needs `i`
  // on `dest` and `t` and `e` on `source`. kNotFound when `uid` is no
  // longer in `source`: then nothing is appended. `dest` may be `source`.
  virtual absl::StatusOr<AppendResult> Replace(const Principal& who,
                                               MailboxId source, Uid uid,
                                               std::string_view dest,
                                               const AppendRequest& message) {
    return absl::UnimplementedError("REPLACE is not supported");
  }
  // UIDs matching `key`, ascending.
  virtual absl::StatusOr<std::vector<Uid>> Search(const Principal& who,
                                                  MailboxId mailbox,
                                                  const SearchKey& key) = 0;
  // Changes with modseq > `since`.
  virtual absl::StatusOr<Changes> ChangesSince(const Principal& who,
                                               MailboxId mailbox,
                                               ModSeq since) = 0;

  // ---- access control (RFC 4314) and quota (RFC 9208) -------------------
  virtual absl::StatusOr<std::vector<AclEntry>> GetAcl(
      const Principal& who, std::string_view mailbox) = 0;
  // Empty rights delete the entry.
  virtual absl::Status SetAcl(const Principal& who, std::string_view mailbox,
                              std::string_view identifier,
                              std::string_view rights) = 0;
  virtual absl::StatusOr<std::string> MyRights(const Principal& who,
                                               std::string_view mailbox) = 0;
  // Sets where `mailbox` keeps \Seen (see SeenMode in types.h). Needs the
  // `a` right (admins have it). Not an error if the mode is already set.
  virtual absl::Status SetSeenMode(const Principal& who,
                                   std::string_view mailbox, SeenMode mode) {
    return absl::UnimplementedError("per-user \\Seen is not supported");
  }
  // Sets which flags and keywords of `mailbox` each user keeps for
  // themselves (SeenMode::kPerUser is the set {\Seen}). A flag that becomes
  // private starts from its shared value for every user; one that stops
  // being private takes its shared value for everyone (users' own values
  // are dropped, and the messages concerned get a new modseq). Needs the `a`
  // right. kInvalidArgument for \Deleted (expunge is shared) or a malformed
  // keyword. Not an error if the set is unchanged.
  virtual absl::Status SetPrivateFlags(const Principal& who,
                                       std::string_view mailbox,
                                       const Flags& private_flags) {
    return absl::UnimplementedError("private flags are not supported");
  }
  // The private set of `mailbox` (empty: every flag shared).
  virtual absl::StatusOr<Flags> GetPrivateFlags(const Principal& who,
                                                std::string_view mailbox) {
    return absl::UnimplementedError("private flags are not supported");
  }
  // `user`'s usage and limits. A user reads their own; quota admins
  // (Principal::quota_admin) read anyone's; others get kNotFound.
  virtual absl::StatusOr<QuotaUsage> GetQuota(const Principal& who,
                                              std::string_view user) = 0;
  // std::nullopt removes a limit. Quota admins only (kPermissionDenied).
  virtual absl::Status SetQuota(const Principal& who, std::string_view user,
                                std::optional<uint64_t> storage_bytes,
                                std::optional<uint64_t> messages) = 0;

  // ---- annotations (RFC 5464 METADATA) -----------------------------------
  // `mailbox` "" names the server. Entry names that break RFC 5464 section
  // 3.2 (no "/private/" or "/shared/" prefix, "*", "%", "//", a trailing
  // "/", bytes outside 0x20-0x7e) are kInvalidArgument. Rights on a mailbox
  // (RFC 5464 section 3.3 with RFC 4314): `l` and one of `r s w i p` for
  // anything, and also `r` to read and `w` to write /shared entries; a
  // mailbox without them is kNotFound or kPermissionDenied as usual. Server
  // entries: everyone reads; /private ones are the user's own, /shared ones
  // only admins (Principal::admin) write.
  //
  // The values of the named entries (and of those below them to `depth`)
  // that exist.
  virtual absl::StatusOr<MetadataResult> GetMetadata(
      const Principal& who, std::string_view mailbox,
      const MetadataQuery& query) {
    return absl::UnimplementedError("annotations are not supported");
  }
  // Sets (or, with no value, deletes) every entry in one transaction: all
  // or none. kResourceExhausted with a message starting "METADATA MAXSIZE
  // <n>" for a value over the size limit, "METADATA TOOMANY" past the
  // count or total size limit of the owner charged (the user for /private
  // entries, the mailbox owner for /shared ones), "METADATA NOPRIVATE" for
  // a /private entry of a principal without a user name.
  virtual absl::Status SetMetadata(const Principal& who,
                                   std::string_view mailbox,
                                   const std::vector<MetadataEntry>& entries) {
    return absl::UnimplementedError("annotations are not supported");
  }

  // ---- Sieve scripts (RFC 5228; managed as RFC 5804 describes) -----------
  // `owner` is a user name or "" for the global scripts (see
  // kSieveBeforeScript in types.h). A user reaches their own scripts only
  // (others' are kNotFound); admins (Principal::admin: the CLI, delivery)
  // reach every owner's, and only they write global ones
  // (kPermissionDenied). Script names are 1 to 128 characters of UTF-8
  // without control characters or "/" (RFC 5804 section 1.6), compared
  // exactly; others are kInvalidArgument.
  //
  // The owner's scripts in name order.
  virtual absl::StatusOr<std::vector<SieveScriptInfo>> ListSieveScripts(
      const Principal& who, std::string_view owner) {
    return absl::UnimplementedError("Sieve scripts are not kept");
  }
  // kNotFound when there is no such script.
  virtual absl::StatusOr<std::string> GetSieveScript(const Principal& who,
                                                     std::string_view owner,
                                                     std::string_view name) {
    return absl::UnimplementedError("Sieve scripts are not kept");
  }
  // The owner's active script; std::nullopt when none is active (for ""
  // there is no active script: delivery reads "before"/"after" by name).
  virtual absl::StatusOr<std::optional<SieveScript>> GetActiveSieveScript(
      const Principal& who, std::string_view owner) {
    return absl::UnimplementedError("Sieve scripts are not kept");
  }
  // Creates or replaces `name` (keeping it active if it was). A script that
  // does not compile is kInvalidArgument with "line:col: why" as message.
  // Limits (StoreOptions::sieve_*): kResourceExhausted with a message
  // starting "QUOTA/MAXSIZE" (script too big) or "QUOTA/MAXSCRIPTS" (too
  // many scripts), the RFC 5804 response codes.
  virtual absl::Status PutSieveScript(const Principal& who,
                                      std::string_view owner,
                                      std::string_view name,
                                      std::string_view source) {
    return absl::UnimplementedError("Sieve scripts are not kept");
  }
  // Whether PutSieveScript of `size` bytes as `name` would fit the limits
  // now (RFC 5804 HAVESPACE): OK or the kResourceExhausted it would get.
  virtual absl::Status CheckSieveSpace(const Principal& who,
                                       std::string_view owner,
                                       std::string_view name, uint64_t size) {
    return absl::UnimplementedError("Sieve scripts are not kept");
  }
  // Makes `name` the owner's one active script; "" leaves none active.
  // kNotFound when there is no such script.
  virtual absl::Status ActivateSieveScript(const Principal& who,
                                           std::string_view owner,
                                           std::string_view name) {
    return absl::UnimplementedError("Sieve scripts are not kept");
  }
  // kNotFound when missing; kFailedPrecondition with a message starting
  // "ACTIVE" for the active script (RFC 5804 DELETESCRIPT).
  virtual absl::Status DeleteSieveScript(const Principal& who,
                                         std::string_view owner,
                                         std::string_view name) {
    return absl::UnimplementedError("Sieve scripts are not kept");
  }
  // Keeps the active mark. kNotFound, or kAlreadyExists when `to` exists.
  virtual absl::Status RenameSieveScript(const Principal& who,
                                         std::string_view owner,
                                         std::string_view from,
                                         std::string_view to) {
    return absl::UnimplementedError("Sieve scripts are not kept");
  }

  // ---- delivery-time memory (Sieve vacation, duplicate) ------------------
  // Marks are keys an owner's deliveries remember for a while: vacation's
  // "replied to this sender" (RFC 5230) and duplicate's ids (RFC 7352).
  // Admins only (delivery). Whether `key` is marked for `owner` and not
  // expired at `now` (unix seconds).
  virtual absl::StatusOr<bool> HasSieveMark(const Principal& who,
                                            std::string_view owner,
                                            std::string_view key,
                                            int64_t now) {
    return absl::UnimplementedError("Sieve marks are not kept");
  }
  // Marks `key` until `expires` and says whether an unexpired mark was
  // already there, in one transaction, so two nodes delivering at once
  // cannot both see "not marked". An unexpired mark keeps its expiry
  // unless `extend` (RFC 7352 :last).
  virtual absl::StatusOr<bool> TestAndSetSieveMark(const Principal& who,
                                                   std::string_view owner,
                                                   std::string_view key,
                                                   int64_t now,
                                                   int64_t expires,
                                                   bool extend) {
    return absl::UnimplementedError("Sieve marks are not kept");
  }

  // ---- outbound mail (Sieve redirect and vacation) -----------------------
  // Queues `message` for the relay; durable on return. Returns its id.
  // Admins only (delivery). kResourceExhausted ("LIMIT") past
  // StoreOptions::outbound_max_queued.
  virtual absl::StatusOr<std::string> QueueOutbound(
      const Principal& who, const OutboundMessage& message) {
    return absl::UnimplementedError("outbound mail is not kept");
  }

  // ---- POP3 maildrop and retention --------------------------------------
  // Exclusive POP3 access to the principal's INBOX. kFailedPrecondition
  // ("IN-USE") when another POP3 session holds it. Never blocks IMAP
  // sessions or deliveries.
  virtual absl::StatusOr<std::unique_ptr<Lease>> LockMaildrop(
      const Principal& who) = 0;
  // Records the first retrieval time of messages (kept if already set).
  virtual absl::Status MarkRetrieved(const Principal& who, MailboxId mailbox,
                                     const std::vector<Uid>& uids) = 0;

  // ---- notifications -----------------------------------------------------
  // Calls `callback` after every commit that changes `mailbox` (or any
  // mailbox when std::nullopt). The callback runs on the committing thread:
  // it must be quick and must not call the store. Destroying the Watch
  // unsubscribes; after its destructor returns, no call is in progress.
  virtual std::unique_ptr<Watch> WatchChanges(
      std::optional<MailboxId> mailbox,
      std::function<void(const ChangeEvent&)> callback) = 0;
  // The same, for a session of `who`: events that concern only another
  // user's view (ChangeEvent::user) are not delivered.
  virtual std::unique_ptr<Watch> WatchChanges(
      const Principal& who, std::optional<MailboxId> mailbox,
      std::function<void(const ChangeEvent&)> callback) {
    return WatchChanges(
        mailbox, [user = who.user(), callback = std::move(callback)](
                     const ChangeEvent& event) {
          if (event.user.empty() || event.user == user) callback(event);
        });
  }
};

// Counts of what a store holds (GetStats).
struct StoreStats {
  uint64_t blobs = 0;        // distinct message bodies stored
  uint64_t blob_bytes = 0;   // their total size
  uint64_t index_queue = 0;  // queued full-text index work items
};

// The whole store: what plugins may call, and what only the host and the
// admin CLI may (accounts, credentials, retention, index and consistency).
// Plugins are handed a MailStore and cannot reach these.
class Store : public MailStore {
 public:
  // ---- users -------------------------------------------------------------
  // Creates a user with INBOX and the special-use folders Sent, Drafts,
  // Trash, Junk, Archive. kAlreadyExists if present.
  virtual absl::Status CreateUser(std::string_view user,
                                  std::string_view password) = 0;
  // Deletes the user, all their mailboxes and messages.
  virtual absl::Status DeleteUser(std::string_view user) = 0;
  virtual absl::Status SetPassword(std::string_view user,
                                   std::string_view password) = 0;
  virtual absl::StatusOr<std::vector<std::string>> ListUsers() = 0;
  // Verifies a password (slow by design: run off network threads).
  // kPermissionDenied on a wrong password or unknown user (same message).
  virtual absl::StatusOr<Principal> Authenticate(std::string_view user,
                                                 std::string_view password) = 0;
  virtual absl::StatusOr<ScramCredentials> GetScramCredentials(
      std::string_view user) = 0;
  // Group membership, for ACL identifiers "$group".
  virtual absl::Status SetGroupMembers(std::string_view group,
                                       const std::vector<std::string>& users) = 0;

  // ---- retention ---------------------------------------------------------
  // Expunges INBOX messages of every user that the policy says are due.
  // Returns how many were expunged.
  virtual absl::StatusOr<uint64_t> ApplyRetention(
      const RetentionPolicy& policy) = 0;

  // ---- full-text index administration ------------------------------------
  // Queued index work items per user (the index lag).
  virtual absl::StatusOr<std::vector<std::pair<std::string, uint64_t>>>
  IndexBacklog() = 0;
  // Drops the index of `user` (every user if empty) and queues all their
  // messages again; the server keeps running meanwhile.
  virtual absl::Status Reindex(std::string_view user) = 0;

  // ---- verification ------------------------------------------------------
  // Recounts everything derived (status counters, quota usage, blob
  // reference counts, per-user \Seen, change log) and compares it with what
  // is stored: kDataLoss naming the first difference.
  virtual absl::Status CheckConsistency() = 0;
  virtual absl::StatusOr<StoreStats> GetStats() = 0;
  // Applies every queued full-text index work item now (no-op without a
  // text index).
  virtual absl::Status CatchUpIndex() = 0;
  // Checks what the store keeps consistent for `user` (every user and the
  // store-wide records if empty): counters, quota, blob references and
  // bodies, per-user \Seen rows, the change log, the index against the
  // store. With `repair`, fixes what can be fixed (recount, drop dangling
  // references, requeue the index) and says so in each problem. `progress`
  // (may be empty) hears (done, total) as mailboxes are checked.
  virtual absl::StatusOr<VerifyReport> Verify(
      std::string_view user, bool repair,
      const std::function<void(uint64_t, uint64_t)>& progress) {
    return absl::UnimplementedError("verify is not supported");
  }
  // Recounts the quota usage of `user` (every owner of mail if empty) from
  // its messages and stores the count, under the locks deliveries take.
  virtual absl::StatusOr<std::vector<QuotaRecount>> RecountQuota(
      std::string_view user) {
    return absl::UnimplementedError("quota recount is not supported");
  }

  // ---- outbound relay (the host's worker) -------------------------------
  // Up to `max` queued messages due at `now` (next_attempt_at <= now),
  // oldest first, each claimed until now + `claim_seconds` (its
  // next_attempt_at moves there and attempts counts up), so another node's
  // worker does not send it meanwhile; a worker that dies leaves it due
  // again when the claim runs out.
  virtual absl::StatusOr<std::vector<OutboundMessage>> ClaimOutbound(
      int64_t now, int64_t claim_seconds, size_t max) {
    return absl::UnimplementedError("outbound mail is not kept");
  }
  // The relay took the message (or refused it for good): it leaves the
  // queue. Not an error if it is gone already.
  virtual absl::Status RemoveOutbound(std::string_view id) {
    return absl::UnimplementedError("outbound mail is not kept");
  }
  // The relay failed for now, or the worker hands back a message it did
  // not send: try again at `next_attempt_at`, keeping `error` for admins.
  // Ends the claim.
  virtual absl::Status DeferOutbound(std::string_view id,
                                     int64_t next_attempt_at,
                                     std::string_view error) {
    return absl::UnimplementedError("outbound mail is not kept");
  }
  // `mailroomctl queue flush`: every message waiting for a later attempt
  // becomes due at `now`. A message a worker has claimed and not yet
  // deferred or removed (claimed_until > now) is being sent and is left
  // alone, so a flush never makes it due twice. Returns how many moved.
  virtual absl::StatusOr<uint64_t> FlushOutbound(int64_t now) {
    return absl::UnimplementedError("outbound mail is not kept");
  }
  // Everything queued, for `mailroomctl queue list` (data left empty).
  virtual absl::StatusOr<std::vector<OutboundMessage>> ListOutbound() {
    return absl::UnimplementedError("outbound mail is not kept");
  }

  // ---- migration and backup ----------------------------------------------
  // Gives `mailbox` (named as `who` sees it) the UIDVALIDITY its clients
  // know from another server. Only a mailbox that never held a message
  // (UIDNEXT 1): kFailedPrecondition otherwise. Later UIDVALIDITYs the store
  // hands out stay above it.
  virtual absl::Status SetUidValidity(const Principal& who,
                                      std::string_view mailbox,
                                      uint32_t uidvalidity) {
    return absl::UnimplementedError("setting UIDVALIDITY is not supported");
  }
  // Writes a consistent point-in-time copy of the store and its full-text
  // index into `dir` while the store keeps serving; incremental when `dir`
  // holds earlier backups (unchanged files are shared). kUnimplemented on
  // engines without it (RADOS: export accounts instead).
  virtual absl::StatusOr<BackupInfo> CreateBackup(
      std::string_view dir,
      const std::function<void(uint64_t, uint64_t)>& progress) {
    return absl::UnimplementedError("this engine has no online backup");
  }
};

// Which storage engine holds the mail (store/engine/engine.h).
enum class EngineKind { kRocksDb, kRados };

// Where the RADOS engine finds its cluster.
struct RadosSettings {
  std::string conf_file;   // ceph.conf of the cluster
  std::string pool = "mailroom";
  std::string ns;          // RADOS namespace: one per installation
  std::string user = "admin";  // client id (client.<user>)
  // A RADOS operation (or connecting) gives up after this long: calls then
  // fail with kUnavailable instead of waiting for a lost cluster.
  int op_timeout_seconds = 30;
};

struct StoreOptions {
  EngineKind engine = EngineKind::kRocksDb;
  // The node's local directory: the RocksDB store (with kRocksDb), the
  // full-text index and sockets.
  std::string data_dir;
  RadosSettings rados;
  // PBKDF2-HMAC-SHA256 iterations for new password hashes.
  uint32_t password_iterations = 100000;
  // Full-text index; when null, text search scans decoded messages.
  std::shared_ptr<TextIndex> text_index;
  // The background indexer lets index work gather this long after it is
  // woken before applying what is queued, so that a stream of deliveries
  // is indexed with one index commit per period rather than one per
  // message. Text searches catch the index up themselves and never wait
  // for it; the queue is durable, so a crash loses nothing. 0: at once.
  int index_commit_delay_ms = 500;
  // Sync the WAL before acknowledging. Only tests turn this off.
  bool sync_writes = true;
  // RocksDB: writes are refused with a temporary error (store/no_space.h)
  // while less than this is free where the store lives, so the store never
  // fills its disk to the last byte and writes again once space returns.
  uint64_t min_free_disk_bytes = 64ull << 20;
  // Where the store reports what it did on its own (e.g. an automatic
  // index rebuild); standard error when unset. Must be thread-safe.
  std::function<void(std::string_view)> log;
  // Default quota for new users; std::nullopt means unlimited.
  std::optional<uint64_t> default_storage_quota_bytes;
  std::optional<uint64_t> default_message_quota;
  // Annotations (RFC 5464): longest value, and per owner charged (a user,
  // or "" for the server's shared entries) how many entries and how many
  // bytes of names and values they may keep.
  uint64_t metadata_max_entry_bytes = 64 << 10;
  uint64_t metadata_max_entries = 1000;
  uint64_t metadata_max_total_bytes = 1 << 20;
  // Distinct keywords a mailbox may hold (0: no limit). A STORE, APPEND,
  // COPY or MOVE that would bring in one more is refused with
  // kResourceExhausted and changes nothing; delivery drops the keywords
  // that do not fit instead. Bounds the IMAP FLAGS line.
  uint64_t max_keywords_per_mailbox = 1000;
  // Sieve scripts per owner: largest script, and how many (RFC 5804 QUOTA).
  uint64_t sieve_max_script_bytes = 64 << 10;
  uint64_t sieve_max_scripts = 20;
  // Outbound messages queued at once (a relay down for days must not fill
  // the store).
  uint64_t outbound_max_queued = 100000;
  // Memory for the per-mailbox date and size columns that answer
  // BEFORE/ON/SINCE, OLDER/YOUNGER, SAVED* and LARGER/SMALLER without
  // decoding message records (about 40 bytes a message; the least recently
  // searched mailboxes are dropped first). 0: no columns, every such key
  // reads the records.
  uint64_t search_columns_max_bytes = 256ull << 20;
};

// Opens (creating if missing) the store on the engine options.engine names:
// RocksDB in options.data_dir, or RADOS per options.rados. Fails with
// kFailedPrecondition when another process holds a RocksDB store,
// kUnavailable when the cluster cannot be reached, and kDataLoss on an
// unknown format version.
absl::StatusOr<std::unique_ptr<Store>> OpenStore(const StoreOptions& options);

}  // namespace mailroom::store

#endif  // MAILROOM_STORE_STORE_H_
