// The storage engine seam: the small interface the mail logic in store/ is
// written over. An engine is a transactional, ordered key-value store split
// into named key spaces; store/rocksdb/ (embedded) and store/rados/ (Ceph
// RADOS) implement it. The mail logic never learns which engine runs.
//
// What an engine must guarantee (and nothing about how):
//   - A Transaction commits all of its writes or none, also across spaces.
//   - A key read with GetForUpdate is the transaction's lock: if anyone else
//     commits a change to that key between the read and the commit, the
//     commit fails with kAborted (or waits for the other to finish first).
//     Two transactions that both GetForUpdate the same key are serialised.
//     The mail logic locks a mailbox's state key before changing the
//     mailbox and an owner's quota key before charging quota.
//   - Commit returns only once the writes are durable when the transaction
//     was begun with durable = true (an acknowledged write survives a crash
//     or the loss of a machine, as far as the engine's medium allows).
//   - Reads inside a transaction see its own writes.
//   - Scans visit keys in bytewise ascending order.
//   - A Reader from Snapshot() sees one committed state for every key of one
//     mailbox's spaces at least (the RocksDB engine: the whole store). An
//     engine that cannot keep an old state readable (RADOS) answers kAborted
//     once a row it already read has changed: read again with a new
//     Snapshot.
//   - Commit may answer kUnavailable when the engine cannot tell whether
//     the transaction committed (a lost reply); it is then either wholly
//     committed or not at all.
//
// Errors (absl::Status codes, with their retry meaning):
//   kAborted      conflict: run the whole transaction again
//   kUnavailable  the medium is unreachable or failing: retry the call later
//   kDataLoss     stored data is damaged or of an unknown format
//   others        a bug or a misuse; not retried
//
// Thread-safety: an Engine is thread-safe. A Transaction or Reader is used
// by one thread at a time.
#ifndef MAILROOM_STORE_ENGINE_ENGINE_H_
#define MAILROOM_STORE_ENGINE_ENGINE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace mailroom::store::engine {

// The key spaces. Their keys and values are defined by the mail logic
// (store/internal/keys.h); an engine only needs the key shapes documented
// there to place data (the RADOS engine groups a mailbox's keys, which all
// start with its 8-byte id, into one object).
enum class Space : int {
  kMeta = 0,       // format version, id counters
  kUsers,          // user -> account record
  kGroups,         // group -> members
  kMailboxNames,   // owner \0 name -> mailbox id
  kMailboxes,      // id -> mailbox record
  kMailboxState,   // id -> counters (the mailbox's lock)
  kMessages,       // id uid -> message record
  kBlobs,          // content hash -> message bytes (large, immutable)
  kBlobRefs,       // content hash -> reference count
  kStructure,      // content hash -> parsed structure
  kChangelog,      // id modseq -> change record
  kIndexQueue,     // seq -> index work item
  kSubscriptions,  // user \0 name
  kAcl,            // 'm' id identifier -> rights; 'g' identifier \0 id
  kQuota,          // owner -> usage (the owner's quota lock)
  kRetrieval,      // id uid -> first POP3 retrieval time
  kSeen,           // per-user \Seen rows, keyed by mailbox id first
  kMetadata,       // annotations (RFC 5464): 'm' id ... rows per mailbox,
                   // server rows and usage counters
  kSieve,          // owner \0 ...: Sieve scripts and the active one
  kSieveMarks,     // owner \0 ...: delivery marks (vacation, duplicate)
  kOutbound,       // messages waiting for the SMTP relay, due index, count
  kMailboxView,    // id piece -> a mailbox's persisted message table (a
                   // cache the mail logic rebuilds when missing)
  kCount,          // not a space: the number of spaces
};
inline constexpr int kSpaceCount = static_cast<int>(Space::kCount);
// A stable lower-case name ("mailbox_state"), for logs and physical layouts.
const char* SpaceName(Space space);

// Called for each key/value in order; return false to stop.
using ScanFn = std::function<bool(std::string_view key, std::string_view value)>;

// Read access to one state of the store.
class Reader {
 public:
  virtual ~Reader() = default;
  // std::nullopt when the key is absent.
  virtual absl::StatusOr<std::optional<std::string>> Get(
      Space space, std::string_view key) = 0;
  // Several keys of one space; out[i] is std::nullopt for an absent key.
  // `keys` are ascending. The default calls Get for each.
  virtual absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      Space space, const std::vector<std::string>& keys);
  // Calls fn for every key in [begin, end), ascending, until it returns
  // false. An empty `end` means no upper bound.
  virtual absl::Status Scan(Space space, std::string_view begin,
                            std::string_view end, const ScanFn& fn) = 0;
};

