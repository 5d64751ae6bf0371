#include "store/consistency.h"

#include "store/internal/store_impl.h"
#include "store/types.h"

namespace mailroom::store {

absl::Status CheckConsistency(Store& store) {
  auto* impl = dynamic_cast<internal::StoreImpl*>(&store);
  if (impl == nullptr) return absl::UnimplementedError("not a RocksDB store");
  return impl->CheckConsistency();
}

absl::StatusOr<StoreStats> GetStoreStats(Store& store) {
  auto* impl = dynamic_cast<internal::StoreImpl*>(&store);
  if (impl == nullptr) return absl::UnimplementedError("not a RocksDB store");
  absl::StatusOr<internal::StoreImpl::Stats> stats = impl->GetStats();
  if (!stats.ok()) return stats.status();
  return StoreStats{stats->blobs, stats->blob_bytes, stats->index_queue};
}

absl::Status CatchUpIndex(Store& store) {
  auto* impl = dynamic_cast<internal::StoreImpl*>(&store);
  if (impl == nullptr) return absl::UnimplementedError("not a RocksDB store");
  return impl->CatchUpIndex();
}

}  // namespace mailroom::store
