#include "store/internal/store_impl.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "mime/message.h"
#include "rocksdb/options.h"
#include "store/internal/names.h"
#include "store/internal/rights.h"
#include "store/internal/rocks_status.h"

namespace mailroom::store::internal {
namespace {

constexpr int kMaxTxnAttempts = 20;
// Values at least this large go to blob files.
constexpr uint64_t kMinBlobSize = 4096;

}  // namespace

StoreImpl::StoreImpl(const StoreOptions& options)
    : options_(options),
      notifier_(std::make_shared<Notifier>()),
      leases_(std::make_shared<MaildropLeases>()) {
  write_options_.sync = options.sync_writes;
}

absl::StatusOr<std::unique_ptr<StoreImpl>> StoreImpl::Open(
    const StoreOptions& options) {
  if (options.data_dir.empty()) {
    return absl::InvalidArgumentError("store data_dir is empty");
  }
  std::unique_ptr<StoreImpl> store(new StoreImpl(options));

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.IncreaseParallelism(2);

  std::vector<rocksdb::ColumnFamilyDescriptor> wanted;
  for (int i = 0; i < kNumCfs; ++i) {
    rocksdb::ColumnFamilyOptions cf_options;
    if (i == kBlobsCf) {
      cf_options.enable_blob_files = true;
      cf_options.min_blob_size = kMinBlobSize;
      cf_options.enable_blob_garbage_collection = true;
    }
    wanted.emplace_back(CfName(static_cast<Cf>(i)), cf_options);
  }
  // Open the column families that exist, then create the missing ones in
  // one batch (one manifest write instead of one per family).
  std::vector<std::string> existing;
  rocksdb::Status listed =
      rocksdb::DB::ListColumnFamilies(db_options, options.data_dir, &existing);
  if (!listed.ok()) existing = {rocksdb::kDefaultColumnFamilyName};
  std::vector<rocksdb::ColumnFamilyDescriptor> to_open, to_create;
  std::vector<int> open_index, create_index;
  for (const std::string& name : existing) {
    auto it = std::find_if(wanted.begin(), wanted.end(),
                           [&](const auto& d) { return d.name == name; });
    if (it == wanted.end()) {
      return absl::DataLossError(
          absl::StrCat("the store has an unknown column family: ", name));
    }
  }
  for (int i = 0; i < kNumCfs; ++i) {
    bool present = std::find(existing.begin(), existing.end(),
                             wanted[i].name) != existing.end();
    (present ? to_open : to_create).push_back(wanted[i]);
    (present ? open_index : create_index).push_back(i);
  }
  rocksdb::TransactionDBOptions txn_db_options;
  txn_db_options.transaction_lock_timeout = 2000;  // ms
  rocksdb::TransactionDB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> opened;
  rocksdb::Status s = rocksdb::TransactionDB::Open(
      db_options, txn_db_options, options.data_dir, to_open, &opened, &db);
  if (!s.ok()) {
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
      return absl::FailedPreconditionError(
          absl::StrCat("store is in use by another process: ", s.ToString()));
    }
    return FromRocks(s);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> created;
  if (!to_create.empty()) {
    s = db->CreateColumnFamilies(to_create, &created);
    if (!s.ok()) {
      for (auto* h : opened) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
      for (auto* h : created) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
      delete db;
      return FromRocks(s);
    }
  }
  store->handles_.assign(kNumCfs, nullptr);
  for (size_t i = 0; i < opened.size(); ++i) {
    store->handles_[open_index[i]] = opened[i];
  }
  for (size_t i = 0; i < created.size(); ++i) {
    store->handles_[create_index[i]] = created[i];
  }
  store->db_.reset(db);

  // Format version: written on first open, refused when unknown.
  absl::StatusOr<std::optional<std::string>> version =
      store->Get(kDefaultCf, kFormatVersionKey);
  if (!version.ok()) return version.status();
  if (!version->has_value()) {
    std::string v;
    AppendU32(&v, kFormatVersion);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    MR_RETURN_IF_ERROR(FromRocks(store->db_->Put(
        wo, store->cf(kDefaultCf), std::string(kFormatVersionKey), v)));
  } else if ((*version)->size() != 4 || ReadU32(**version) != kFormatVersion) {
    return absl::DataLossError(
        "the store has an unknown on-disk format version");
  }

  // Index queue sequence numbers continue after the last queued item.
  std::unique_ptr<rocksdb::Iterator> it(
      store->db_->NewIterator(rocksdb::ReadOptions(), store->cf(kIndexQueueCf)));
  it->SeekToLast();
  if (it->Valid() && it->key().size() == 8) {
    store->next_index_seq_ = ReadU64(it->key().ToStringView()) + 1;
  }
  MR_RETURN_IF_ERROR(FromRocks(it->status()));
  it.reset();

  store->StartIndexer();
  return store;
}

StoreImpl::~StoreImpl() {
  StopIndexer();
  if (db_ != nullptr) {
    for (rocksdb::ColumnFamilyHandle* h : handles_) {
      db_->DestroyColumnFamilyHandle(h);
    }
    db_.reset();
  }
}

absl::Status StoreImpl::RunTxn(const std::function<absl::Status(Txn&)>& fn,
                               bool durable) {
  rocksdb::WriteOptions write_options = write_options_;
  if (!durable) write_options.sync = false;
  rocksdb::TransactionOptions txn_options;
  txn_options.deadlock_detect = true;
  absl::Status last;
  for (int attempt = 0; attempt < kMaxTxnAttempts; ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(
          200 * (1 << std::min(attempt, 6)) + (attempt * 37) % 500));
    }
    Txn txn;
    std::unique_ptr<rocksdb::Transaction> t(
        db_->BeginTransaction(write_options, txn_options));
    txn.t = t.get();
    absl::Status s = fn(txn);
    if (s.ok()) {
      rocksdb::Status c = t->Commit();
      if (c.ok()) {
        t.reset();
        notifier_->Publish(txn.events);
        if (txn.queued_index_work) WakeIndexer();
        return absl::OkStatus();
      }
      s = FromRocks(c);
    } else {
      t->Rollback().PermitUncheckedError();
    }
    if (s.code() != absl::StatusCode::kAborted) return s;
    last = s;
  }
  return absl::AbortedError(
      absl::StrCat("transaction conflict persisted; retry: ", last.message()));
}

