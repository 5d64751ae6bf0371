// Value types of the store API. Plain data, no behaviour beyond helpers.
#ifndef MAILROOM_STORE_TYPES_H_
#define MAILROOM_STORE_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailroom::store {

using Uid = uint32_t;
using ModSeq = uint64_t;
using MailboxId = uint64_t;

// Hierarchy delimiter of mailbox names as every front-end sees them.
inline constexpr char kDelimiter = '/';

// Who performs an operation. Every store call takes one, so rights are
// checked in the store for every protocol and for the admin CLI alike.
// Only the host mints principals (store/principal_issuer.h, which plugins
// cannot depend on): a plugin gets the one the host authenticated and cannot
// make one up or raise its rights. A default-constructed Principal is nobody:
// no user name, no rights.
class Principal {
 public:
  Principal() = default;
  // Canonical (lower case) user name; empty for the host's own principals.
  const std::string& user() const { return user_; }
  // The admin CLI and the delivery agent: every right everywhere.
  bool admin() const { return admin_; }
  // May set other users' quotas (RFC 9208 SETQUOTA).
  bool quota_admin() const { return admin_ || quota_admin_; }

 private:
  friend class PrincipalIssuer;
  std::string user_;
  bool admin_ = false;
  bool quota_admin_ = false;
};

// System flags as bits. \Recent is not stored (IMAP4rev2 dropped it).
enum SystemFlag : uint32_t {
  kSeen = 1u << 0,
  kAnswered = 1u << 1,
  kFlagged = 1u << 2,
  kDeleted = 1u << 3,
  kDraft = 1u << 4,
};
inline constexpr uint32_t kAllSystemFlags = 0x1f;

struct Flags {
  uint32_t system = 0;                // SystemFlag bits
  std::vector<std::string> keywords;  // sorted, unique, case preserved
  bool operator==(const Flags&) const = default;
};

// Where a mailbox keeps \Seen (RFC 4314 `s` right: "keep seen/unseen
// information across sessions").
//   kShared   one \Seen per message for everyone: when one agent reads a
//             message, every user of the mailbox sees it read. The default
//             for every mailbox, personal ones and those in the Shared/
//             namespace alike (helpdesk semantics).
//   kPerUser  each user keeps their own \Seen. Principals without a user
//             name (admin, delivery) see and change the shared \Seen, which
//             is also every user's starting point after switching.
// This is the \Seen member of a mailbox's private flag set (see
// MailStore::SetPrivateFlags, which can make other flags and keywords
// private too). Switching back to kShared drops every per-user \Seen and
// gives the messages that had one a new modseq, so CONDSTORE clients
// refetch them.
enum class SeenMode { kShared, kPerUser };

// Special-use attributes (RFC 6154), stored without the backslash.
inline constexpr std::string_view kSpecialUses[] = {"Sent", "Drafts", "Trash",
                                                    "Junk", "Archive"};

struct MailboxInfo {
  MailboxId id = 0;
  std::string name;   // as the principal sees it, UTF-8, '/'-delimited
  std::string owner;  // owning user
  uint32_t uidvalidity = 0;
  bool noselect = false;       // exists only as a parent of others
  bool has_children = false;
  bool subscribed = false;
  std::optional<std::string> special_use;  // "Sent", "Trash", ...
  SeenMode seen_mode = SeenMode::kShared;
};

struct MailboxStatus {
  MailboxId id = 0;
  uint32_t messages = 0;
  uint32_t unseen = 0;
  uint32_t deleted = 0;
  Uid uidnext = 1;
  uint32_t uidvalidity = 0;
  ModSeq highestmodseq = 0;
  uint64_t size = 0;  // sum of message sizes in bytes
  // With SeenMode::kPerUser, `unseen` and `highestmodseq` are the calling
  // principal's view.
  SeenMode seen_mode = SeenMode::kShared;
  // MAILBOXID (RFC 8474): stable for the mailbox's life, kept by RENAME.
  std::string object_id;
  // Messages no read-write session has claimed as \Recent yet
  // (MailStore::ClaimRecent; RFC 3501 section 2.3.2).
  uint32_t recent = 0;
  // The mailbox holds StoreOptions::max_keywords_per_mailbox keywords: a
  // new one would be refused (IMAP leaves \* out of PERMANENTFLAGS).
  bool keywords_full = false;
};

struct MessageMeta {
  Uid uid = 0;
  Flags flags;
  ModSeq modseq = 0;
  int64_t internal_date = 0;   // seconds since the epoch
  int32_t internal_tz_minutes = 0;  // zone the date was given in
  // When the message was saved into this mailbox (append, copy, move;
  // RFC 8514), seconds since the epoch. Messages stored before save dates
  // were recorded carry their internal date.
  int64_t save_date = 0;
  uint64_t size = 0;           // bytes, CRLF line ends as stored
  // Bytes with every line end CRLF and a final CRLF (mime/line_ends.h):
  // what POP3 sends and counts, known without reading the message. 0 for
  // messages stored before it was recorded (and for empty ones).
  uint64_t crlf_size = 0;
  std::string blob_id;         // content hash of the body
  // EMAILID and THREADID (RFC 8474). Copies of a message share its
  // EMAILID. thread_id is empty (NIL) for messages stored before thread
  // ids were recorded.
  std::string email_id;
  std::string thread_id;
};

