// Point reads of a key space (Get, MultiGet) on top of ObjectReader, shared
// by readers and transactions: placing keys, grouping them by object,
// reading bodies from their data objects.
#ifndef MAILROOM_STORE_RADOS_READS_H_
#define MAILROOM_STORE_RADOS_READS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "store/engine/engine.h"
#include "store/rados/blobs.h"
#include "store/rados/object_reader.h"

namespace mailroom::store::rados {

// Directory markers seen per object (layout.h), filled when not null.
using MarkerCache = std::map<std::string, std::set<std::string>>;

// The value of `key`, std::nullopt when absent.
absl::StatusOr<std::optional<std::string>> GetRow(ObjectReader& reader,
                                                  BlobStore& blobs,
                                                  engine::Space space,
                                                  std::string_view key,
                                                  MarkerCache* markers);

// The values of `keys`, one read per object they live in.
absl::StatusOr<std::vector<std::optional<std::string>>> GetRows(
    ObjectReader& reader, BlobStore& blobs, engine::Space space,
    const std::vector<std::string>& keys, MarkerCache* markers);

}  // namespace mailroom::store::rados

#endif  // MAILROOM_STORE_RADOS_READS_H_