absl::StatusOr<std::optional<std::string>> StoreImpl::Get(
    Cf c, std::string_view key, Txn* txn, bool for_update,
    const rocksdb::Snapshot* snapshot) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::string value;
  rocksdb::Status s;
  if (txn != nullptr) {
    s = for_update ? txn->t->GetForUpdate(ro, cf(c), key, &value)
                   : txn->t->Get(ro, cf(c), key, &value);
  } else {
    s = db_->Get(ro, cf(c), key, &value);
  }
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s);
  return std::optional<std::string>(std::move(value));
}

absl::Status StoreImpl::Put(Txn& txn, Cf c, std::string_view key,
                            std::string_view value) {
  return FromRocks(txn.t->Put(cf(c), key, value));
}

absl::Status StoreImpl::Delete(Txn& txn, Cf c, std::string_view key) {
  return FromRocks(txn.t->Delete(cf(c), key));
}

absl::Status StoreImpl::DeletePrefix(Txn& txn, Cf c, std::string_view prefix) {
  std::vector<std::string> keys;
  MR_RETURN_IF_ERROR(ScanPrefix(
      c, prefix,
      [&](std::string_view key, std::string_view) {
        keys.emplace_back(key);
        return true;
      },
      &txn));
  for (const std::string& key : keys) MR_RETURN_IF_ERROR(Delete(txn, c, key));
  return absl::OkStatus();
}

