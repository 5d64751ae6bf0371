#include "store/rados/signals.h"

#include <chrono>
#include <string>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "store/internal/sync.h"
#include "store/rados/layout.h"
#include "store/rados/rados_status.h"

namespace mailroom::store::rados {

namespace {

// How long a notify waits for the watchers' acknowledgements.
constexpr uint64_t kNotifyTimeoutMs = 5000;

// One watch on a channel object, and a thread that renews it when librados
// reports it broken.
class Watch : public engine::Subscription, public librados::WatchCtx2 {
 public:
  Watch(RadosIo* io, std::string object,
        std::function<void(std::string_view)> fn)
      : io_(io), object_(std::move(object)), fn_(std::move(fn)) {}

  ~Watch() override {
    {
      internal::MutexLock lock(&mu_);
      stop_ = true;
    }
    changed_.SignalAll();
    if (keeper_.joinable()) keeper_.join();
    uint64_t handle = 0;
    {
      internal::MutexLock lock(&mu_);
      handle = handle_;
      handle_ = 0;
    }
    if (handle != 0) io_->ioctx().unwatch2(handle);
    // No callback of this watch runs after the destructor.
    io_->cluster().watch_flush();
  }

  absl::Status Start() {
    // The channel object must exist to be watched.
    librados::ObjectWriteOperation create;
    create.create(false);
    RadosIo::Result r = io_->Write(object_, &create);
    if (r.rc < 0) return FromRados(r.rc, absl::StrCat("create ", object_));
    uint64_t handle = 0;
    int rc = io_->ioctx().watch2(object_, &handle, this);
    if (rc < 0) return FromRados(rc, absl::StrCat("watch ", object_));
    {
      internal::MutexLock lock(&mu_);
      handle_ = handle;
    }
    keeper_ = std::thread([this] { Keep(); });
    return absl::OkStatus();
  }

  void handle_notify(uint64_t notify_id, uint64_t cookie, uint64_t notifier_id,
                     librados::bufferlist& bl) override {
    std::string payload = bl.to_str();
    fn_(payload);
    librados::bufferlist reply;
    io_->ioctx().notify_ack(object_, notify_id, cookie, reply);
  }

  void handle_error(uint64_t cookie, int err) override {
    {
      internal::MutexLock lock(&mu_);
      broken_ = true;
    }
    changed_.SignalAll();
  }

 private:
  // Re-watches after an error, retrying until it works or the watch ends.
  void Keep() {
    while (true) {
      uint64_t old_handle = 0;
      {
        internal::MutexLock lock(&mu_);
        changed_.WaitFor(&mu_, std::chrono::seconds(60),
                         [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
                           return stop_ || broken_;
                         });
        if (stop_) return;
        if (!broken_) continue;
        broken_ = false;
        old_handle = handle_;
        handle_ = 0;
      }
      if (old_handle != 0) io_->ioctx().unwatch2(old_handle);
      uint64_t handle = 0;
      while (io_->ioctx().watch2(object_, &handle, this) < 0) {
        internal::MutexLock lock(&mu_);
        changed_.WaitFor(
            &mu_, std::chrono::seconds(1),
            [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; });
        if (stop_) return;
      }
      internal::MutexLock lock(&mu_);
      handle_ = handle;
      if (stop_) return;  // the destructor unwatches it
    }
  }

  RadosIo* const io_;
  const std::string object_;
  const std::function<void(std::string_view)> fn_;
  internal::Mutex mu_;
  internal::CondVar changed_;
  uint64_t handle_ ABSL_GUARDED_BY(mu_) = 0;
  bool broken_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread keeper_;
};

}  // namespace

absl::Status Signals::Broadcast(std::string_view channel,
                                std::string_view payload) {
  io_->BackgroundNotify(ChannelObject(channel), payload, kNotifyTimeoutMs);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<engine::Subscription>> Signals::Subscribe(
    std::string_view channel, std::function<void(std::string_view)> fn) {
  auto watch =
      std::make_unique<Watch>(io_, ChannelObject(channel), std::move(fn));
  absl::Status started = watch->Start();
  if (!started.ok()) return started;
  return std::unique_ptr<engine::Subscription>(std::move(watch));
}

}  // namespace mailroom::store::rados
