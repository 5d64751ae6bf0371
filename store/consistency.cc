#include "store/consistency.h"

#include "store/internal/store_impl.h"

namespace mailroom::store {

absl::Status CheckConsistency(Store& store) {
  auto* impl = dynamic_cast<internal::StoreImpl*>(&store);
  if (impl == nullptr) return absl::UnimplementedError("not a RocksDB store");
  return impl->CheckConsistency();
}

absl::Status CatchUpIndex(Store& store) {
  auto* impl = dynamic_cast<internal::StoreImpl*>(&store);
  if (impl == nullptr) return absl::UnimplementedError("not a RocksDB store");
  return impl->CatchUpIndex();
}

}  // namespace mailroom::store
