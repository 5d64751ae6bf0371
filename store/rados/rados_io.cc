#include "store/rados/rados_io.h"

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "store/rados/rados_status.h"

namespace mailroom::store::rados {

namespace {

RadosIo::Result WaitFor(librados::AioCompletion* c, int submit_rc) {
  RadosIo::Result result;
  if (submit_rc < 0) {
    result.rc = submit_rc;
  } else {
    c->wait_for_complete();
    result.rc = c->get_return_value();
    result.version = c->get_version64();
  }
  c->release();
  return result;
}

}  // namespace

librados::bufferlist ToBufferlist(std::string_view s) {
  librados::bufferlist bl;
  bl.append(s.data(), s.size());
  return bl;
}

absl::StatusOr<std::unique_ptr<RadosIo>> RadosIo::Connect(
    const ConnectOptions& options) {
  std::unique_ptr<RadosIo> io(new RadosIo());
  int rc = io->cluster_.init(options.user.c_str());
  if (rc < 0) return FromRados(rc, "init");
  rc = io->cluster_.conf_read_file(
      options.conf_file.empty() ? nullptr : options.conf_file.c_str());
  if (rc < 0) {
    return absl::FailedPreconditionError(
        options.conf_file.empty()
            ? std::string("rados: no ceph.conf named (conf_file) and none in "
                          "librados' default places")
            : absl::StrCat("rados: cannot read the configuration '",
                           options.conf_file, "': error ", -rc));
  }
  // Bounded waits everywhere: a lost cluster must surface as kUnavailable,
  // not hang a session forever.
  const std::string timeout = absl::StrCat(options.op_timeout_seconds);
  for (const char* option : {"rados_osd_op_timeout", "rados_mon_op_timeout",
                             "client_mount_timeout"}) {
    rc = io->cluster_.conf_set(option, timeout.c_str());
    if (rc < 0) return FromRados(rc, absl::StrCat("conf_set ", option));
  }
  rc = io->cluster_.connect();
  if (rc < 0) {
    // Whatever the reason (no monitor, bad key), the store is unreachable.
    return absl::UnavailableError(
        absl::StrCat("rados: cannot connect to the cluster as client.",
                     options.user, ": error ", -rc));
  }
  io->connected_ = true;
  rc = io->cluster_.ioctx_create(options.pool.c_str(), io->ioctx_);
  if (rc == -ENOENT) {
    return absl::NotFoundError(
        absl::StrCat("rados: no pool named '", options.pool, "'"));
  }
  if (rc < 0) return FromRados(rc, absl::StrCat("open pool ", options.pool));
  io->ioctx_.set_namespace(options.ns);
  return io;
}

RadosIo::~RadosIo() {
  {
    internal::MutexLock lock(&mu_);
    for (BackgroundOp& op : background_) {
      op.completion->wait_for_complete();
      op.completion->release();
    }
    background_.clear();
  }
  ioctx_.close();
  if (connected_) cluster_.shutdown();
}

RadosIo::Result RadosIo::Write(const std::string& object,
                               librados::ObjectWriteOperation* op) {
  librados::AioCompletion* c = librados::Rados::aio_create_completion();
  int rc = ioctx_.aio_operate(object, c, op);
  return WaitFor(c, rc);
}

RadosIo::Result RadosIo::Read(const std::string& object,
                              librados::ObjectReadOperation* op) {
  librados::AioCompletion* c = librados::Rados::aio_create_completion();
  int rc = ioctx_.aio_operate(object, c, op, nullptr);
  return WaitFor(c, rc);
}

void RadosIo::Background(const std::string& object,
                         std::unique_ptr<librados::ObjectWriteOperation> op) {
  librados::AioCompletion* c = librados::Rados::aio_create_completion();
  if (ioctx_.aio_operate(object, c, op.get()) < 0) {
    c->release();
    return;
  }
  AddBackground(BackgroundOp{c, std::move(op), nullptr, nullptr});
}

void RadosIo::BackgroundNotify(const std::string& object,
                               std::string_view payload, uint64_t timeout_ms) {
  auto bl = std::make_unique<librados::bufferlist>(ToBufferlist(payload));
  auto reply = std::make_unique<librados::bufferlist>();
  librados::AioCompletion* c = librados::Rados::aio_create_completion();
  if (ioctx_.aio_notify(object, c, *bl, timeout_ms, reply.get()) < 0) {
    c->release();
    return;
  }
  AddBackground(BackgroundOp{c, nullptr, std::move(bl), std::move(reply)});
}

void RadosIo::AddBackground(BackgroundOp op) {
  internal::MutexLock lock(&mu_);
  ReapBackground();
  background_.push_back(std::move(op));
}

void RadosIo::ReapBackground() {
  size_t kept = 0;
  for (BackgroundOp& op : background_) {
    if (op.completion->is_complete()) {
      op.completion->release();
      op = BackgroundOp{};
    } else {
      background_[kept++] = std::move(op);
    }
  }
  background_.resize(kept);
}

RadosIo::Batch::~Batch() {
  if (!pending_.empty()) Wait();
}

size_t RadosIo::Batch::Write(
    const std::string& object,
    std::unique_ptr<librados::ObjectWriteOperation> op) {
  Pending p;
  p.completion = librados::Rados::aio_create_completion();
  p.submit_rc = io_->ioctx_.aio_operate(object, p.completion, op.get());
  p.write = std::move(op);
  pending_.push_back(std::move(p));
  return pending_.size() - 1;
}

size_t RadosIo::Batch::Read(const std::string& object,
                            std::unique_ptr<librados::ObjectReadOperation> op) {
  Pending p;
  p.completion = librados::Rados::aio_create_completion();
  p.submit_rc =
      io_->ioctx_.aio_operate(object, p.completion, op.get(), nullptr);
  p.read = std::move(op);
  pending_.push_back(std::move(p));
  return pending_.size() - 1;
}

std::vector<RadosIo::Result> RadosIo::Batch::Wait() {
  std::vector<Result> results;
  results.reserve(pending_.size());
  for (Pending& p : pending_) {
    results.push_back(WaitFor(p.completion, p.submit_rc));
  }
  pending_.clear();
  return results;
}

}  // namespace mailroom::store::rados