absl::Status StoreImpl::Scan(
    Cf c, std::string_view begin, std::string_view end,
    const std::function<bool(std::string_view, std::string_view)>& fn,
    Txn* txn, const rocksdb::Snapshot* snapshot) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  rocksdb::Slice upper(end.data(), end.size());
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(
      txn != nullptr ? txn->t->GetIterator(ro, cf(c))
                     : db_->NewIterator(ro, cf(c)));
  for (it->Seek(rocksdb::Slice(begin.data(), begin.size())); it->Valid();
       it->Next()) {
    if (!fn(it->key().ToStringView(), it->value().ToStringView())) break;
  }
  return FromRocks(it->status());
}

absl::Status StoreImpl::ScanPrefix(
    Cf c, std::string_view prefix,
    const std::function<bool(std::string_view, std::string_view)>& fn,
    Txn* txn, const rocksdb::Snapshot* snapshot) {
  return Scan(c, prefix, PrefixEnd(prefix), fn, txn, snapshot);
}

absl::Status StoreImpl::ForEachMessage(
    MailboxId mailbox, const std::function<void(Uid, MessageRecord)>& fn,
    Txn* txn, const rocksdb::Snapshot* snapshot) {
  absl::Status decode_status;
  MR_RETURN_IF_ERROR(ScanPrefix(
      kMessagesCf, MailboxIdKey(mailbox),
      [&](std::string_view key, std::string_view value) {
        MailboxId id;
        Uid uid;
        MessageRecord record;
        if (!ParseMessageKey(key, &id, &uid) || !Decode(value, &record)) {
          decode_status = absl::DataLossError("undecodable message record");
          return false;
        }
        fn(uid, std::move(record));
        return true;
      },
      txn, snapshot));
  return decode_status;
}

// ---- rights ------------------------------------------------------------

std::vector<std::string> StoreImpl::GroupsOf(std::string_view user) {
  std::vector<std::string> groups;
  ScanPrefix(kGroupsCf, "", [&](std::string_view key, std::string_view value) {
    std::vector<std::string> members;
    if (DecodeStringList(value, &members) &&
        std::find(members.begin(), members.end(), user) != members.end()) {
      groups.emplace_back(key);
    }
    return true;
  }).IgnoreError();
  return groups;
}

absl::StatusOr<std::string> StoreImpl::RightsOf(const Principal& who,
                                                MailboxId id,
                                                const MailboxRecord& record,
                                                Txn* txn) {
  if (who.admin || record.owner == who.user) return std::string(kAllRights);
  std::string granted, denied;
  std::optional<std::vector<std::string>> groups;
  absl::Status scan = ScanPrefix(
      kAclCf, AclPrefix(id),
      [&](std::string_view key, std::string_view rights) {
        std::string_view identifier = key.substr(9);
        bool negative = !identifier.empty() && identifier[0] == '-';
        if (negative) identifier.remove_prefix(1);
        bool applies = identifier == who.user || identifier == "anyone" ||
                       identifier == "authenticated";
        if (!applies && !identifier.empty() && identifier[0] == '$') {
          if (!groups.has_value()) groups = GroupsOf(who.user);
          applies = std::find(groups->begin(), groups->end(),
                              identifier.substr(1)) != groups->end();
        }
        if (applies) {
          std::string& target = negative ? denied : granted;
          target = UnionRights(target, rights);
        }
        return true;
      },
      txn);
  MR_RETURN_IF_ERROR(scan);
  return SubtractRights(granted, denied);
}

absl::StatusOr<std::string> StoreImpl::AnyoneRights(MailboxId id, Txn* txn) {
  MR_ASSIGN_OR_RETURN(
      std::optional<std::string> granted,
      Get(kAclCf, AclKey(id, "anyone"), txn));
  MR_ASSIGN_OR_RETURN(
      std::optional<std::string> denied,
      Get(kAclCf, AclKey(id, "-anyone"), txn));
  return SubtractRights(granted.value_or(""), denied.value_or(""));
}

