// The RADOS layout of the engine: object names, what each object's omap and
// xattrs hold, and the commit protocol that makes a transaction over several
// objects atomic. This comment is the format's only description.
//
// Layout format version 1. Every object lives in the installation's RADOS
// namespace (RadosOptions::ns) of one pool. `hex(x)` is lower-case hex, `id`
// a MailboxId as 8 bytes big-endian, `S` the space byte of a key space
// ('a' + the engine::Space value: kMeta 'a', kUsers 'b', ... kSeen 'q',
// kMetadata 'r', kSieve 's', kSieveMarks 't', kOutbound 'u', kMailboxView
// 'v').
//
//   object             holds
//   format             data: the layout format version, decimal ("1"). Open
//                      writes it into an empty namespace and refuses any
//                      other value with kDataLoss.
//   meta               kMeta keys
//   groups             kGroups keys
//   acl                kAcl keys that do not start with 'm' (the 'g' rows)
//   space.outbound     kOutbound keys: the outbound queue in one object, so
//                      a claim (due index row, message row, count) is one
//                      guarded write
//   space.metadata     kMetadata keys that do not start with 'm' (server
//                      annotations and usage counters); its 'm' rows
//                      ('m' id ...) live in mbox.hex(id) like kAcl's
//   queue              kIndexQueue keys. One object on purpose: a page of
//                      one object's omap is read atomically, so the
//                      indexer, which reads the queue a batch (at most a
//                      page) at a time, never sees the later work items of
//                      a transaction without its earlier ones, as a scan
//                      merging shards could while that transaction commits
//   blobs.XX           kBlobRefs, kStructure and the kBlobs presence rows of
//                      hashes whose first byte is XX (hex(byte), 256 shards)
//   blob.hex(hash)     data: a message body, immutable; xattr "gen": the
//                      8-byte id of the transaction that wrote it
//   mbox.hex(id)       every key of one mailbox: kMailboxes, kMailboxState,
//                      kMessages, kChangelog, kRetrieval, kMailboxView
//                      (key = id ...),
//                      kSeen (tag id ...) and kAcl and kMetadata 'm' rows
//                      ('m' id ...)
//   user.esc(name)     every key of one user: kUsers, kQuota (key = name),
//                      kSubscriptions, kMailboxNames, kSieve and
//                      kSieveMarks (name \0 ...; the global Sieve
//                      scripts' owner is "$", in user.%24); esc
//                      keeps [A-Za-z0-9._@+-] and writes other bytes as %XX
//   dir.mbox           the directory of mailbox objects: one row S P per
//                      space S and partition prefix P (id, or tag id / 'm'
//                      id) that ever held a key, so that a scan over many
//                      mailboxes visits them in key order
//   dir.user           the directory of user objects: one row S name
//   txn.hex(txn)       a transaction record (see below); xattr "state"
//   chan.esc(channel)  empty; watched by the subscribers of a Broadcast
//                      channel, notified by Broadcast (watch/notify)
//   lease.esc(name)    empty; an engine lease is the exclusive cls_lock
//                      "lease" on it, taken for the lease's ttl and renewed
//                      every third of it while its holder lives
//
// xattr "dv" of every omap object above: the id of the last transaction
// that changed its rows (set by the same op; lock and unlock ops leave it),
// so that a snapshot can tell "rows changed" from "rows locked".
//
// Omap keys of every object above:
//   S key              a row of space S; value = stamp(8) payload, where the
//                      stamp is the id of the transaction that wrote it. The
//                      stamp makes every write distinct, so a guard that
//                      compares a whole value detects any intervening
//                      commit (no ABA), and "absent" compares as "".
//   ~ S key            a lock on the row S key; value = the 8-byte id of the
//                      transaction holding it (its record is txn.hex(id))
//   @ S [lead]         in mbox./user. objects: the row S P of dir.mbox or
//                      dir.user exists (lead: the tag byte of kSeen rows,
//                      'm' for kAcl rows). Rows of directories and markers
//                      are never removed; a scan skips empty partitions.
//
// Bodies. A kBlobs put writes blob.hex(hash) (data, xattr gen = the writing
// transaction's id) before that transaction's commit point, and the
// transaction commits the presence row `S hash` of blobs.XX whose stamp is
// the same id. A kBlobs delete commits the removal of the presence row and
// then removes the data object guarded by "gen equals the stamp of the row
// it removed", so a later transaction that stored the same body again (new
// gen) never loses it. A crash between the two leaves an orphan data object
// (a leak that garbage collection may remove); a presence row, and so a
// reference, never points to missing data. Get/ReadRange read the presence
// row and the data (only the asked range) in parallel.
//
// Transactions. Reads run at once (with lock resolution, below); writes are
// buffered; GetForUpdate records the value it read (stamp included) as a
// guard, and first takes the row's in-process lock (local_locks.h), so that
// transactions of one node queue for a row instead of failing each other's
// guards. Commit:
//  - Fast path: when every written or guarded row lies in ONE object, one
//    ObjectWriteOperation does it all: create(false) (so guards also work on
//    a new object), omap_cmp(~row == "") for every row (nobody holds a
//    lock), omap_cmp(row == guard value) for every guarded row, then the
//    omap_set/omap_rm of the writes. -ECANCELED means a conflict: kAborted.
//  - Otherwise the multi-object protocol, with the written/guarded objects
//    ("participants") in name order, the first being the primary:
//    (1) create txn.hex(txn) exclusively: xattr state = "P" (pending), data
//        = the record (txn_record.h): start time, and per participant its
//        rows and their new values (guards stay with the committer; a
//        body's data is not in it: it is written to its blob object in
//        parallel with this step);
//    (2) lock: one op per participant, the primary first and then the others
//        in parallel: the same guards as the fast path, plus omap_set of
//        ~row = txn for every row. Any failure: unlock what was locked,
//        delete the record, kAborted;
//    (3) COMMIT POINT: on the record, cmpxattr(state == "P") and
//        setxattr(state = "C"). It fails only when someone rolled the
//        transaction back (its record is then "A" or gone): unlock, kAborted;
//    (4) apply, in parallel: per participant one op guarded by
//        omap_cmp(~row == txn) that sets/removes the rows and removes the
//        locks; then remove the data objects of deleted bodies (guarded by
//        their gen). Commit returns here;
//    (5) delete the record (asynchronously).
//    Each step is one atomic RADOS op per object, so an object is always
//    wholly locked by a transaction or wholly not, and wholly applied or not.
//  - Lock resolution. A reader or writer that meets ~row = T reads txn.T:
//      "C"            roll forward: step (4) for every participant (each op
//                     is guarded by the lock, so doing it twice is harmless),
//                     then (5); then read again;
//      "P", younger than RadosOptions::txn_timeout_seconds: T is alive; a
//                     reader uses the row's current (old) value, which is the
//                     last committed one; GetForUpdate waits (up to 2 s) for
//                     the lock to go, then kAborted; a committer kAborted;
//      "P", older:    flip it to "A" with the guarded op of step (3), then
//                     roll back;
//      "A"            roll back: remove T's locks (guarded), delete the record;
//      missing:       T's record is deleted only after all its locks are
//                     gone, and created before any lock, so T can never
//                     commit: remove the lock (guarded) and read again.
//  - Crash cases. Before (1) is done: nothing is locked; at worst an orphan
//    body. After (1), before any lock: a pending record nobody will meet
//    (a leak). During or after (2): locks of a pending record; readers read
//    the old values, writers wait or retry, and once the record is older
//    than the timeout the next one to meet a lock rolls it back. After (3)
//    or during (4): the record says "C"; the next reader or writer of any
//    participant still locked rolls it forward. After (4), before (5): a
//    committed record without locks (a leak). Leaked records and orphan
//    bodies are garbage for a collector to remove; no crash leaves a
//    partial commit visible or a reference to a missing body. A committer
//    whose step (3) reply was lost settles the outcome by trying to flip
//    its own record to "A" (which fails if the "C" flip landed) and returns
//    kUnavailable only if it still cannot tell.
//
// Snapshot() readers pin each object when they first read it (after
// resolving every lock of it that is not a live pending one: those rows
// read as their committed values) at its "dv", and read it again only
// together with its "dv": a Snapshot sees one committed state of each
// object (so of each mailbox, and of each user), and fails with kAborted
// ("run the read again") when rows of an object it already read have been
// changed since; locks taken and released meanwhile do not matter. There is
// no consistency across objects. Latest() reads each call afresh. A Scan
// reads a page (up to 1024 rows of one object) per op, each page
// atomically; a scan over several pages or objects may see a transaction
// that commits while it runs in its later pages only.
//
// Durability: RADOS acknowledges a write once every replica has it, so every
// commit is durable; `durable = false` changes nothing.
#ifndef MAILROOM_STORE_RADOS_LAYOUT_H_
#define MAILROOM_STORE_RADOS_LAYOUT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "store/engine/engine.h"

