#include "store/rocksdb/rocksdb_engine.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rocksdb/options.h"
#include "rocksdb/utilities/transaction.h"
#include "rocksdb/utilities/transaction_db.h"
#include "store/rocksdb/disk_reserve.h"
#include "store/rocksdb/rocks_status.h"
#include "store/rocksdb/rocksdb_backup.h"

namespace mailroom::store::rocksdb_engine {
namespace {

using engine::Space;

// Values at least this large go to blob files.
constexpr uint64_t kMinBlobSize = 4096;

class Handles {
 public:
  explicit Handles(std::vector<rocksdb::ColumnFamilyHandle*> handles)
      : handles_(std::move(handles)) {}
  rocksdb::ColumnFamilyHandle* operator()(Space space) const {
    return handles_[static_cast<int>(space)];
  }
  const std::vector<rocksdb::ColumnFamilyHandle*>& all() const {
    return handles_;
  }

 private:
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

absl::StatusOr<std::optional<std::string>> Found(const rocksdb::Status& s,
                                                 std::string value) {
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s);
  return std::optional<std::string>(std::move(value));
}

// Iterates [begin, end) of an iterator made with `ro` (whose upper bound
// the caller set).
absl::Status RunScan(rocksdb::Iterator* it, std::string_view begin,
                     const engine::ScanFn& fn) {
  for (it->Seek(rocksdb::Slice(begin.data(), begin.size())); it->Valid();
       it->Next()) {
    if (!fn(it->key().ToStringView(), it->value().ToStringView())) break;
  }
  return FromRocks(it->status());
}

absl::StatusOr<std::vector<std::optional<std::string>>> RunMultiGet(
    rocksdb::DB* db, const rocksdb::ReadOptions& ro,
    rocksdb::ColumnFamilyHandle* cf, const std::vector<std::string>& keys) {
  std::vector<std::optional<std::string>> out(keys.size());
  if (keys.empty()) return out;
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db->MultiGet(ro, cf, keys.size(), slices.data(), values.data(),
               statuses.data(), /*sorted_input=*/true);
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    if (!statuses[i].ok()) return FromRocks(statuses[i]);
    out[i] = values[i].ToString();
  }
  return out;
}

// Reads of the DB at a snapshot (nullptr: the newest state).
class DbReader : public engine::Reader {
 public:
  DbReader(rocksdb::TransactionDB* db, const Handles* cf,
           const rocksdb::Snapshot* snapshot)
      : db_(db), cf_(cf), snapshot_(snapshot) {}
  ~DbReader() override {
    if (snapshot_ != nullptr) db_->ReleaseSnapshot(snapshot_);
  }

  absl::StatusOr<std::optional<std::string>> Get(
      Space space, std::string_view key) override {
    std::string value;
    rocksdb::Status s = db_->Get(Options(), (*cf_)(space), key, &value);
    return Found(s, std::move(value));
  }
  absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      Space space, const std::vector<std::string>& keys) override {
    return RunMultiGet(db_, Options(), (*cf_)(space), keys);
  }
  absl::Status Scan(Space space, std::string_view begin, std::string_view end,
                    const engine::ScanFn& fn) override {
    rocksdb::ReadOptions ro = Options();
    rocksdb::Slice upper(end.data(), end.size());
    if (!end.empty()) ro.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, (*cf_)(space)));
    return RunScan(it.get(), begin, fn);
  }

 private:
  rocksdb::ReadOptions Options() const {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot_;
    return ro;
  }

  rocksdb::TransactionDB* db_;
  const Handles* cf_;
  const rocksdb::Snapshot* snapshot_;  // owned; nullptr for the newest state
};

class RocksTransaction : public engine::Transaction {
 public:
  RocksTransaction(const Handles* cf, std::unique_ptr<rocksdb::Transaction> t,
                   const DiskReserve* reserve)
      : cf_(cf), t_(std::move(t)), reserve_(reserve) {}
  ~RocksTransaction() override {
    if (!done_) t_->Rollback().PermitUncheckedError();
  }