absl::StatusOr<StoreImpl::Resolved> StoreImpl::ResolveId(
    const Principal& who, MailboxId id, Txn* txn,
    std::string_view also_visible) {
  MR_ASSIGN_OR_RETURN(std::optional<MailboxRecord> record,
                      GetRecord<MailboxRecord>(kMailboxesCf, MailboxIdKey(id),
                                               txn));
  if (!record.has_value()) return absl::NotFoundError("no such mailbox");
  MR_ASSIGN_OR_RETURN(std::string rights, RightsOf(who, id, *record, txn));
  bool visible = HasRight(rights, 'l') || HasRight(rights, 'r');
  for (char right : also_visible) visible = visible || HasRight(rights, right);
  if (!visible) {
    return absl::NotFoundError("no such mailbox");
  }
  return Resolved{id, *std::move(record), std::move(rights)};
}

absl::StatusOr<StoreImpl::Resolved> StoreImpl::ResolveName(
    const Principal& who, std::string_view name, Txn* txn,
    std::string_view also_visible) {
  absl::StatusOr<OwnedName> owned = ResolveVisibleName(who.user, name);
  if (!owned.ok()) {
    if (owned.status().code() == absl::StatusCode::kInvalidArgument) {
      return owned.status();
    }
    return absl::NotFoundError("no such mailbox");
  }
  MR_ASSIGN_OR_RETURN(
      std::optional<std::string> id,
      Get(kMailboxNamesCf, MailboxNameKey(owned->owner, owned->name), txn));
  if (!id.has_value() || id->size() != 8) {
    return absl::NotFoundError("no such mailbox");
  }
  return ResolveId(who, ReadU64(*id), txn, also_visible);
}

absl::Status StoreImpl::Require(const Resolved& mailbox, char right) {
  if (HasRight(mailbox.rights, right)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("missing right '", std::string(1, right), "'"));
}

// ---- state, quota, blobs -------------------------------------------------

absl::StatusOr<MailboxState> StoreImpl::LockState(Txn& txn, MailboxId id) {
  MR_ASSIGN_OR_RETURN(std::optional<MailboxState> state,
                      GetRecord<MailboxState>(kMailboxStateCf,
                                              MailboxIdKey(id), &txn, true));
  if (!state.has_value()) return absl::NotFoundError("no such mailbox");
  return *state;
}

absl::Status StoreImpl::PutState(Txn& txn, MailboxId id,
                                 const MailboxState& state) {
  return Put(txn, kMailboxStateCf, MailboxIdKey(id), Encode(state));
}

absl::StatusOr<QuotaRecord> StoreImpl::LockQuota(Txn& txn,
                                                 std::string_view owner) {
  MR_ASSIGN_OR_RETURN(
      std::optional<QuotaRecord> q,
      GetRecord<QuotaRecord>(kQuotaCf, owner, &txn, /*for_update=*/true));
  return q.value_or(QuotaRecord());
}

absl::Status StoreImpl::CheckQuota(Txn& txn, std::string_view owner,
                                   const QuotaRecord& usage) {
  MR_ASSIGN_OR_RETURN(std::optional<UserRecord> user,
                      GetRecord<UserRecord>(kUsersCf, owner, &txn));
  if (!user.has_value()) return absl::OkStatus();
  if (user->storage_limit_bytes.has_value() &&
      usage.bytes > *user->storage_limit_bytes) {
    return absl::ResourceExhaustedError("OVERQUOTA storage limit exceeded");
  }
  if (user->message_limit.has_value() &&
      usage.messages > *user->message_limit) {
    return absl::ResourceExhaustedError("OVERQUOTA message limit exceeded");
  }
  return absl::OkStatus();
}

absl::Status StoreImpl::ChargeQuota(Txn& txn, std::string_view owner,
                                    int64_t bytes, int64_t messages) {
  if (bytes == 0 && messages == 0) return absl::OkStatus();
  MR_ASSIGN_OR_RETURN(QuotaRecord usage, LockQuota(txn, owner));
  auto apply = [](uint64_t v, int64_t delta) -> uint64_t {
    if (delta < 0 && static_cast<uint64_t>(-delta) > v) return 0;
    return v + delta;
  };
  usage.bytes = apply(usage.bytes, bytes);
  usage.messages = apply(usage.messages, messages);
  if (bytes > 0 || messages > 0) MR_RETURN_IF_ERROR(CheckQuota(txn, owner, usage));
  return Put(txn, kQuotaCf, owner, Encode(usage));
}

