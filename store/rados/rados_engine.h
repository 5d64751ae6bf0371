// The Ceph RADOS engine: the engine seam (store/engine/engine.h) over
// librados. Each mailbox's keys live in one object's omap, each user's in
// another, bodies in immutable objects named by content hash; a
// transaction within one object commits as one guarded RADOS op, one over
// several objects through a commit protocol with a transaction record and
// per-row locks. store/rados/layout.h documents the objects, the format and
// the protocol. Several nodes (processes) may open one namespace: the
// engine is Shared(), Broadcast/Subscribe use RADOS watch/notify and
// AcquireLease a cls_lock lock with expiry.
//
// What callers see beyond engine.h:
//   - Keys must have the shapes of store/internal/keys.h (a mailbox key its
//     8-byte id, ...): the engine places rows by them; kInvalidArgument
//     otherwise. A kBlobs value is immutable for its key (a content hash).
//   - A Snapshot() read fails with kAborted when rows of an object (a
//     mailbox, a user) it already read have changed since: read again with
//     a new snapshot.
//   - Commit may fail with kUnavailable without knowing whether the
//     transaction committed (the cluster failed at its commit point).
//
// Thread-safety: thread-safe (see engine.h). Transactions, readers,
// subscriptions and leases must be destroyed before their engine.
#ifndef MAILROOM_STORE_RADOS_RADOS_ENGINE_H_
#define MAILROOM_STORE_RADOS_RADOS_ENGINE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "store/engine/engine.h"

namespace mailroom::store::rados {

struct RadosOptions {
  std::string conf_file;  // ceph.conf; empty: librados' default search
  std::string pool = "mailroom";
  std::string ns;              // one RADOS namespace per installation
  std::string user = "admin";  // client id (client.<user>)
  // Every RADOS operation (and connecting) gives up after this long with
  // kUnavailable instead of waiting for a lost cluster forever.
  int op_timeout_seconds = 30;
  // A pending transaction older than this may be rolled back by anyone who
  // meets its locks: its committer is presumed dead. Must exceed the time
  // a commit takes by far (tens of milliseconds); the clocks of all nodes
  // must agree to well within it. It is also how long the rows a node held
  // when it died stay locked, so it is short: a live commit rolled back by
  // mistake only retries.
  int txn_timeout_seconds = 3;
  // Testing only: the committer of a multi-object transaction stops right
  // after this step of the commit protocol (1..5, see commit.h), leaving
  // everything as a crash there would; 0 never.
  int testing_stop_after_step = 0;
};

// Connects and checks (or, in an empty namespace, writes) the layout format
// version. kUnavailable when the cluster cannot be reached, kNotFound when
// the pool does not exist, kDataLoss for an unknown format version.
absl::StatusOr<std::unique_ptr<engine::Engine>> OpenRadosEngine(
    const RadosOptions& options);

}  // namespace mailroom::store::rados

#endif  // MAILROOM_STORE_RADOS_RADOS_ENGINE_H_
