// Message bodies (Space::kBlobs): the data objects blob.<hex(hash)> and
// their presence rows in blobs.XX (layout.h, "Bodies").
//
// Thread-safety: thread-safe (no mutable state).
#ifndef MAILROOM_STORE_RADOS_BLOBS_H_
#define MAILROOM_STORE_RADOS_BLOBS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "store/rados/object_reader.h"
#include "store/rados/protocol_ops.h"
#include "store/rados/rados_io.h"

namespace mailroom::store::rados {

class BlobStore {
 public:
  explicit BlobStore(RadosIo* io) : io_(io) {}

  // Bodies are written in chunks of this size, one op each.
  static constexpr size_t kChunkSize = size_t{8} << 20;
  // RADOS' default osd_max_object_size.
  static constexpr size_t kMaxBodySize = size_t{128} << 20;

  // The op writing the whole body (or its first chunk) and its gen; the
  // committer runs it in parallel with creating its record.
  static WriteOp FirstChunkOp(std::string_view data, uint64_t gen);
  // The chunks after the first, each guarded by `gen` (a concurrent
  // removal of an older generation must not be half-overwritten).
  absl::Status WriteRest(const std::string& object, std::string_view data,
                         uint64_t gen);

  // Bytes [offset, offset + length) of body `hash` (all of it from offset
  // when length is std::nullopt) as committed, read through `reader` (whose
  // mode decides how the presence row is read). std::nullopt when absent.
  // Reads only that range of the data object.
  absl::StatusOr<std::optional<std::string>> Read(
      ObjectReader& reader, std::string_view hash, uint64_t offset,
      std::optional<uint64_t> length);

 private:
  RadosIo* const io_;
};

}  // namespace mailroom::store::rados

#endif  // MAILROOM_STORE_RADOS_BLOBS_H_
