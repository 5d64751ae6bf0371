// The logical layout of the store: the keys and values of each engine key
// space (store/engine/engine.h). Each engine places them physically in its
// own way: the RocksDB engine one column family per space (store/rocksdb/),
// the RADOS engine objects by mailbox, user and blob (store/rados/layout.h).
//
// Format version 1. Integers in keys are big-endian so that ranges sort;
// strings in keys are terminated by a 0 byte (user and mailbox names never
// contain one). `id` is a MailboxId (u64), `uid` a Uid (u32), `hash` the raw
// 32-byte SHA-256 of a message body. Values are encoded by records.h.
//
//   space         key                              value
//   default       "format_version"                 u32 format version
//                 "next_mailbox_id"                u64 last allocated MailboxId
//                 "next_uidvalidity"               u32 last UIDVALIDITY handed out
//                 "object_id_key"                  32 random bytes keying the
//                                                  RFC 8474 ids (object_ids.h);
//                                                  written at the first open
//   users         user                             UserRecord (SCRAM keys, limits)
//   groups        group (without '$')              member list
//   mailbox_names owner \0 name                    u64 id
//   mailboxes     id                               MailboxRecord (owner, name, ...)
//   mbox_state    id                               MailboxState (UIDVALIDITY,
//                                                  UIDNEXT, HIGHESTMODSEQ, counts)
//                 id 'k'                           the mailbox's keyword list
//                                                  (string list, folded,
//                                                  sorted; keyword_limit.cc),
//                                                  written under the state
//                                                  key's lock; absent: none
//   messages      id uid                           MessageRecord (flags, modseq,
//                                                  dates, size, hash, object
//                                                  ids)
//   blobs         hash                             raw message bytes (blob files)
//   blob_refs     hash                             u64 reference count
//   structure     hash                             mime::Serialize(mime::Parse(..))
//   changelog     id modseq(u64)                   ChangeRecord: uid and whether it
//                                                  was expunged. A live message
//                                                  has exactly one entry (its
//                                                  current modseq); expunged UIDs
//                                                  keep theirs for QRESYNC.
//   index_queue   seq(u64)                         IndexWork
//   mailbox_view  id piece(u32)                    the pieces, in order, of
//                                                  the mailbox's message
//                                                  table as of one modseq
//                                                  (message_table.h): a
//                                                  cache, rebuilt from
//                                                  messages when missing or
//                                                  damaged, caught up from
//                                                  changelog when older
//                 id piece(u32 from 2^31)          the pieces of the mailbox's
//                                                  date and size search
//                                                  column (stored_column.h):
//                                                  a cache, extended from
//                                                  the messages above it
//   subscriptions user \0 visible name             ""
//   acl           'm' id identifier                rights
//                 'g' identifier \0 id             "" (who may see which mailbox)
//   quota         owner                            QuotaRecord (bytes, messages)
//   retrieval     id uid                           i64 first POP3 retrieval time
//   seen          'u' id user \0                   SeenUserState: one user's
//                                                  view of a mailbox with
//                                                  private flags (unseen
//                                                  delta, own highest modseq)
//                 'f' id user \0 uid               SeenRow: the user's values
//                                                  of the private flags they
//                                                  changed, and its modseq
//                 'c' id user \0 modseq(u64)       u32 uid: the user's change
//                                                  log, one entry per row (at
//                                                  the row's modseq)
//   Rows exist only while the mailbox has private flags
//   (MailboxRecord::private_flags) and override only flags in that set; they
//   go with their message (expunge), lose a flag that stops being private,
//   and all go when nothing is private any more.
//   metadata      'm' id 's' entry                 value: a /shared mailbox
//                                                  annotation (RFC 5464)
//                 'm' id 'p' user \0 entry         value: a user's /private
//                                                  mailbox annotation
//                 's' entry                        value: /shared server one
//                 'u' user \0 entry                value: /private server one
//                 'c' owner \0                     u64 entries, u64 bytes
//                                                  (names and values) charged
//                                                  to owner ("" the server)
//   Entry names are stored in lower case. Mailbox rows go with their
//   mailbox; a user's rows and counter go with the user.
//   sieve         owner \0 'a'                     u64 tag, then the name of
//                                                  the owner's active script
//                                                  ("" none). The owner's
//                                                  lock: every write of the
//                                                  owner's scripts reads it
//                                                  for update and renews
//                                                  the tag
//                 owner \0 's' name                the script's source
//   sieve_marks   owner \0 'k' sha256(key)         u64 expiry (unix seconds)
//                 owner \0 'e' expiry(u64) sha256  "" (the marks in expiry
//                                                  order, for the sweep)
//   Owner "$" holds the global scripts (owner "" in the API). Both spaces' rows go with their
//   user.
//   outbound      'q' id                           OutboundMessage (without
//                                                  its id): a message for the
//                                                  SMTP relay
//                 'd' next_attempt(u64) id         "": the due index, the
//                                                  row of each 'q' row's
//                                                  next_attempt_at
//                 'n'                              u64 'q' rows (the limit;
//                                                  the queue's lock)
//   An id is 16 hex digits of the queueing time in microseconds and 8
//   random ones, so ids sort by age.
//
// The mailbox state key is the lock of its mailbox: every mutation of a
// mailbox takes it with GetForUpdate first. The quota key is the lock of an
// owner's usage.
#ifndef MAILROOM_STORE_INTERNAL_KEYS_H_
#define MAILROOM_STORE_INTERNAL_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "store/engine/engine.h"
#include "store/types.h"