// An open mailbox: everything a session needs to start (SELECT, POP3 drop).
struct MailboxSnapshot {
  MailboxStatus status;
  std::string name;
  std::string rights;  // RFC 4314 rights of the principal, e.g. "lrswipkxtea"
  bool read_only = false;
  std::vector<MessageMeta> messages;  // ascending UID
  // Messages up to this UID were claimed as \Recent by some read-write
  // session already; the ones above it are still unclaimed.
  Uid recent_claimed = 0;
  // True when the mailbox keeps private flags (MailStore::SetPrivateFlags)
  // for this principal: flags, modseqs and ChangesSince are then this
  // user's own and must not be shared with other users' sessions.
  bool private_view = false;
};

// A message as a MessageTable keeps it: 16 bytes.
struct CompactMessage {
  Uid uid = 0;
  // Low 5 bits: SystemFlag bits; the rest: the message's keyword list, an
  // index into MessageTable::keyword_sets.
  uint32_t flags = 0;
  ModSeq modseq = 0;

  uint32_t system() const { return flags & kAllSystemFlags; }
  uint32_t keyword_set() const { return flags >> 5; }
  bool operator==(const CompactMessage&) const = default;
};

// Every message's UID, flags and modseq, and nothing else: what a session
// needs to start (MailStore::OpenMailboxTable).
struct MessageTable {
  // Distinct keyword lists (each sorted, unique); [0] is the empty list.
  std::vector<std::vector<std::string>> keyword_sets{{}};
  std::vector<CompactMessage> messages;  // ascending UID
};

// An open mailbox with its messages as a table: `header` as OpenMailbox
// gives it without `messages`.
struct MailboxTableSnapshot {
  MailboxSnapshot header;
  MessageTable table;
};

struct AppendRequest {
  std::string_view data;  // the message; stored byte for byte
  Flags flags;
  std::optional<int64_t> internal_date;  // default: now
  int32_t internal_tz_minutes = 0;
  // The UID to give the message (migration and restore keep the UIDs the
  // clients know). Admin principals only; it must not be below UIDNEXT, and
  // UIDs given in one call must ascend. Default: UIDNEXT.
  std::optional<Uid> uid;
  // The save date to record (restore and migration keep the original).
  // Admin principals only. Default: now.
  std::optional<int64_t> save_date;
};

struct AppendResult {
  uint32_t uidvalidity = 0;
  std::vector<Uid> uids;  // one per appended message, in order
};

enum class FlagOp { kAdd, kRemove, kReplace };

struct StoreFlagsRequest {
  std::vector<Uid> uids;  // messages not (or no longer) present are skipped
  FlagOp op = FlagOp::kAdd;
  Flags flags;
  std::optional<ModSeq> unchanged_since;  // CONDSTORE (RFC 7162)
};

struct StoreFlagsResult {
  std::vector<MessageMeta> changed;  // new state of every changed message
  std::vector<Uid> modified;         // failed UNCHANGEDSINCE
};

struct ExpungeRequest {
  // Expunge only messages with \Deleted set (IMAP), or exactly `uids` (POP3).
  bool only_deleted = true;
  std::optional<std::vector<Uid>> uids;  // restrict to these UIDs
};

struct CopyResult {
  uint32_t dest_uidvalidity = 0;
  std::vector<Uid> source_uids;  // those that were present, ascending
  std::vector<Uid> dest_uids;    // same order
};

// What changed in a mailbox after a modseq (CONDSTORE/QRESYNC, notifications).
struct Changes {
  ModSeq highestmodseq = 0;
  std::vector<MessageMeta> changed;  // new or with changed flags, ascending UID
  std::vector<Uid> vanished;         // expunged after the given modseq
  // False when expunge records older than the modseq were dropped: the
  // caller must then treat every UID it knows and that is not listed in
  // `present` as vanished.
  bool vanished_complete = true;
};

struct QuotaUsage {
  std::string root;  // quota root name; "" is the user's whole account
  uint64_t storage_bytes = 0;
  std::optional<uint64_t> storage_limit_bytes;
  uint64_t messages = 0;
  std::optional<uint64_t> message_limit;
};

struct AclEntry {
  std::string identifier;  // user, "anyone", "authenticated", "$group"
  std::string rights;      // RFC 4314 letters
};

// Published after each commit that changed a mailbox. Carries no payload
// beyond "something changed up to modseq": the watcher pulls the changes.
struct ChangeEvent {
  MailboxId mailbox = 0;
  std::string owner;
  ModSeq modseq = 0;
  enum Kind { kMessages, kMailboxList, kSubscriptions, kMetadata } kind =
      kMessages;
  // Empty: the change concerns everyone. Otherwise only this user's view
  // changed (a per-user \Seen), and `modseq` is that user's HIGHESTMODSEQ;
  // sessions of other users must ignore the event.
  std::string user;
  // kMetadata: the entries that changed (lower case). `mailbox` 0 means
  // server annotations; a "/private/..." entry carries its `user`.
  std::vector<std::string> entries;
};

