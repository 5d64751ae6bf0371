// OpenStore: the mail logic over the engine the options name.
#include <memory>
#include <utility>

#include "store/engine/engine.h"
#include "store/internal/store_impl.h"
#include "store/rados/rados_engine.h"
#include "store/rocksdb/rocksdb_engine.h"
#include "store/store.h"

namespace mailroom::store {

absl::StatusOr<std::unique_ptr<Store>> OpenStore(const StoreOptions& options) {
  absl::StatusOr<std::unique_ptr<engine::Engine>> engine;
  switch (options.engine) {
    case EngineKind::kRocksDb:
      engine = rocksdb_engine::OpenRocksDbEngine(
          {.dir = options.data_dir,
           .sync_writes = options.sync_writes,
           .min_free_bytes = options.min_free_disk_bytes});
      break;
    case EngineKind::kRados:
      engine = rados::OpenRadosEngine({.conf_file = options.rados.conf_file,
                                       .pool = options.rados.pool,
                                       .ns = options.rados.ns,
                                       .user = options.rados.user,
                                       .op_timeout_seconds =
                                           options.rados.op_timeout_seconds});
      break;
  }
  if (!engine.ok()) return engine.status();
  absl::StatusOr<std::unique_ptr<internal::StoreImpl>> store =
      internal::StoreImpl::Open(options, *std::move(engine));
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(*std::move(store));
}

}  // namespace mailroom::store
