#include "store/internal/store_impl.h"

#include <algorithm>
#include <chrono>
#include <random>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "mime/message.h"
#include "store/internal/change_codec.h"
#include "store/internal/names.h"
#include "store/internal/object_ids.h"
#include "openssl/rand.h"
#include "store/internal/rights.h"

namespace mailroom::store::internal {
namespace {

// A transaction that keeps conflicting is retried for at least this many
// attempts and for at least this long: on a shared store, writers on other
// nodes hold a hot mailbox's rows for whole network round trips, far longer
// than any fixed number of short back-offs covers on a loaded machine.
constexpr int kMinTxnAttempts = 20;
constexpr auto kTxnRetryBudget = std::chrono::seconds(10);

// The wait before retry `attempt` (1-based): exponential, half of it random,
// so that writers that collided once (on one node or on several, which share
// no clock or seed) do not retry in step and collide again.
std::chrono::microseconds TxnBackoff(int attempt) {
  thread_local std::minstd_rand rng(std::random_device{}());
  const int64_t cap = int64_t{200} << std::min(attempt, 8);  // ≤ 51.2 ms
  return std::chrono::microseconds(
      cap / 2 + static_cast<int64_t>(rng() % static_cast<uint64_t>(cap / 2 + 1)));
}

}  // namespace

StoreImpl::StoreImpl(const StoreOptions& options,
                     std::unique_ptr<engine::Engine> engine)
    : options_(options),
      engine_(std::move(engine)),
      notifier_(std::make_shared<Notifier>()),
      leases_(std::make_shared<MaildropLeases>()) {}

absl::StatusOr<std::unique_ptr<StoreImpl>> StoreImpl::Open(
    const StoreOptions& options, std::unique_ptr<engine::Engine> engine) {
  std::unique_ptr<StoreImpl> store(new StoreImpl(options, std::move(engine)));
  store->shared_ = store->engine_->Shared();
  if (store->shared_) {
    std::random_device random;
    store->node_id_ = (uint64_t{random()} << 32) | random();
    // Other nodes' commits reach this node's watchers (IDLE, NOTIFY).
    std::shared_ptr<Notifier> notifier = store->notifier_;
    const uint64_t self = store->node_id_;
    MR_ASSIGN_OR_RETURN(
        store->remote_changes_,
        store->engine_->Subscribe(
            kChangesChannel, [notifier, self](std::string_view payload) {
              uint64_t node = 0;
              std::vector<ChangeEvent> events;
              if (DecodeChanges(payload, &node, &events) && node != self) {
                notifier->Publish(events);
              }
            }));
  }

  // Format version: written on first open, refused when unknown.
  absl::StatusOr<std::optional<std::string>> version =
      store->Get(Space::kMeta, kFormatVersionKey);
  if (!version.ok()) return version.status();
  if (!version->has_value()) {
    std::string v;
    AppendU32(&v, kFormatVersion);
    MR_RETURN_IF_ERROR(store->engine_->WriteUnguarded(
        {{Space::kMeta, std::string(kFormatVersionKey), v}}, /*durable=*/true));
  } else if ((*version)->size() != 4 || ReadU32(**version) != kFormatVersion) {
    return absl::DataLossError(
        "the store has an unknown on-disk format version");
  }

  // The key of the object ids: made once, by whichever node opens first.
  MR_RETURN_IF_ERROR(store->RunTxn([&](Txn& txn) -> absl::Status {
    MR_ASSIGN_OR_RETURN(std::optional<std::string> key,
                        store->Get(Space::kMeta, kObjectIdKeyKey, &txn, true));
    if (key.has_value() && key->size() == kObjectIdKeyBytes) {
      store->object_id_key_ = *std::move(key);
      return absl::OkStatus();
    }
    std::string fresh(kObjectIdKeyBytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(fresh.data()),
                   static_cast<int>(fresh.size())) != 1) {
      return absl::InternalError("no randomness for the object id key");
    }
    MR_RETURN_IF_ERROR(store->Put(txn, Space::kMeta, kObjectIdKeyKey, fresh));
    store->object_id_key_ = std::move(fresh);
    return absl::OkStatus();
  }));

  // Index queue sequence numbers continue after the last queued item (a
  // shared store has no queue).
  if (!store->shared_) {
    MR_RETURN_IF_ERROR(store->engine_->Latest().Scan(
        Space::kIndexQueue, "", "",
        [&](std::string_view key, std::string_view) {
          if (key.size() == 8) store->next_index_seq_ = ReadU64(key) + 1;
          ++store->index_queue_unacked_;
          return true;
        }));
  }

  store->StartIndexer();
  return store;
}

StoreImpl::~StoreImpl() { StopIndexer(); }

