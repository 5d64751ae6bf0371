// The persisted form of a mailbox's search column (search_columns.h), kept
// beside its message table in Space::kMailboxView (keys.h,
// MailboxColumnKey), so that the first date or size search after a restart
// reads one blob instead of every message record.
//
// One blob cut into pieces of at most kTablePieceBytes, piece 0 first:
//   u8 version (1), u32 UIDVALIDITY, u32 covered, u32 pieces,
//   u64 body length, u32 crc32 of the body, then the body:
//   varint entries, then for each entry (steps from the previous entry;
//   zero before the first): varint UID step, zig-zag varint zone minutes,
//   zig-zag varint internal date step, zig-zag varint save date step,
//   varint size.
// About 8-10 bytes a message. Anything that does not decode to a valid
// column (bad version, length, checksum, UIDs not ascending or not below
// `covered`) is kDataLoss.
//
// Thread-safety: plain functions.
#ifndef MAILROOM_STORE_INTERNAL_STORED_COLUMN_H_
#define MAILROOM_STORE_INTERNAL_STORED_COLUMN_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "store/internal/search_columns.h"

namespace mailroom::store::internal {

// The persisted pieces of `column`, piece 0 first (never empty).
std::vector<std::string> EncodeStoredColumn(const Column& column);
// The column the pieces hold; kDataLoss when they are damaged.
absl::StatusOr<std::shared_ptr<const Column>> DecodeStoredColumn(
    const std::vector<std::string>& pieces);
// UIDVALIDITY and covered mark from piece 0 alone, in an empty column;
// kDataLoss when it is damaged.
absl::StatusOr<Column> DecodeStoredColumnStamp(std::string_view piece0);

}  // namespace mailroom::store::internal

#endif  // MAILROOM_STORE_INTERNAL_STORED_COLUMN_H_
