// The transaction record (object txn.<id>, see layout.h): what a committed
// transaction writes to each object, so that anyone can finish it.
// Encoding (big-endian integers, strings as u32 length + bytes):
//   "MRT1" u64 id i64 start_micros
//   u32 n { string object  u32 m { u8 write  string key  [string value] } }
//   u32 k { string blob_object  u64 gen }
// where write is 0 (guard only: locked, not changed), 1 put, 2 delete.
#ifndef MAILROOM_STORE_RADOS_TXN_RECORD_H_
#define MAILROOM_STORE_RADOS_TXN_RECORD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailroom::store::rados {

// One row of an object that a transaction locks.
struct Row {
  enum class Write : uint8_t { kNone = 0, kPut = 1, kDelete = 2 };
  std::string key;  // omap key
  Write write = Write::kNone;
  std::string value;  // stored (stamped) value of a kPut
  // The stored value the row must still have ("" for absent); only the
  // committer knows it, it is not part of the record.
  std::optional<std::string> guard;
};

struct Participant {
  std::string object;
  std::vector<Row> rows;  // ascending keys, no duplicates
};

// A body's data object to remove once the transaction is committed, if it
// still carries `gen`.
struct BlobRemoval {
  std::string object;
  uint64_t gen = 0;
};

struct TxnRecord {
  uint64_t id = 0;
  int64_t start_micros = 0;
  std::vector<Participant> participants;
  std::vector<BlobRemoval> blob_removals;
};

std::string EncodeRecord(const TxnRecord& record);
// False when `data` is not a record of this format.
bool DecodeRecord(std::string_view data, TxnRecord* record);

}  // namespace mailroom::store::rados

#endif  // MAILROOM_STORE_RADOS_TXN_RECORD_H_
