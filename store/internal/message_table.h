// A mailbox's message table (store::MessageTable: UID, flags and modseq of
// every message) in the form the store persists it, and the two operations
// that keep it exact: numbering keyword lists, and applying the changes
// read from the change log since the table's modseq.
//
// Persisted form (Space::kMailboxView, keys.h): pieces framed as in
// piece_frame.h, with the stamp u8 version (1), u32 UIDVALIDITY, u64
// modseq; the body is
//   varint keyword lists (not counting list 0), each a varint count of
//   strings, each varint length and bytes;
//   varint messages, then runs: varint run length, varint UID step, varint
//   flags, zig-zag varint modseq step; each of the run's messages is the
//   previous one (UID 0, modseq 0 before the first) plus the steps.
// Mailboxes filled in order (UIDs and modseqs both step by one, flags
// alike) take a few bytes in all; the worst case is about 12 bytes a
// message. Anything that does not decode to a valid table (bad version,
// length, checksum, UIDs not ascending, unknown keyword list) is kDataLoss.
//
// Thread-safety: plain values and functions; a builder is used by one
// thread.
#ifndef MAILROOM_STORE_INTERNAL_MESSAGE_TABLE_H_
#define MAILROOM_STORE_INTERNAL_MESSAGE_TABLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "store/internal/piece_frame.h"
#include "store/types.h"

namespace mailroom::store::internal {

// A table as of one state of its mailbox.
struct TableCheckpoint {
  uint32_t uidvalidity = 0;
  ModSeq modseq = 0;  // every change up to it is in the table
  MessageTable table;
};

// The persisted pieces of `checkpoint`, piece 0 first (never empty).
std::vector<std::string> EncodeTableCheckpoint(
    const TableCheckpoint& checkpoint);
// The checkpoint the pieces hold; kDataLoss when they are damaged.
absl::StatusOr<TableCheckpoint> DecodeTableCheckpoint(
    const std::vector<std::string>& pieces);
// UIDVALIDITY and modseq from piece 0 alone; kDataLoss when it is damaged.
absl::StatusOr<TableCheckpoint> DecodeTableStamp(const std::string& piece0);

// Numbers keyword lists for a table, keeping the numbers it already has.
class KeywordNumbering {
 public:
  // REQUIRES: `table` outlives the numbering; its sets are only appended
  // to through Number.
  explicit KeywordNumbering(MessageTable* table);
  // The number of `keywords` (sorted, unique), appended when new.
  uint32_t Number(const std::vector<std::string>& keywords);
  CompactMessage Compact(Uid uid, const Flags& flags, ModSeq modseq);
  Flags FlagsOf(const CompactMessage& message) const;

 private:
  MessageTable* table_;
  absl::flat_hash_map<std::string, uint32_t> numbers_;  // joined by '\0'
};

// Brings `table` up to date: removes the messages of `removed` and sets (or
// inserts) those of `updated`. Both ascending by UID.
void ApplyTableChanges(MessageTable* table, const std::vector<Uid>& removed,
                       const std::vector<CompactMessage>& updated);

}  // namespace mailroom::store::internal

#endif  // MAILROOM_STORE_INTERNAL_MESSAGE_TABLE_H_
