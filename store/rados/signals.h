// Broadcast and Subscribe (engine.h) over RADOS watch/notify: a channel is
// the object chan.<channel>; a subscriber watches it, Broadcast notifies
// it. Best effort, as engine.h allows: a notify is not retried, and a
// watch broken by a cluster failure is re-established in the background
// (signals sent meanwhile are lost; sessions pull at their next command).
//
// Thread-safety: thread-safe.
#ifndef MAILROOM_STORE_RADOS_SIGNALS_H_
#define MAILROOM_STORE_RADOS_SIGNALS_H_

#include <functional>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "store/engine/engine.h"
#include "store/rados/rados_io.h"

namespace mailroom::store::rados {

class Signals {
 public:
  explicit Signals(RadosIo* io) : io_(io) {}

  // Starts the notify and returns: the committer that calls this must not
  // wait for slow or dead watchers.
  absl::Status Broadcast(std::string_view channel, std::string_view payload);
  // fn runs on a librados thread. REQUIRES: the subscription is destroyed
  // before the engine.
  absl::StatusOr<std::unique_ptr<engine::Subscription>> Subscribe(
      std::string_view channel, std::function<void(std::string_view)> fn);

 private:
  RadosIo* const io_;
};

}  // namespace mailroom::store::rados

#endif  // MAILROOM_STORE_RADOS_SIGNALS_H_
