// The full-text index interface the store needs. index/ implements it with
// Xapian; the daemon wires the two at start. The store never includes Xapian.
#ifndef MAILROOM_STORE_TEXT_INDEX_H_
#define MAILROOM_STORE_TEXT_INDEX_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/search_key.h"
#include "store/types.h"

namespace mailroom::store {

// One unit of index work, taken from the store's index queue (or, on a
// store shared by several nodes, from a mailbox's change log).
struct IndexWork {
  uint64_t seq = 0;  // position in the queue; acknowledged in order
  // kMark records how far this node's index has caught up with `mailbox`
  // (IndexMark: every change up to `mark_modseq`, every message up to
  // `uid`), in the same commit as the work before it in the batch.
  enum Op { kAdd, kRemove, kRemoveMailbox, kRemoveOwner, kMark } op = kAdd;
  std::string owner;
  MailboxId mailbox = 0;
  Uid uid = 0;
  std::string blob_id;  // kAdd: the body to index (read via the loader)
  ModSeq mark_modseq = 0;  // kMark only
};

// A body as the store keeps it, handed to the index. `structure` is the
// mime::Serialize encoding of the structure the store parsed at append, so
// the index need not parse the message again; null when the store has none
// (the index then parses `raw`). Implicit from the raw bytes alone.
struct StoredBody {
  StoredBody() = default;
  StoredBody(std::shared_ptr<const std::string> raw_in,
             std::shared_ptr<const std::string> structure_in = nullptr)
      : raw(std::move(raw_in)), structure(std::move(structure_in)) {}

  std::shared_ptr<const std::string> raw;
  std::shared_ptr<const std::string> structure;  // may be null
};

using LoadStoredBody =
    std::function<absl::StatusOr<StoredBody>(const std::string& blob_id)>;

// How far a node's index has caught up with one mailbox's change log.
struct IndexMark {
  ModSeq modseq = 0;  // every change with a modseq up to this is applied
  Uid uid = 0;        // every message with a UID up to this was added
};

// What the index knows of a SENTBEFORE / SENTON / SENTSINCE key.
struct SentDateAnswer {
  // Messages whose Date: header, as a day in the zone it was written in,
  // satisfies the key; ascending.
  std::vector<Uid> matches;
  // Messages without a usable Date: header, ascending: RFC 3501 compares
  // their internal date instead, which only the store knows.
  std::vector<Uid> undated;
};

// Thread-safety: implementations must be safe for concurrent calls.
class TextIndex {
 public:
  virtual ~TextIndex() = default;

  // Applies a batch durably. `load_body` returns a blob's bytes and its
  // stored structure.
  virtual absl::Status Apply(const std::vector<IndexWork>& batch,
                             const LoadStoredBody& load_body) = 0;

  // The mark kMark last recorded for `mailbox` ({0, 0} when none: the
  // index knows nothing of it yet).
  virtual absl::StatusOr<IndexMark> GetMark(const std::string& owner,
                                            MailboxId mailbox) {
    return absl::UnimplementedError("this index keeps no marks");
  }

  // UIDs of every message of `mailbox` the index holds a document for,
  // ascending (empty when the index knows nothing of the owner). kDataLoss
  // when the owner's index is damaged or incomplete. For Store::Verify.
  virtual absl::StatusOr<std::vector<Uid>> ListDocuments(
      const std::string& owner, MailboxId mailbox) {
    return absl::UnimplementedError("this index cannot list its documents");
  }

  // Writes a copy of the index as last committed into `dir` (which must not
  // exist yet), readable by its owner only. `previous` (may be empty) is an
  // earlier copy on the same file system: parts unchanged since then may be
  // hard links to its files instead of copies. REQUIRES: no Apply() runs
  // until it returns (the store pauses its index queue), so that the copy is
  // one state of the index: the one the store's queue continues from.
  virtual absl::Status CopyTo(const std::string& dir,
                              const std::string& previous) {
    return absl::UnimplementedError("this index cannot be copied");
  }

  // UIDs of `mailbox` whose text matches `key` (a text key, or an
  // AND/OR/NOT tree of text keys), with exact IMAP semantics. REQUIRES: all
  // work for the mailbox up to now was applied.
  virtual absl::StatusOr<std::vector<Uid>> Query(const std::string& owner,
                                                 MailboxId mailbox,
                                                 const SearchKey& key) = 0;

  // The messages of `mailbox` a kSentBefore / kSentOn / kSentSince `key`
  // selects by their Date: header, and those it cannot judge. Errors as
  // Query(); kUnimplemented when this index keeps no dates (the caller then
  // reads the messages). REQUIRES: as Query().
  virtual absl::StatusOr<SentDateAnswer> QuerySentDate(
      const std::string& owner, MailboxId mailbox, const SearchKey& key) {
    return absl::UnimplementedError("this index keeps no dates");
  }
};

}  // namespace mailroom::store

#endif  // MAILROOM_STORE_TEXT_INDEX_H_