namespace mailroom::store::internal {

inline constexpr uint32_t kFormatVersion = 1;
inline constexpr std::string_view kFormatVersionKey = "format_version";
inline constexpr std::string_view kNextMailboxIdKey = "next_mailbox_id";
inline constexpr std::string_view kNextUidValidityKey = "next_uidvalidity";

// The key spaces of the engine (store/engine/engine.h) hold these keys.
using engine::Space;

void AppendU32(std::string* out, uint32_t v);
void AppendU64(std::string* out, uint64_t v);
uint32_t ReadU32(std::string_view in);  // REQUIRES: in.size() >= 4
uint64_t ReadU64(std::string_view in);  // REQUIRES: in.size() >= 8

std::string MailboxNameKey(std::string_view owner, std::string_view name);
// Prefix of every mailbox name key of `owner`.
std::string MailboxNamePrefix(std::string_view owner);
std::string MailboxIdKey(MailboxId id);
std::string MailboxKeywordsKey(MailboxId id);
std::string MessageKey(MailboxId id, Uid uid);
// Parses a message (or retrieval) key; false on a malformed key.
bool ParseMessageKey(std::string_view key, MailboxId* id, Uid* uid);
std::string ChangelogKey(MailboxId id, ModSeq modseq);
std::string MailboxViewKey(MailboxId id, uint32_t piece);
// The search column's pieces sort after every message table piece.
inline constexpr uint32_t kColumnPieceBase = uint32_t{1} << 31;
std::string MailboxColumnKey(MailboxId id, uint32_t piece);
std::string IndexQueueKey(uint64_t seq);
std::string SubscriptionKey(std::string_view user, std::string_view name);
std::string SubscriptionPrefix(std::string_view user);
std::string AclKey(MailboxId id, std::string_view identifier);
std::string AclPrefix(MailboxId id);
std::string AclGranteeKey(std::string_view identifier, MailboxId id);
std::string AclGranteePrefix(std::string_view identifier);

// Keys of the seen column family (private flags, per-user \Seen).
inline constexpr char kSeenStateTag = 'u';
inline constexpr char kSeenRowTag = 'f';
inline constexpr char kSeenChangeTag = 'c';
// Every `tag` key of mailbox `id`.
std::string SeenPrefix(char tag, MailboxId id);
// Every `tag` key of `user` in mailbox `id`.
std::string SeenUserPrefix(char tag, MailboxId id, std::string_view user);
std::string SeenStateKey(MailboxId id, std::string_view user);
std::string SeenRowKey(MailboxId id, std::string_view user, Uid uid);
std::string SeenChangeKey(MailboxId id, std::string_view user, ModSeq modseq);

// Keys of the metadata space (annotations).
inline constexpr char kMetaMailboxTag = 'm';
inline constexpr char kMetaServerSharedTag = 's';
inline constexpr char kMetaServerPrivateTag = 'u';
inline constexpr char kMetaUsageTag = 'c';
// Every annotation of mailbox `id`.
std::string MetaMailboxPrefix(MailboxId id);
// The row of `entry` (lower case) of mailbox `id` (0: the server); a
// /private entry names its `user`.
std::string MetaEntryKey(MailboxId id, std::string_view user,
                         std::string_view entry);
std::string MetaUsageKey(std::string_view owner);

// Keys of the sieve and sieve_marks spaces (Sieve scripts, delivery marks).
// The global scripts' owner "" is spelled "$" in keys (no user name has
// it), so that every owner is a non-empty partition on RADOS.
inline constexpr std::string_view kSieveGlobalOwner = "$";
// Every key of `owner` in either space.
std::string SieveOwnerPrefix(std::string_view owner);
std::string SieveHeadKey(std::string_view owner);
std::string SieveScriptPrefix(std::string_view owner);
std::string SieveScriptKey(std::string_view owner, std::string_view name);
// `digest` is the SHA-256 of the mark's key (32 bytes).
std::string SieveMarkKey(std::string_view owner, std::string_view digest);
std::string SieveExpiryPrefix(std::string_view owner);
std::string SieveExpiryKey(std::string_view owner, uint64_t expiry,
                           std::string_view digest);
// Keys of the outbound space (the relay queue).
inline constexpr char kOutboundMessageTag = 'q';
inline constexpr char kOutboundDueTag = 'd';
inline constexpr std::string_view kOutboundCountKey = "n";
std::string OutboundMessageKey(std::string_view id);
// The due row of message `id` with next attempt `at` (negative: 0).
std::string OutboundDueKey(int64_t at, std::string_view id);

// The first key after every key starting with `prefix`.
std::string PrefixEnd(std::string_view prefix);

}  // namespace mailroom::store::internal

#endif  // MAILROOM_STORE_INTERNAL_KEYS_H_
