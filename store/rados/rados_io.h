// The engine's one door to librados: a connected cluster handle and an
// IoCtx on the installation's pool and namespace, and helpers that run
// operations through AIO completions (so each result carries its own object
// version, which IoCtx::get_last_version cannot give a multi-threaded
// caller), one at a time, several in parallel, or in the background.
//
// Thread-safety: thread-safe. librados' IoCtx operations may be issued from
// any thread; the only state of this class is the list of background
// operations, guarded by mu_. A Batch is used by one thread.
#ifndef MAILROOM_STORE_RADOS_RADOS_IO_H_
#define MAILROOM_STORE_RADOS_RADOS_IO_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rados/librados.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "store/internal/sync.h"

namespace mailroom::store::rados {

struct ConnectOptions {
  std::string conf_file;  // empty: librados' default search
  std::string pool;
  std::string ns;
  std::string user;  // client id, without "client."
  int op_timeout_seconds = 30;
};

class RadosIo {
 public:
  // kUnavailable when the cluster cannot be reached within the timeout,
  // kNotFound when the pool does not exist.
  static absl::StatusOr<std::unique_ptr<RadosIo>> Connect(
      const ConnectOptions& options);
  // Waits for the background operations, then disconnects.
  ~RadosIo();

  RadosIo(const RadosIo&) = delete;
  RadosIo& operator=(const RadosIo&) = delete;

  struct Result {
    int rc = 0;            // 0 or a negative errno
    uint64_t version = 0;  // the object's version after (or as read by) the op
  };

  Result Write(const std::string& object, librados::ObjectWriteOperation* op);
  Result Read(const std::string& object, librados::ObjectReadOperation* op);

  // Several operations on (usually) different objects in flight at once.
  // The batch owns the operations; the output buffers a read op fills are
  // the caller's and must live until Wait returns.
  class Batch {
   public:
    explicit Batch(RadosIo* io) : io_(io) {}
    ~Batch();  // waits for what was started and not waited for
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;

    // Starts the operation at once; returns its index in Wait's result.
    size_t Write(const std::string& object,
                 std::unique_ptr<librados::ObjectWriteOperation> op);
    size_t Read(const std::string& object,
                std::unique_ptr<librados::ObjectReadOperation> op);
    // The results, in the order the operations were started. The batch is
    // empty afterwards and may be reused.
    std::vector<Result> Wait();
    size_t size() const { return pending_.size(); }

   private:
    struct Pending {
      librados::AioCompletion* completion = nullptr;
      std::unique_ptr<librados::ObjectWriteOperation> write;
      std::unique_ptr<librados::ObjectReadOperation> read;
      int submit_rc = 0;
    };
    RadosIo* io_;
    std::vector<Pending> pending_;
  };

  // Starts `op` and forgets it: for clean-up whose failure is harmless
  // (a transaction record left behind is finished by a later reader).
  void Background(const std::string& object,
                  std::unique_ptr<librados::ObjectWriteOperation> op);
  // Starts a notify of `object`'s watchers and forgets it (best effort:
  // a watcher that died would hold a waiting caller for `timeout_ms`).
  void BackgroundNotify(const std::string& object, std::string_view payload,
                        uint64_t timeout_ms);

  // For watch/notify and cls_lock, which have no operation form.
  librados::IoCtx& ioctx() { return ioctx_; }
  librados::Rados& cluster() { return cluster_; }

 private:
  RadosIo() = default;
  void ReapBackground() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  librados::Rados cluster_;
  librados::IoCtx ioctx_;
  bool connected_ = false;

  struct BackgroundOp {
    librados::AioCompletion* completion;
    std::unique_ptr<librados::ObjectWriteOperation> op;
    // A notify's payload and reply, alive until it completes.
    std::unique_ptr<librados::bufferlist> payload, reply;
  };
  void AddBackground(BackgroundOp op);
  internal::Mutex mu_;
  std::vector<BackgroundOp> background_ ABSL_GUARDED_BY(mu_);
};

// bufferlist helpers (copying).
librados::bufferlist ToBufferlist(std::string_view s);

}  // namespace mailroom::store::rados

#endif  // MAILROOM_STORE_RADOS_RADOS_IO_H_