  absl::StatusOr<std::optional<std::string>> Get(
      Space space, std::string_view key) override {
    std::string value;
    rocksdb::Status s =
        t_->Get(rocksdb::ReadOptions(), (*cf_)(space), key, &value);
    return Found(s, std::move(value));
  }
  absl::StatusOr<std::optional<std::string>> GetForUpdate(
      Space space, std::string_view key) override {
    std::string value;
    rocksdb::Status s =
        t_->GetForUpdate(rocksdb::ReadOptions(), (*cf_)(space), key, &value);
    return Found(s, std::move(value));
  }
  absl::Status Scan(Space space, std::string_view begin, std::string_view end,
                    const engine::ScanFn& fn) override {
    rocksdb::ReadOptions ro;
    rocksdb::Slice upper(end.data(), end.size());
    if (!end.empty()) ro.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(t_->GetIterator(ro, (*cf_)(space)));
    return RunScan(it.get(), begin, fn);
  }
  absl::Status Put(Space space, std::string_view key,
                   std::string_view value) override {
    return FromRocks(t_->Put((*cf_)(space), key, value));
  }
  absl::Status Delete(Space space, std::string_view key) override {
    return FromRocks(t_->Delete((*cf_)(space), key));
  }
  void SetSavePoint() override { t_->SetSavePoint(); }
  absl::Status RollbackToSavePoint() override {
    return FromRocks(t_->RollbackToSavePoint());
  }
  absl::Status PopSavePoint() override { return FromRocks(t_->PopSavePoint()); }
  absl::Status Commit() override {
    done_ = true;
    // Writes that only delete (expunges, index queue acknowledgements) need
    // a quarter of the reserve: they are how space comes back.
    if (t_->GetNumPuts() + t_->GetNumDeletes() > 0) {
      if (absl::Status room = reserve_->Check(t_->GetNumPuts() == 0);
          !room.ok()) {
        t_->Rollback().PermitUncheckedError();
        return room;
      }
    }
    rocksdb::Status s = t_->Commit();
    if (!s.ok()) t_->Rollback().PermitUncheckedError();
    return FromRocks(s);
  }

 private:
  const Handles* cf_;
  std::unique_ptr<rocksdb::Transaction> t_;
  const DiskReserve* const reserve_;  // the engine's
  bool done_ = false;
};

class RocksDbEngine : public engine::Engine {
 public:
  RocksDbEngine(std::unique_ptr<rocksdb::TransactionDB> db, Handles cf,
                const RocksDbOptions& options)
      : db_(std::move(db)),
        cf_(std::move(cf)),
        reserve_(options.dir, options.min_free_bytes),
        latest_(db_.get(), &cf_, nullptr) {
    const bool sync_writes = options.sync_writes;
    write_options_.sync = sync_writes;
  }
  ~RocksDbEngine() override {
    for (rocksdb::ColumnFamilyHandle* h : cf_.all()) {
      db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    }
  }

  std::string_view Name() const override { return "rocksdb"; }

  absl::StatusOr<std::unique_ptr<engine::Transaction>> Begin(
      bool durable) override {
    rocksdb::WriteOptions wo = write_options_;
    if (!durable) wo.sync = false;
    rocksdb::TransactionOptions txn_options;
    txn_options.deadlock_detect = true;
    std::unique_ptr<rocksdb::Transaction> t(
        db_->BeginTransaction(wo, txn_options));
    return std::unique_ptr<engine::Transaction>(
        new RocksTransaction(&cf_, std::move(t), &reserve_));
  }

  absl::StatusOr<std::unique_ptr<engine::Reader>> Snapshot() override {
    return std::unique_ptr<engine::Reader>(
        new DbReader(db_.get(), &cf_, db_->GetSnapshot()));
  }

  engine::Reader& Latest() override { return latest_; }

  absl::Status WriteUnguarded(const std::vector<engine::Mutation>& writes,
                              bool durable) override {
    rocksdb::WriteBatch batch;
    for (const engine::Mutation& m : writes) {
      rocksdb::Status s = m.value.has_value()
                              ? batch.Put(cf_(m.space), m.key, *m.value)
                              : batch.Delete(cf_(m.space), m.key);
      if (!s.ok()) return FromRocks(s);
    }
    rocksdb::WriteOptions wo = write_options_;
    if (!durable) wo.sync = false;
    return FromRocks(db_->Write(wo, &batch));
  }

