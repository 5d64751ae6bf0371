#include "store/rados/reads.h"

#include "base/status_macros.h"
#include "store/rados/layout.h"

namespace mailroom::store::rados {

using engine::Space;

absl::StatusOr<std::optional<std::string>> GetRow(ObjectReader& reader,
                                                  BlobStore& blobs, Space space,
                                                  std::string_view key,
                                                  MarkerCache* markers) {
  MR_ASSIGN_OR_RETURN(
      std::vector<std::optional<std::string>> values,
      GetRows(reader, blobs, space, {std::string(key)}, markers));
  return std::move(values.front());
}

absl::StatusOr<std::vector<std::optional<std::string>>> GetRows(
    ObjectReader& reader, BlobStore& blobs, Space space,
    const std::vector<std::string>& keys, MarkerCache* markers) {
  std::vector<std::optional<std::string>> out(keys.size());
  if (space == Space::kBlobs) {
    for (size_t i = 0; i < keys.size(); ++i) {
      MR_ASSIGN_OR_RETURN(out[i], blobs.Read(reader, keys[i], 0, std::nullopt));
    }
    return out;
  }
  // object -> (omap key -> indexes into keys)
  struct ObjectKeys {
    std::map<std::string, std::vector<size_t>> rows;
    bool partitioned = false;
  };
  std::map<std::string, ObjectKeys> by_object;
  for (size_t i = 0; i < keys.size(); ++i) {
    MR_ASSIGN_OR_RETURN(Placement place, Place(space, keys[i]));
    ObjectKeys& object = by_object[place.object];
    object.rows[place.omap_key].push_back(i);
    object.partitioned = !place.marker.empty();
  }
  for (const auto& [object, wanted] : by_object) {
    std::set<std::string> omap_keys;
    for (const auto& [omap_key, indexes] : wanted.rows) {
      omap_keys.insert(omap_key);
    }
    const bool want_markers = markers != nullptr && wanted.partitioned;
    ObjectReader::Keys found;
    MR_RETURN_IF_ERROR(
        reader.ReadKeys(object, omap_keys, want_markers, &found));
    if (want_markers) (*markers)[object] = std::move(found.markers);
    for (const auto& [omap_key, indexes] : wanted.rows) {
      auto it = found.values.find(omap_key);
      if (it == found.values.end()) continue;
      for (size_t i : indexes) out[i] = std::string(PayloadOf(it->second));
    }
  }
  return out;
}

}  // namespace mailroom::store::rados
