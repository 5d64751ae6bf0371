// The engine object: readers, unguarded writes, byte ranges, and opening
// (connection and layout format check).
#include <cerrno>
#include <chrono>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "store/rados/core.h"
#include "store/rados/layout.h"
#include "store/rados/rados_engine.h"
#include "store/rados/rados_status.h"
#include "store/rados/reads.h"
#include "store/rados/scan.h"
#include "store/rados/transaction.h"

namespace mailroom::store::rados {

using engine::Space;

namespace {

// Latest() (pinned = false, shared by every thread) or a Snapshot()
// (pinned = true, one thread at a time).
class RadosReader : public engine::Reader {
 public:
  RadosReader(EngineCore* core, bool pinned)
      : core_(core),
        own_reader_(pinned ? std::make_unique<ObjectReader>(
                                 core->io.get(), &core->resolver, true)
                           : nullptr),
        reader_(pinned ? *own_reader_ : core->latest_reader) {}

  absl::StatusOr<std::optional<std::string>> Get(
      Space space, std::string_view key) override {
    return GetRow(reader_, core_->blobs, space, key, nullptr);
  }
  absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      Space space, const std::vector<std::string>& keys) override {
    return GetRows(reader_, core_->blobs, space, keys, nullptr);
  }
  absl::Status Scan(Space space, std::string_view begin, std::string_view end,
                    const engine::ScanFn& fn) override {
    return ScanSpace(reader_, core_->blobs, space, begin, end, fn);
  }

 private:
  EngineCore* const core_;
  const std::unique_ptr<ObjectReader> own_reader_;
  ObjectReader& reader_;
};

class RadosEngine : public engine::Engine {
 public:
  explicit RadosEngine(std::unique_ptr<EngineCore> core)
      : core_(std::move(core)), latest_(core_.get(), /*pinned=*/false) {}

  std::string_view Name() const override { return "rados"; }

  // RADOS acknowledges only what all replicas hold: every commit is
  // durable, so `durable` changes nothing.
  absl::StatusOr<std::unique_ptr<engine::Transaction>> Begin(
      bool durable) override {
    return std::unique_ptr<engine::Transaction>(
        new RadosTransaction(core_.get()));
  }

  absl::StatusOr<std::unique_ptr<engine::Reader>> Snapshot() override {
    return std::unique_ptr<engine::Reader>(
        new RadosReader(core_.get(), /*pinned=*/true));
  }

  engine::Reader& Latest() override { return latest_; }

  absl::Status WriteUnguarded(const std::vector<engine::Mutation>& writes,
                              bool durable) override {
    // A transaction without guards: it conflicts only with a lock another
    // transaction holds on one of these rows, briefly; retry that here.
    absl::Status status;
    for (int attempt = 0; attempt < 20; ++attempt) {
      if (attempt > 0) {
        std::this_thread::sleep_for(
            std::chrono::milliseconds(std::min(1 << attempt, 100)));
      }
      RadosTransaction txn(core_.get());
      for (const engine::Mutation& m : writes) {
        MR_RETURN_IF_ERROR(m.value.has_value()
                               ? txn.Put(m.space, m.key, *m.value)
                               : txn.Delete(m.space, m.key));
      }
      status = txn.Commit();
      if (status.code() != absl::StatusCode::kAborted) return status;
    }
    return status;
  }

  // Every node of an installation opens the same namespace.
  bool Shared() const override { return true; }

  absl::Status Broadcast(std::string_view channel,
                         std::string_view payload) override {
    return core_->signals.Broadcast(channel, payload);
  }

  absl::StatusOr<std::unique_ptr<engine::Subscription>> Subscribe(
      std::string_view channel,
      std::function<void(std::string_view)> fn) override {
    return core_->signals.Subscribe(channel, std::move(fn));
  }

  absl::StatusOr<std::unique_ptr<engine::EngineLease>> AcquireLease(
      std::string_view name, int ttl_seconds) override {
    return core_->leases.Acquire(name, ttl_seconds);
  }

  absl::StatusOr<std::string> ReadRange(Space space, std::string_view key,
                                        uint64_t offset,
                                        uint64_t length) override {
    std::optional<std::string> value;
    if (space == Space::kBlobs) {
      // Only the range travels.
      MR_ASSIGN_OR_RETURN(
          value, core_->blobs.Read(core_->latest_reader, key, offset, length));
    } else {
      MR_ASSIGN_OR_RETURN(value, latest_.Get(space, key));
      if (value.has_value()) {
        *value = offset >= value->size() ? std::string()
                                         : value->substr(offset, length);
      }
    }
    if (!value.has_value()) {
      return absl::NotFoundError(
          absl::StrCat("no such key in ", engine::SpaceName(space)));
    }
    return *std::move(value);
  }

 private:
  std::unique_ptr<EngineCore> core_;
  RadosReader latest_;
};

// Writes the layout format version into an empty namespace, or checks the
// one there.
absl::Status CheckFormat(RadosIo& io) {
  const std::string object(kFormatObject);
  const std::string ours = absl::StrCat(kLayoutVersion);
  for (int attempt = 0; attempt < 3; ++attempt) {
    librados::ObjectReadOperation read;
    librados::bufferlist bl;
    read.read(0, 0, &bl, nullptr);
    RadosIo::Result r = io.Read(object, &read);
    if (r.rc >= 0) {
      if (bl.to_str() == ours) return absl::OkStatus();
      return absl::DataLossError(
          absl::StrCat("rados: the namespace holds layout format version '",
                       bl.to_str(), "'; this build knows version ", ours));
    }
    if (r.rc != -ENOENT) return FromRados(r.rc, "read the format version");
    librados::ObjectWriteOperation create;
    create.create(true);
    create.write_full(ToBufferlist(ours));
    RadosIo::Result w = io.Write(object, &create);
    if (w.rc >= 0) return absl::OkStatus();
    if (w.rc != -EEXIST) return FromRados(w.rc, "write the format version");
    // Another node created it first: read what it wrote.
  }
  return absl::UnavailableError("rados: could not settle the format version");
}

}  // namespace

absl::StatusOr<std::unique_ptr<engine::Engine>> OpenRadosEngine(
    const RadosOptions& options) {
  if (options.op_timeout_seconds <= 0 || options.txn_timeout_seconds <= 0) {
    return absl::InvalidArgumentError("rados: timeouts must be positive");
  }
  ConnectOptions connect;
  connect.conf_file = options.conf_file;
  connect.pool = options.pool;
  connect.ns = options.ns;
  connect.user = options.user;
  connect.op_timeout_seconds = options.op_timeout_seconds;
  MR_ASSIGN_OR_RETURN(std::unique_ptr<RadosIo> io, RadosIo::Connect(connect));
  MR_RETURN_IF_ERROR(CheckFormat(*io));
  auto core = std::make_unique<EngineCore>(std::move(io), options);
  return std::unique_ptr<engine::Engine>(new RadosEngine(std::move(core)));
}

}  // namespace mailroom::store::rados
