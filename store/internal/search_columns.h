// Per-mailbox columns of what never changes in a message once stored: its
// internal date (and zone), save date and size. Date and size search keys
// (BEFORE/ON/SINCE, OLDER/YOUNGER, SAVED*, LARGER/SMALLER) are answered from
// them without decoding a message record.
//
// A column covers the UIDs below its `covered` mark; a search first reads
// the records of the messages at or above it (those appended since) and
// publishes a longer column. Expunged messages stay in a column: callers
// check answers against the store, as they do for index answers. The
// columns live in memory, at most `max_bytes` in all; the least recently
// used are dropped first. The store also persists them (stored_column.h),
// so a dropped column, or one after a restart, is read back in one piece
// and extended from the records appended since.
//
// Thread-safety: SearchColumns is thread-safe; a Column is immutable.
#ifndef MAILROOM_STORE_INTERNAL_SEARCH_COLUMNS_H_
#define MAILROOM_STORE_INTERNAL_SEARCH_COLUMNS_H_

#include <cstdint>
#include <list>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "store/internal/sync.h"
#include "store/search_key.h"
#include "store/types.h"

namespace mailroom::store::internal {

struct ColumnEntry {
  Uid uid = 0;
  int32_t internal_tz_minutes = 0;
  int64_t internal_date = 0;
  int64_t save_date = 0;
  uint64_t size = 0;
};

// Entries in pieces, so that a longer column shares all full pieces with
// the one it extends.
inline constexpr size_t kColumnPiece = 4096;

struct Column {
  uint32_t uidvalidity = 0;
  Uid covered = 1;  // every message with a lower UID is in the column
  size_t size = 0;  // entries in all
  size_t stored = 0;  // entries the store's persisted copy holds
  std::vector<std::shared_ptr<const std::vector<ColumnEntry>>> pieces;

  // A column with `more` (ascending, above every entry) appended, covering
  // UIDs below `covered`.
  std::shared_ptr<const Column> Extend(std::vector<ColumnEntry> more,
                                       Uid covered) const;
  size_t Bytes() const { return size * sizeof(ColumnEntry); }
};

// True for the keys a column answers: BEFORE/ON/SINCE, OLDER/YOUNGER,
// SAVEDBEFORE/SAVEDON/SAVEDSINCE, SAVEDOLDER/SAVEDYOUNGER, LARGER, SMALLER,
// UID sets, and AND/OR/NOT of them.
bool AnsweredByColumn(const SearchKey& key);
// The largest sub-trees of `key` a column answers, except lone UID sets.
void CollectColumnSubtrees(const SearchKey& key,
                           std::vector<const SearchKey*>* out);
// The UIDs in `column` that `key` matches, ascending. `now` is seconds
// since the epoch. REQUIRES: AnsweredByColumn(key).
std::vector<Uid> MatchColumn(const Column& column, const SearchKey& key,
                             int64_t now);

class SearchColumns {
 public:
  explicit SearchColumns(uint64_t max_bytes) : max_bytes_(max_bytes) {}

  // The column kept for `mailbox` at `uidvalidity`, or null.
  std::shared_ptr<const Column> Get(MailboxId mailbox, uint32_t uidvalidity);
  // Keeps `column` for `mailbox` unless a longer one is kept already; drops
  // the least recently used columns past the memory bound.
  void Put(MailboxId mailbox, std::shared_ptr<const Column> column);

 private:
  struct Kept {
    std::shared_ptr<const Column> column;
    std::list<MailboxId>::iterator used;
  };
  const uint64_t max_bytes_;
  Mutex mu_;
  absl::flat_hash_map<MailboxId, Kept> kept_ ABSL_GUARDED_BY(mu_);
  std::list<MailboxId> recency_ ABSL_GUARDED_BY(mu_);  // most recent first
  uint64_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace mailroom::store::internal

#endif  // MAILROOM_STORE_INTERNAL_SEARCH_COLUMNS_H_