namespace mailroom::store::rados {

inline constexpr uint32_t kLayoutVersion = 1;
inline constexpr std::string_view kFormatObject = "format";

inline constexpr size_t kStampSize = 8;
inline constexpr char kLockPrefix = '~';
inline constexpr char kMarkerPrefix = '@';
// Directory objects of partitioned spaces.
inline constexpr std::string_view kMailboxDirObject = "dir.mbox";
inline constexpr std::string_view kUserDirObject = "dir.user";
// xattrs.
inline constexpr const char* kStateXattr = "state";
inline constexpr const char* kGenXattr = "gen";
inline constexpr const char* kDataVersionXattr = "dv";
inline constexpr char kStatePending = 'P';
inline constexpr char kStateCommitted = 'C';
inline constexpr char kStateAborted = 'A';

// How the keys of a space are spread over objects.
enum class Placing {
  kFixed,      // one well-known object
  kBlobShard,  // blobs.XX by the key's first byte
  kMailbox,    // mbox.<id>, id at byte `lead` of the key
  kUser,       // user.<name>, name up to the first \0
  kAcl,        // 'm' rows like kMailbox (lead 1), the rest in one
               // object ("acl"; kMetadata: "space.metadata")
};
Placing PlacingOf(engine::Space space);

// Where one key of a space is stored.
struct Placement {
  std::string object;    // the RADOS object
  std::string omap_key;  // S key
  // Partitioned spaces only (empty otherwise): the directory object, the
  // row in it, and the marker row in `object` saying that row exists.
  std::string dir_object;
  std::string dir_row;
  std::string marker;
};

// kInvalidArgument when the key is too short for its space's shape (a
// mailbox key without its 8-byte id).
absl::StatusOr<Placement> Place(engine::Space space, std::string_view key);

// The space byte S and the omap key S key.
char SpaceByte(engine::Space space);
std::string OmapKey(engine::Space space, std::string_view key);
std::string LockKey(std::string_view omap_key);

// Object names.
std::string MailboxObject(std::string_view id8);
std::string UserObject(std::string_view user);
std::string BlobShardObject(uint8_t first_byte);
std::string BlobDataObject(std::string_view hash);
std::string FixedObject(engine::Space space);  // kMeta, kGroups, kAcl, queue
std::string TxnObject(uint64_t txn);
std::string ChannelObject(std::string_view channel);
std::string LeaseObject(std::string_view name);

// Stamped values: stamp(8, big-endian txn id) payload.
std::string Stamp(uint64_t txn, std::string_view payload);
// The payload of a stored value; empty when it is too short to carry one.
std::string_view PayloadOf(std::string_view stored);
// The stamp of a stored value; 0 when it is too short.
uint64_t StampOf(std::string_view stored);

std::string EncodeId(uint64_t v);       // 8 bytes big-endian
uint64_t DecodeId(std::string_view s);  // REQUIRES: s.size() >= 8
std::string Hex(std::string_view bytes);

// The first key after every key starting with `prefix` ("" when there is
// none, i.e. the prefix is all 0xff bytes).
std::string PrefixSuccessor(std::string_view prefix);

}  // namespace mailroom::store::rados

#endif  // MAILROOM_STORE_RADOS_LAYOUT_H_