absl::Status StoreImpl::RunTxn(const std::function<absl::Status(Txn&)>& fn,
                               bool durable) {
  absl::Status last;
  const auto give_up = std::chrono::steady_clock::now() + kTxnRetryBudget;
  for (int attempt = 0;
       attempt < kMinTxnAttempts || std::chrono::steady_clock::now() < give_up;
       ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(TxnBackoff(attempt));
    Txn txn;
    MR_ASSIGN_OR_RETURN(std::unique_ptr<engine::Transaction> t,
                        engine_->Begin(durable));
    txn.t = t.get();
    absl::Status s = fn(txn);
    if (s.ok()) {
      // Counted before the commit makes the items visible, so a catch-up
      // never sees the count at 0 while they are in the queue.
      index_queue_unacked_ += txn.queued_index_items;
      s = t->Commit();
      if (s.code() == absl::StatusCode::kAborted) {
        index_queue_unacked_ -= txn.queued_index_items;  // nothing written
      }
      if (s.ok()) {
        t.reset();
        notifier_->Publish(txn.events);
        if (shared_) BroadcastChanges(txn.events);
        if (txn.queued_index_work) WakeIndexer();
        return absl::OkStatus();
      }
    }
    if (s.code() != absl::StatusCode::kAborted) return s;
    last = s;
  }
  return absl::AbortedError(
      absl::StrCat("transaction conflict persisted; retry: ", last.message()));
}

absl::StatusOr<std::optional<std::string>> StoreImpl::Get(
    Space c, std::string_view key, Txn* txn, bool for_update,
    engine::Reader* snapshot) {
  if (txn != nullptr) {
    return for_update ? txn->t->GetForUpdate(c, key) : txn->t->Get(c, key);
  }
  return (snapshot != nullptr ? *snapshot : engine_->Latest()).Get(c, key);
}

absl::Status StoreImpl::Put(Txn& txn, Space c, std::string_view key,
                            std::string_view value) {
  return txn.t->Put(c, key, value);
}

absl::Status StoreImpl::Delete(Txn& txn, Space c, std::string_view key) {
  return txn.t->Delete(c, key);
}

absl::Status StoreImpl::DeletePrefix(Txn& txn, Space c,
                                     std::string_view prefix) {
  return DeleteRange(txn, c, prefix, PrefixEnd(prefix));
}

absl::Status StoreImpl::DeleteRange(Txn& txn, Space c, std::string_view begin,
                                    std::string_view end) {
  std::vector<std::string> keys;
  MR_RETURN_IF_ERROR(Scan(
      c, begin, end,
      [&](std::string_view key, std::string_view) {
        keys.emplace_back(key);
        return true;
      },
      &txn));
  for (const std::string& key : keys) MR_RETURN_IF_ERROR(Delete(txn, c, key));
  return absl::OkStatus();
}

absl::Status StoreImpl::Scan(
    Space c, std::string_view begin, std::string_view end,
    const std::function<bool(std::string_view, std::string_view)>& fn,
    Txn* txn, engine::Reader* snapshot) {
  engine::Reader& reader = txn != nullptr        ? *txn->t
                           : snapshot != nullptr ? *snapshot
                                                 : engine_->Latest();
  return reader.Scan(c, begin, end, fn);
}

absl::Status StoreImpl::ScanPrefix(
    Space c, std::string_view prefix,
    const std::function<bool(std::string_view, std::string_view)>& fn,
    Txn* txn, engine::Reader* snapshot) {
  return Scan(c, prefix, PrefixEnd(prefix), fn, txn, snapshot);
}