// A unit of atomic change. Destroying an uncommitted transaction discards
// it. After Commit (whatever its result) only destruction is allowed.
class Transaction : public Reader {
 public:
  // Reads `key` and locks it for this transaction (see the file comment).
  virtual absl::StatusOr<std::optional<std::string>> GetForUpdate(
      Space space, std::string_view key) = 0;
  virtual absl::Status Put(Space space, std::string_view key,
                           std::string_view value) = 0;
  // Not an error if the key is absent.
  virtual absl::Status Delete(Space space, std::string_view key) = 0;
  // Save points nest: RollbackToSavePoint undoes every Put and Delete since
  // the latest SetSavePoint and removes that mark (locks taken since may or
  // may not be released: RocksDB releases them, RADOS keeps its guards);
  // PopSavePoint removes the mark and keeps the writes. One delivery to many
  // recipients commits once and drops only the recipients that failed.
  virtual void SetSavePoint() = 0;
  virtual absl::Status RollbackToSavePoint() = 0;
  virtual absl::Status PopSavePoint() = 0;
  // kAborted on a conflict: nothing was written; run the transaction again.
  virtual absl::Status Commit() = 0;
};

// One write of an unguarded batch.
struct Mutation {
  Space space;
  std::string key;
  std::optional<std::string> value;  // std::nullopt deletes the key
};

// What an engine reports of itself (mailroomctl, CheckConsistency).
struct EngineStats {
  uint64_t approximate_bytes = 0;
};

// One backup an engine wrote (Engine::CreateBackup).
struct EngineBackup {
  uint32_t id = 0;           // increasing within the backup directory
  int64_t created_unix = 0;
  uint64_t bytes = 0;        // the backup's files, shared ones included
  uint32_t files = 0;
};

// Cancels a subscription when destroyed; after the destructor returns no
// callback of it runs.
class Subscription {
 public:
  virtual ~Subscription() = default;
};

// An exclusive hold that expires unless its holder is alive; released when
// destroyed.
class EngineLease {
 public:
  virtual ~EngineLease() = default;
};

class Engine {
 public:
  virtual ~Engine() = default;
  // "rocksdb" or "rados".
  virtual std::string_view Name() const = 0;

  // A new transaction. `durable` false lets Commit return before the
  // writes are durable (only for data that is harmless to lose: caches).
  virtual absl::StatusOr<std::unique_ptr<Transaction>> Begin(bool durable) = 0;

  // A consistent read-only view (see the file comment for its extent).
  virtual absl::StatusOr<std::unique_ptr<Reader>> Snapshot() = 0;
  // Reads of the newest committed state, each read on its own.
  virtual Reader& Latest() = 0;

  // Applies `writes` atomically without conflict checks. For keys no
  // transaction locks (index queue acknowledgements).
  virtual absl::Status WriteUnguarded(const std::vector<Mutation>& writes,
                                      bool durable) = 0;

  // Bytes [offset, offset + length) of the value of `key` in `space`,
  // shorter at the end of the value; empty past it. kNotFound when the key
  // is absent. Engines answer this without reading the whole value for
  // Space::kBlobs (a section of a 50 MB message reads that section).
  virtual absl::StatusOr<std::string> ReadRange(Space space,
                                                std::string_view key,
                                                uint64_t offset,
                                                uint64_t length) = 0;

  // ---- several nodes on one store (engines where that can happen) ------
  // Whether other processes may share this store (they then learn of each
  // other's commits only through Broadcast).
  virtual bool Shared() const { return false; }
  // Sends `payload` to the subscribers of `channel` on every node,
  // including this one. Best effort: a lost signal delays a watcher, never
  // loses data (sessions also pull at their next command).
  virtual absl::Status Broadcast(std::string_view channel,
                                 std::string_view payload) {
    return absl::OkStatus();
  }
  // Calls fn(payload) for every Broadcast on `channel` from now on, on an
  // engine thread: it must be quick and must not call the engine.
  virtual absl::StatusOr<std::unique_ptr<Subscription>> Subscribe(
      std::string_view channel, std::function<void(std::string_view)> fn) {
    return absl::UnimplementedError("this engine has one node");
  }
  // An exclusive lease on `name` held across nodes, renewed while the
  // returned object lives and lost within `ttl_seconds` if this node dies.
  // kFailedPrecondition when another holds it.
  virtual absl::StatusOr<std::unique_ptr<EngineLease>> AcquireLease(
      std::string_view name, int ttl_seconds) {
    return absl::UnimplementedError("this engine has one node");
  }

  // ---- backup ------------------------------------------------------------
  // Writes a copy of the store as committed when the call starts (every
  // commit acknowledged before it is in the copy) into `dir`, created if
  // missing, sharing unchanged files with earlier backups there; `metadata`
  // is kept with it. `progress(done, total)` reports bytes copied. The store
  // keeps serving meanwhile. A backup cut short (a crash) is never listed
  // and its files are reclaimed by the next backup into `dir`.
  virtual absl::StatusOr<EngineBackup> CreateBackup(
      const std::string& dir, const std::string& metadata,
      const std::function<void(uint64_t, uint64_t)>& progress) {
    return absl::UnimplementedError(absl::StrCat(
        "the ", std::string(Name()), " engine has no online backup (export accounts "
        "instead)"));
  }
};

}  // namespace mailroom::store::engine

#endif  // MAILROOM_STORE_ENGINE_ENGINE_H_