// Annotations (RFC 5464 METADATA). An entry name is "/private/..." (one
// value per user) or "/shared/..." (one value for everyone), compared
// case-insensitively and answered in lower case. A value is any bytes.
struct MetadataEntry {
  std::string name;
  std::optional<std::string> value;  // std::nullopt: absent / delete it
};

// What GetMetadata returns below each named entry (RFC 5464 DEPTH).
enum class MetadataDepth { kZero, kOne, kInfinity };

struct MetadataQuery {
  std::vector<std::string> entries;
  MetadataDepth depth = MetadataDepth::kZero;
  // Values longer than this are left out (RFC 5464 MAXSIZE).
  std::optional<uint64_t> max_size;
};

struct MetadataResult {
  std::vector<MetadataEntry> entries;  // every one with a value
  // The size of the longest value left out by max_size (0: none).
  uint64_t longest_omitted = 0;
};

// One recipient of a delivery (LMTP): the message goes into `mailbox` of
// `user` when that mailbox exists and grants `p` to "anyone" (the sender
// is anonymous to the store; the rule Cyrus administrators know for
// "user+detail" addresses), otherwise into INBOX.
//
// Sieve filing (fileinto, keep with flags) sets `as_user`: then `mailbox`
// is named as `user` sees it (their own, or a shared one) and is used when
// `user` has the `p` right on it (RFC 5228 section 4.1: the script's owner
// files), created first when `create` is set (RFC 5490 :create) and the
// user may create it. When the mailbox cannot be used the target fails
// (kNotFound / kPermissionDenied) rather than falling back: the caller
// decides (Sieve then keeps the message in INBOX).
struct DeliveryTarget {
  std::string user;
  std::string mailbox = "INBOX";
  Flags flags;  // set on the stored message (RFC 5232 imap4flags)
  bool as_user = false;
  bool create = false;
};

// ---- Sieve (RFC 5228) scripts, kept in the store per owner ---------------
// An owner is a user name, or "" for the installation's global scripts:
// the global scripts named kSieveBeforeScript and kSieveAfterScript run
// around every user's active script at delivery; any global script can be
// included with RFC 6609 `include :global`.
inline constexpr std::string_view kSieveBeforeScript = "before";
inline constexpr std::string_view kSieveAfterScript = "after";

struct SieveScriptInfo {
  std::string name;
  uint64_t size = 0;  // bytes of source
  bool active = false;
  bool operator==(const SieveScriptInfo&) const = default;
};

struct SieveScript {
  std::string name;
  std::string source;
};

// A message waiting for the outbound SMTP relay (Sieve redirect and
// vacation replies). Kept in the store, so a relay that is down delays it
// and a node that dies loses nothing: any node's relay worker sends it.
struct OutboundMessage {
  std::string id;             // assigned by QueueOutbound
  std::string envelope_from;  // reverse-path; "" is the null sender <>
  std::vector<std::string> recipients;
  std::string data;           // the whole message, CRLF line ends
  std::string reason;         // what queued it, for logs ("vacation ...")
  int64_t queued_at = 0;      // unix seconds
  int64_t next_attempt_at = 0;
  uint32_t attempts = 0;
  std::string last_error;     // the relay's last answer, for admins
  // While a relay worker sends it: when that claim runs out (0: not
  // claimed). Queue flushes leave a claimed message alone.
  int64_t claimed_until = 0;
};

// One thing Store::Verify found wrong, and what repair did about it.
struct VerifyProblem {
  std::string user;     // owner concerned; empty for store-wide problems
  std::string mailbox;  // mailbox name concerned, if any
  std::string problem;  // what is wrong, for an administrator
  std::string repair;   // what repair did; empty when not repaired
};

struct VerifyReport {
  uint64_t users = 0;  // accounts checked
  uint64_t mailboxes = 0;
  uint64_t messages = 0;
  std::vector<VerifyProblem> problems;
  bool ok() const { return problems.empty(); }
};

// One owner's quota usage before and after Store::RecountQuota.
struct QuotaRecount {
  std::string user;
  uint64_t old_bytes = 0;
  uint64_t old_messages = 0;
  uint64_t bytes = 0;
  uint64_t messages = 0;
  bool changed() const { return old_bytes != bytes || old_messages != messages; }
};

// A point-in-time copy of a store made by Store::CreateBackup.
struct BackupInfo {
  uint32_t id = 0;           // increasing within a backup directory
  int64_t created_unix = 0;  // when it was taken
  uint64_t bytes = 0;        // its size (shared files counted once)
  uint64_t new_bytes = 0;    // bytes this backup added to the directory
  uint32_t files = 0;
};

}  // namespace mailroom::store

#endif  // MAILROOM_STORE_TYPES_H_