absl::Status StoreImpl::AddBlobRef(
    Txn& txn, std::string_view hash, std::optional<std::string_view> data,
    const std::optional<std::string>* structure) {
  MR_ASSIGN_OR_RETURN(std::optional<std::string> count,
                      Get(kBlobRefsCf, hash, &txn, /*for_update=*/true));
  uint64_t n = count.has_value() && count->size() == 8 ? ReadU64(*count) : 0;
  if (n == 0) {
    if (!data.has_value()) {
      return absl::InternalError("blob reference missing for a stored message");
    }
    MR_RETURN_IF_ERROR(Put(txn, kBlobsCf, hash, *data));
    // The first FETCH of a structure then costs one read, not a parse and
    // a synced write per message.
    MR_RETURN_IF_ERROR(Put(
        txn, kStructureCf, hash,
        structure != nullptr && structure->has_value()
            ? **structure
            : mime::Serialize(mime::Parse(*data))));
  }
  std::string v;
  AppendU64(&v, n + 1);
  return Put(txn, kBlobRefsCf, hash, v);
}

absl::StatusOr<std::vector<std::optional<std::string>>>
StoreImpl::StructuresOfNewBlobs(const std::vector<std::string>& hashes,
                                const std::vector<std::string_view>& data) {
  std::vector<std::optional<std::string>> out(hashes.size());
  for (size_t i = 0; i < hashes.size(); ++i) {
    bool earlier = false;  // the same body twice in one request
    for (size_t j = 0; j < i && !earlier; ++j) earlier = hashes[j] == hashes[i];
    if (earlier) continue;
    MR_ASSIGN_OR_RETURN(std::optional<std::string> refs,
                        Get(kBlobRefsCf, hashes[i]));
    if (refs.has_value()) continue;
    out[i] = mime::Serialize(mime::Parse(data[i]));
  }
  return out;
}

absl::Status StoreImpl::DropBlobRef(Txn& txn, std::string_view hash) {
  MR_ASSIGN_OR_RETURN(std::optional<std::string> count,
                      Get(kBlobRefsCf, hash, &txn, /*for_update=*/true));
  uint64_t n = count.has_value() && count->size() == 8 ? ReadU64(*count) : 0;
  if (n <= 1) {
    MR_RETURN_IF_ERROR(Delete(txn, kBlobRefsCf, hash));
    MR_RETURN_IF_ERROR(Delete(txn, kBlobsCf, hash));
    return Delete(txn, kStructureCf, hash);
  }
  std::string v;
  AppendU64(&v, n - 1);
  return Put(txn, kBlobRefsCf, hash, v);
}

void StoreImpl::QueueIndex(Txn& txn, const IndexWork& work,
                           absl::Status* status) {
  if (!status->ok()) return;
  IndexWork w = work;
  w.seq = next_index_seq_.fetch_add(1);
  *status = Put(txn, kIndexQueueCf, IndexQueueKey(w.seq), Encode(w));
  txn.queued_index_work = true;
}

std::unique_ptr<Watch> StoreImpl::WatchChanges(
    std::optional<MailboxId> mailbox,
    std::function<void(const ChangeEvent&)> callback) {
  return notifier_->Subscribe(mailbox, std::move(callback));
}

}  // namespace mailroom::store::internal

namespace mailroom::store {

absl::StatusOr<std::unique_ptr<Store>> OpenStore(const StoreOptions& options) {
  absl::StatusOr<std::unique_ptr<internal::StoreImpl>> store =
      internal::StoreImpl::Open(options);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(*store));
}

}  // namespace mailroom::store
