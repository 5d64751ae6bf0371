// What an engine's transactions and readers share: the connection, the lock
// resolver, the body store and the committer.
//
// Thread-safety: thread-safe (every member is).
#ifndef MAILROOM_STORE_RADOS_CORE_H_
#define MAILROOM_STORE_RADOS_CORE_H_

#include <memory>

#include "absl/time/time.h"
#include "store/rados/blobs.h"
#include "store/rados/commit.h"
#include "store/rados/leases.h"
#include "store/rados/local_locks.h"
#include "store/rados/object_reader.h"
#include "store/rados/rados_engine.h"
#include "store/rados/rados_io.h"
#include "store/rados/resolver.h"
#include "store/rados/signals.h"

namespace mailroom::store::rados {

struct EngineCore {
  EngineCore(std::unique_ptr<RadosIo> io_in, const RadosOptions& options)
      : io(std::move(io_in)),
        resolver(io.get(), absl::Seconds(options.txn_timeout_seconds)),
        blobs(io.get()),
        committer(io.get(), &resolver, &blobs, options.testing_stop_after_step),
        latest_reader(io.get(), &resolver, /*pinned=*/false),
        signals(io.get()),
        leases(io.get()) {}

  std::unique_ptr<RadosIo> io;
  Resolver resolver;
  BlobStore blobs;
  Committer committer;
  ObjectReader latest_reader;  // latest mode: shareable
  LocalLocks local_locks;      // GetForUpdate rows, within this node
  Signals signals;             // Broadcast, Subscribe
  LeaseKeeper leases;          // AcquireLease
  // How long GetForUpdate waits for a row locked by a live transaction
  // (of this node, or a RADOS lock of any node).
  absl::Duration lock_wait = absl::Seconds(2);
};

}  // namespace mailroom::store::rados

#endif  // MAILROOM_STORE_RADOS_CORE_H_