  absl::StatusOr<std::string> ReadRange(Space space, std::string_view key,
                                        uint64_t offset,
                                        uint64_t length) override {
    // RocksDB reads a value whole (blob files included); the range is cut
    // here. Pinning avoids one copy of the value.
    rocksdb::PinnableSlice value;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), cf_(space), key, &value);
    if (s.IsNotFound()) return absl::NotFoundError("no such value");
    if (!s.ok()) return FromRocks(s);
    if (offset >= value.size()) return std::string();
    return std::string(value.data() + offset,
                       std::min<uint64_t>(length, value.size() - offset));
  }

  absl::StatusOr<engine::EngineBackup> CreateBackup(
      const std::string& dir, const std::string& metadata,
      const std::function<void(uint64_t, uint64_t)>& progress) override {
    return BackUpRocksDb(*db_, dir, metadata, progress);
  }

 private:
  std::unique_ptr<rocksdb::TransactionDB> db_;
  Handles cf_;
  DiskReserve reserve_;
  rocksdb::WriteOptions write_options_;
  DbReader latest_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<engine::Engine>> OpenRocksDbEngine(
    const RocksDbOptions& options) {
  if (options.dir.empty()) {
    return absl::InvalidArgumentError("store data_dir is empty");
  }
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.IncreaseParallelism(2);

  std::vector<rocksdb::ColumnFamilyDescriptor> wanted;
  for (int i = 0; i < engine::kSpaceCount; ++i) {
    rocksdb::ColumnFamilyOptions cf_options;
    if (static_cast<Space>(i) == Space::kBlobs) {
      cf_options.enable_blob_files = true;
      cf_options.min_blob_size = kMinBlobSize;
      cf_options.enable_blob_garbage_collection = true;
    }
    wanted.emplace_back(engine::SpaceName(static_cast<Space>(i)), cf_options);
  }
  // Open the column families that exist, then create the missing ones in
  // one batch (one manifest write instead of one per family).
  std::vector<std::string> existing;
  rocksdb::Status listed =
      rocksdb::DB::ListColumnFamilies(db_options, options.dir, &existing);
  if (!listed.ok()) existing = {rocksdb::kDefaultColumnFamilyName};
  for (const std::string& name : existing) {
    auto it = std::find_if(wanted.begin(), wanted.end(),
                           [&](const auto& d) { return d.name == name; });
    if (it == wanted.end()) {
      return absl::DataLossError(
          absl::StrCat("the store has an unknown column family: ", name));
    }
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> to_open, to_create;
  std::vector<int> open_index, create_index;
  for (int i = 0; i < engine::kSpaceCount; ++i) {
    bool present = std::find(existing.begin(), existing.end(),
                             wanted[i].name) != existing.end();
    (present ? to_open : to_create).push_back(wanted[i]);
    (present ? open_index : create_index).push_back(i);
  }
  rocksdb::TransactionDBOptions txn_db_options;
  txn_db_options.transaction_lock_timeout = 2000;  // ms
  rocksdb::TransactionDB* raw_db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> opened;
  rocksdb::Status s = rocksdb::TransactionDB::Open(
      db_options, txn_db_options, options.dir, to_open, &opened, &raw_db);
  if (!s.ok()) {
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
      return absl::FailedPreconditionError(
          absl::StrCat("store is in use by another process: ", s.ToString()));
    }
    return FromRocks(s);
  }
  std::unique_ptr<rocksdb::TransactionDB> db(raw_db);
  std::vector<rocksdb::ColumnFamilyHandle*> created;
  if (!to_create.empty()) {
    s = db->CreateColumnFamilies(to_create, &created);
    if (!s.ok()) {
      for (auto* h : opened) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
      for (auto* h : created) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
      return FromRocks(s);
    }
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles(engine::kSpaceCount);
  for (size_t i = 0; i < opened.size(); ++i) handles[open_index[i]] = opened[i];
  for (size_t i = 0; i < created.size(); ++i) {
    handles[create_index[i]] = created[i];
  }
  return std::unique_ptr<engine::Engine>(new RocksDbEngine(
      std::move(db), Handles(std::move(handles)), options));
}

}  // namespace mailroom::store::rocksdb_engine
