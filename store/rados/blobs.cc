#include "store/rados/blobs.h"

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "store/rados/layout.h"
#include "store/rados/rados_status.h"

namespace mailroom::store::rados {

namespace {

// A ranged read never asks for more than an object can hold.
constexpr uint64_t kMaxRead = BlobStore::kMaxBodySize;

std::unique_ptr<librados::ObjectReadOperation> DataReadOp(
    uint64_t offset, std::optional<uint64_t> length, librados::bufferlist* bl) {
  auto op = std::make_unique<librados::ObjectReadOperation>();
  // Length 0 reads to the end of the object.
  op->read(offset, length.has_value() ? std::min(*length, kMaxRead) : 0, bl,
           nullptr);
  return op;
}

}  // namespace

WriteOp BlobStore::FirstChunkOp(std::string_view data, uint64_t gen) {
  auto op = std::make_unique<librados::ObjectWriteOperation>();
  op->create(false);
  op->write_full(ToBufferlist(data.substr(0, kChunkSize)));
  op->setxattr(kGenXattr, ToBufferlist(EncodeId(gen)));
  return op;
}

absl::Status BlobStore::WriteRest(const std::string& object,
                                  std::string_view data, uint64_t gen) {
  for (size_t offset = kChunkSize; offset < data.size(); offset += kChunkSize) {
    librados::ObjectWriteOperation op;
    op.cmpxattr(kGenXattr, LIBRADOS_CMPXATTR_OP_EQ,
                ToBufferlist(EncodeId(gen)));
    op.write(offset, ToBufferlist(data.substr(offset, kChunkSize)));
    RadosIo::Result r = io_->Write(object, &op);
    if (r.rc < 0) return FromRados(r.rc, absl::StrCat("write ", object));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> BlobStore::Read(
    ObjectReader& reader, std::string_view hash, uint64_t offset,
    std::optional<uint64_t> length) {
  MR_ASSIGN_OR_RETURN(Placement place, Place(engine::Space::kBlobs, hash));
  const std::string data_object = BlobDataObject(hash);
  // The presence row and the data in parallel; a body is removed only
  // after its row is, and written before its row is, so "row present, data
  // missing" can only be a race with a removal: then read both again.
  for (int round = 0; round < 2; ++round) {
    librados::bufferlist bl;
    uint64_t size = 0;
    time_t mtime = 0;
    RadosIo::Batch batch(io_);
    if (length.has_value() && *length == 0) {
      auto op = std::make_unique<librados::ObjectReadOperation>();
      op->stat(&size, &mtime, nullptr);
      batch.Read(data_object, std::move(op));
    } else {
      batch.Read(data_object, DataReadOp(offset, length, &bl));
    }
    ObjectReader::Keys keys;
    absl::Status presence =
        reader.ReadKeys(place.object, {place.omap_key}, false, &keys);
    RadosIo::Result data = batch.Wait().front();
    MR_RETURN_IF_ERROR(presence);
    if (!keys.values.contains(place.omap_key)) {
      return std::optional<std::string>();
    }
    if (data.rc == -ENOENT) continue;
    if (data.rc < 0) {
      return FromRados(data.rc, absl::StrCat("read ", data_object));
    }
    return std::optional<std::string>(bl.to_str());
  }
  if (reader.pinned()) {
    // Removed after the snapshot saw its presence row.
    return absl::AbortedError(
        absl::StrCat("rados: body ", data_object,
                     " removed after the snapshot; read again"));
  }
  return absl::DataLossError(
      absl::StrCat("rados: body ", data_object, " is missing"));
}

}  // namespace mailroom::store::rados