absl::Status StoreImpl::ForEachMessage(
    MailboxId mailbox, const std::function<void(Uid, MessageRecord)>& fn,
    Txn* txn, engine::Reader* snapshot) {
  absl::Status decode_status;
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kMessages, MailboxIdKey(mailbox),
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
  ScanPrefix(Space::kGroups, "", [&](std::string_view key, std::string_view value) {
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
  if (who.admin() || record.owner == who.user()) return std::string(kAllRights);
  std::string granted, denied;
  std::optional<std::vector<std::string>> groups;
  absl::Status scan = ScanPrefix(
      Space::kAcl, AclPrefix(id),
      [&](std::string_view key, std::string_view rights) {
        std::string_view identifier = key.substr(9);
        bool negative = !identifier.empty() && identifier[0] == '-';
        if (negative) identifier.remove_prefix(1);
        bool applies = identifier == who.user() || identifier == "anyone" ||
                       identifier == "authenticated";
        if (!applies && !identifier.empty() && identifier[0] == '$') {
          if (!groups.has_value()) groups = GroupsOf(who.user());
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
      Get(Space::kAcl, AclKey(id, "anyone"), txn));
  MR_ASSIGN_OR_RETURN(
      std::optional<std::string> denied,
      Get(Space::kAcl, AclKey(id, "-anyone"), txn));
  return SubtractRights(granted.value_or(""), denied.value_or(""));
}

absl::StatusOr<StoreImpl::Resolved> StoreImpl::ResolveId(
    const Principal& who, MailboxId id, Txn* txn,
    std::string_view also_visible) {
  MR_ASSIGN_OR_RETURN(std::optional<MailboxRecord> record,
                      GetRecord<MailboxRecord>(Space::kMailboxes, MailboxIdKey(id),
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
  absl::StatusOr<OwnedName> owned = ResolveVisibleName(who.user(), name);
  if (!owned.ok()) {
    if (owned.status().code() == absl::StatusCode::kInvalidArgument) {
      return owned.status();
    }
    return absl::NotFoundError("no such mailbox");
  }
  MR_ASSIGN_OR_RETURN(
      std::optional<std::string> id,
      Get(Space::kMailboxNames, MailboxNameKey(owned->owner, owned->name), txn));
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
                      GetRecord<MailboxState>(Space::kMailboxState,
                                              MailboxIdKey(id), &txn, true));
  if (!state.has_value()) return absl::NotFoundError("no such mailbox");
  return *state;
}

absl::Status StoreImpl::PutState(Txn& txn, MailboxId id,
                                 const MailboxState& state) {
  if (state.keywords_dirty) {
    MR_RETURN_IF_ERROR(
        state.keywords.empty()
            ? Delete(txn, Space::kMailboxState, MailboxKeywordsKey(id))
            : Put(txn, Space::kMailboxState, MailboxKeywordsKey(id),
                  EncodeStringList(state.keywords)));
  }
  return Put(txn, Space::kMailboxState, MailboxIdKey(id), Encode(state));
}

absl::StatusOr<QuotaRecord> StoreImpl::LockQuota(Txn& txn,
                                                 std::string_view owner) {
  MR_ASSIGN_OR_RETURN(
      std::optional<QuotaRecord> q,
      GetRecord<QuotaRecord>(Space::kQuota, owner, &txn, /*for_update=*/true));
  return q.value_or(QuotaRecord());
}

absl::Status StoreImpl::CheckQuota(Txn& txn, std::string_view owner,
                                   const QuotaRecord& usage) {
  MR_ASSIGN_OR_RETURN(std::optional<UserRecord> user,
                      GetRecord<UserRecord>(Space::kUsers, owner, &txn));
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
  return Put(txn, Space::kQuota, owner, Encode(usage));
}

absl::Status StoreImpl::AddBlobRef(
    Txn& txn, std::string_view hash, std::optional<std::string_view> data,
    const std::optional<std::string>* structure) {
  MR_ASSIGN_OR_RETURN(std::optional<std::string> count,
                      Get(Space::kBlobRefs, hash, &txn, /*for_update=*/true));
  uint64_t n = count.has_value() && count->size() == 8 ? ReadU64(*count) : 0;
  if (n == 0) {
    if (!data.has_value()) {
      return absl::InternalError("blob reference missing for a stored message");
    }
    MR_RETURN_IF_ERROR(Put(txn, Space::kBlobs, hash, *data));
    // The first FETCH of a structure then costs one read, not a parse and
    // a synced write per message.
    MR_RETURN_IF_ERROR(Put(
        txn, Space::kStructure, hash,
        structure != nullptr && structure->has_value()
            ? **structure
            : mime::Serialize(mime::Parse(*data))));
  }
  std::string v;
  AppendU64(&v, n + 1);
  return Put(txn, Space::kBlobRefs, hash, v);
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
                        Get(Space::kBlobRefs, hashes[i]));
    if (refs.has_value()) continue;
    out[i] = mime::Serialize(mime::Parse(data[i]));
  }
  return out;
}

absl::Status StoreImpl::DropBlobRef(Txn& txn, std::string_view hash) {
  MR_ASSIGN_OR_RETURN(std::optional<std::string> count,
                      Get(Space::kBlobRefs, hash, &txn, /*for_update=*/true));
  uint64_t n = count.has_value() && count->size() == 8 ? ReadU64(*count) : 0;
  if (n <= 1) {
    MR_RETURN_IF_ERROR(Delete(txn, Space::kBlobRefs, hash));
    MR_RETURN_IF_ERROR(Delete(txn, Space::kBlobs, hash));
    return Delete(txn, Space::kStructure, hash);
  }
  std::string v;
  AppendU64(&v, n - 1);
  return Put(txn, Space::kBlobRefs, hash, v);
}

void StoreImpl::BroadcastChanges(const std::vector<ChangeEvent>& events) {
  if (events.empty()) return;
  absl::Status sent =
      engine_->Broadcast(kChangesChannel, EncodeChanges(node_id_, events));
  // A lost signal only delays other nodes' watchers until their next
  // command; the commit itself stands.
  if (!sent.ok()) Log(absl::StrCat("change broadcast failed: ", sent.ToString()));
}

void StoreImpl::QueueIndex(Txn& txn, const IndexWork& work,
                           absl::Status* status) {
  if (!status->ok() || shared_) return;
  IndexWork w = work;
  w.seq = next_index_seq_.fetch_add(1);
  *status = Put(txn, Space::kIndexQueue, IndexQueueKey(w.seq), Encode(w));
  txn.queued_index_work = true;
  ++txn.queued_index_items;
}

std::unique_ptr<Watch> StoreImpl::WatchChanges(
    std::optional<MailboxId> mailbox,
    std::function<void(const ChangeEvent&)> callback) {
  return notifier_->Subscribe(mailbox, std::move(callback));
}

}  // namespace mailroom::store::internal

