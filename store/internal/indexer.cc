// The index queue: a background thread hands queued IndexWork to the
// TextIndex in batches and deletes the items once Apply succeeded, so after
// a crash the index catches up from what is still queued.
#include <algorithm>
#include <cstdio>
#include <map>

#include "absl/strings/str_cat.h"

#include "base/status_macros.h"
#include "store/internal/names.h"
#include "store/internal/password.h"
#include "store/internal/search_eval.h"
#include "store/internal/store_impl.h"

namespace mailroom::store::internal {
namespace {

constexpr size_t kIndexBatchSize = 256;
// A search indexes up to this many queued messages of its mailbox itself
// before answering; beyond, it reads them instead (PrepareIndexForSearch).
constexpr size_t kSearchCatchUpLimit = 64;

}  // namespace

void StoreImpl::StartIndexer() {
  if (options_.text_index == nullptr) return;
  indexer_ = std::thread([this] { IndexerLoop(); });
}

void StoreImpl::StopIndexer() {
  {
    MutexLock lock(&indexer_mu_);
    indexer_stop_ = true;
  }
  indexer_cv_.SignalAll();
  if (indexer_.joinable()) indexer_.join();
}

void StoreImpl::WakeIndexer() {
  if (options_.text_index == nullptr) return;
  {
    MutexLock lock(&indexer_mu_);
    indexer_wake_ = true;
  }
  indexer_cv_.SignalAll();
}

void StoreImpl::IndexerLoop() {
  std::chrono::milliseconds wait(1000);
  while (true) {
    {
      MutexLock lock(&indexer_mu_);
      indexer_cv_.WaitFor(&indexer_mu_, wait,
                          [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(indexer_mu_) {
                            return indexer_wake_ || indexer_stop_;
                          });
      if (indexer_stop_) return;
      if (indexer_wake_ && options_.index_commit_delay_ms > 0) {
        // Work queued meanwhile joins this pass: a stream of deliveries
        // costs one index commit per period instead of one per message.
        // Searches catch up by themselves and do not wait for this.
        indexer_cv_.WaitFor(
            &indexer_mu_,
            std::chrono::milliseconds(options_.index_commit_delay_ms),
            [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(indexer_mu_) {
              return indexer_stop_;
            });
        if (indexer_stop_) return;
      }
      indexer_wake_ = false;
    }
    RunRequestedRebuilds();
    // Pending work at open (a crash) is picked up by the first pass.
    bool caught_up = shared_ || CatchUpIndex().ok();
    wait = std::chrono::milliseconds(caught_up ? 1000 : 5000);
    if (caught_up && !rebuilds_in_flight_.empty()) {
      // Until now a failing search did not queue these owners again.
      rebuilds_.Done(rebuilds_in_flight_);
      for (const std::string& owner : rebuilds_in_flight_) {
        Log(absl::StrCat("full-text index of ", owner, " rebuilt"));
      }
      rebuilds_in_flight_.clear();
    }
  }
}

void StoreImpl::Log(std::string_view message) {
  if (options_.log) {
    options_.log(message);
  } else {
    std::fprintf(stderr, "store: %.*s\n", static_cast<int>(message.size()),
                 message.data());
  }
}

void StoreImpl::MaybeRebuildIndex(const std::string& owner,
                                  const absl::Status& error, uint64_t epoch) {
  if (error.code() != absl::StatusCode::kDataLoss &&
      error.code() != absl::StatusCode::kNotFound) {
    return;  // transient: the next search tries the index again
  }
  if (!rebuilds_.Request(owner, epoch)) return;  // queued or just rebuilt
  Log(absl::StrCat("full-text index of ", owner,
                   " is missing or damaged (", error.ToString(),
                   "); searching without it and rebuilding it"));
  WakeIndexer();
}

void StoreImpl::RunRequestedRebuilds() {
  std::vector<std::string> owners = rebuilds_.Take();
  if (owners.empty()) return;
  for (const std::string& owner : owners) {
    absl::Status s = Reindex(owner);
    if (!s.ok()) {
      Log(absl::StrCat("rebuilding the full-text index of ", owner,
                       " failed: ", s.ToString()));
    }
    rebuilds_in_flight_.push_back(owner);
  }
}

absl::Status StoreImpl::CatchUpMailboxIndex(const std::string& owner,
                                            MailboxId id) {
  TextIndex& index = *options_.text_index;
  MR_ASSIGN_OR_RETURN(IndexMark mark, index.GetMark(owner, id));
  MR_ASSIGN_OR_RETURN(std::optional<MailboxState> state,
                      GetRecord<MailboxState>(Space::kMailboxState,
                                              MailboxIdKey(id)));
  if (!state.has_value()) return absl::NotFoundError("no such mailbox");
  if (state->highestmodseq <= mark.modseq) return absl::OkStatus();
  // Every change after the mark, in modseq order: a live entry with a UID
  // above the mark is a message this node has not indexed (UIDs only grow
  // and a body never changes, so a live entry at or below it is a flag
  // change); an expunged one is removed.
  std::vector<IndexWork> batch;
  std::vector<Uid> added;
  ModSeq through = mark.modseq;
  Uid uid_mark = mark.uid;
  absl::Status decode;
  MR_RETURN_IF_ERROR(Scan(
      Space::kChangelog, ChangelogKey(id, mark.modseq + 1),
      ChangelogKey(id, state->highestmodseq + 1),
      [&](std::string_view key, std::string_view value) {
        ChangeRecord change;
        if (key.size() != 16 || !Decode(value, &change)) {
          decode = absl::DataLossError("undecodable change record");
          return false;
        }
        through = ReadU64(key.substr(8));
        if (change.expunged) {
          if (change.uid <= uid_mark) {
            batch.push_back(IndexWork{.op = IndexWork::kRemove, .owner = owner,
                                      .mailbox = id, .uid = change.uid});
          }
        } else if (change.uid > mark.uid) {
          added.push_back(change.uid);
        }
        return true;
      }));
  MR_RETURN_IF_ERROR(decode);
  std::sort(added.begin(), added.end());
  std::vector<std::string> keys;
  for (Uid uid : added) keys.push_back(MessageKey(id, uid));
  MR_ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> records,
                      engine_->Latest().MultiGet(Space::kMessages, keys));
  for (size_t i = 0; i < added.size(); ++i) {
    uid_mark = std::max(uid_mark, added[i]);
    MessageRecord record;
    if (!records[i].has_value()) continue;  // expunged since the scan
    if (!Decode(*records[i], &record)) {
      return absl::DataLossError("undecodable message record");
    }
    batch.push_back(IndexWork{.op = IndexWork::kAdd, .owner = owner,
                              .mailbox = id, .uid = added[i],
                              .blob_id = HexEncode(record.hash)});
  }
  batch.push_back(IndexWork{.op = IndexWork::kMark, .owner = owner,
                            .mailbox = id, .uid = uid_mark,
                            .mark_modseq = through});
  return index.Apply(batch, [this](const std::string& blob_id) {
    return LoadBlobByHex(blob_id);
  });
}

absl::StatusOr<StoredBody> StoreImpl::LoadBlobByHex(
    const std::string& blob_id) {
  std::string hash;
  if (!HexDecode(blob_id, &hash)) {
    return absl::InvalidArgumentError("malformed blob id");
  }
  MR_ASSIGN_OR_RETURN(std::shared_ptr<const std::string> raw, ReadBlob(hash));
  // The structure written at append saves the index a second parse; a body
  // stored before structures were kept has none and is parsed there.
  MR_ASSIGN_OR_RETURN(std::optional<std::string> structure,
                      Get(Space::kStructure, hash));
  if (!structure.has_value()) return StoredBody(std::move(raw));
  return StoredBody(std::move(raw), std::make_shared<const std::string>(
                                        *std::move(structure)));
}

absl::Status StoreImpl::CatchUpIndex() {
  if (options_.text_index == nullptr) return absl::OkStatus();
  MutexLock lock(&index_apply_mu_);
  if (index_paused_) {
    return absl::UnavailableError("the index queue is paused for a backup");
  }
  auto loader = [this](const std::string& blob_id) {
    return LoadBlobByHex(blob_id);
  };
  while (true) {
    // Nothing committed and unacknowledged: the index is exact already.
    if (index_queue_unacked_.load() == 0) return absl::OkStatus();
    ++GetSearchCounters().index_queue_scans;
    std::vector<IndexWork> batch;
    std::vector<std::string> keys;
    absl::Status decode_status;
    MR_RETURN_IF_ERROR(ScanPrefix(
        Space::kIndexQueue, "", [&](std::string_view key, std::string_view value) {
          IndexWork work;
          if (key.size() != 8 || !Decode(value, &work)) {
            decode_status = absl::DataLossError("undecodable index work item");
            return false;
          }
          work.seq = ReadU64(key);
          batch.push_back(std::move(work));
          keys.emplace_back(key);
          return batch.size() < kIndexBatchSize;
        }));
    MR_RETURN_IF_ERROR(decode_status);
    if (batch.empty()) return absl::OkStatus();
    MR_RETURN_IF_ERROR(options_.text_index->Apply(batch, loader));
    std::vector<engine::Mutation> acks;
    for (std::string& key : keys) {
      acks.push_back({Space::kIndexQueue, std::move(key), std::nullopt});
    }
    MR_RETURN_IF_ERROR(engine_->WriteUnguarded(acks, /*durable=*/true));
    index_queue_unacked_ -= acks.size();
    // A stopping store (the daemon's shutdown) finishes only the batch in
    // hand: the rest of the queue is persisted and the next start indexes
    // it, so a large backlog never holds up the exit.
    MutexLock stop_lock(&indexer_mu_);
    if (indexer_stop_) {
      return absl::CancelledError("the store is closing; indexing resumes "
                                  "at the next start");
    }
  }
}

absl::Status StoreImpl::PrepareIndexForSearch(const std::string& owner,
                                              MailboxId mailbox,
                                              bool may_defer,
                                              std::vector<Uid>* unindexed) {
  unindexed->clear();
  if (options_.text_index == nullptr) return absl::OkStatus();
  if (!may_defer || index_queue_unacked_.load() <= kSearchCatchUpLimit) {
    return CatchUpIndex();
  }
  // The index answers for what it holds: messages of this mailbox it does
  // not hold yet are read by the search. A queued removal only leaves a
  // document the search drops (answers are checked against the store);
  // anything else of the owner's (a mailbox or owner removal, a reindex)
  // makes the index itself unfit, so catch up as usual.
  ++GetSearchCounters().index_queue_scans;
  bool catch_up = false;
  absl::Status decode_status;
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kIndexQueue, "", [&](std::string_view, std::string_view value) {
        IndexWork work;
        if (!Decode(value, &work)) {
          decode_status = absl::DataLossError("undecodable index work item");
          return false;
        }
        if (work.owner != owner) return true;
        if (work.op == IndexWork::kAdd) {
          if (work.mailbox == mailbox) unindexed->push_back(work.uid);
        } else if (work.op != IndexWork::kRemove) {
          catch_up = true;
        }
        return !catch_up;
      }));
  MR_RETURN_IF_ERROR(decode_status);
  if (catch_up || unindexed->size() <= kSearchCatchUpLimit) {
    unindexed->clear();
    return CatchUpIndex();
  }
  std::sort(unindexed->begin(), unindexed->end());
  unindexed->erase(std::unique(unindexed->begin(), unindexed->end()),
                   unindexed->end());
  WakeIndexer();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::pair<std::string, uint64_t>>>
StoreImpl::IndexBacklog() {
  std::map<std::string, uint64_t> counts;
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kIndexQueue, "", [&](std::string_view, std::string_view value) {
        IndexWork work;
        if (Decode(value, &work)) ++counts[work.owner];
        return true;
      }));
  return std::vector<std::pair<std::string, uint64_t>>(counts.begin(),
                                                       counts.end());
}

absl::Status StoreImpl::Reindex(std::string_view user) {
  std::vector<std::string> owners;
  if (user.empty()) {
    MR_RETURN_IF_ERROR(ScanPrefix(
        Space::kMailboxNames, "", [&](std::string_view key, std::string_view) {
          std::string_view owner = key.substr(0, key.find('\0'));
          if (owners.empty() || owners.back() != owner) owners.emplace_back(owner);
          return true;
        }));
  } else {
    MR_ASSIGN_OR_RETURN(std::string owner, CanonicalUser(user));
    owners.push_back(std::move(owner));
  }
  if (shared_) {
    // Each node's index is its own cache: drop it here; the next search of
    // each mailbox catches it up from the change log again.
    if (options_.text_index == nullptr) return absl::OkStatus();
    std::vector<IndexWork> drop;
    for (const std::string& owner : owners) {
      drop.push_back(IndexWork{.op = IndexWork::kRemoveOwner, .owner = owner});
    }
    return options_.text_index->Apply(
        drop, [this](const std::string& blob_id) { return LoadBlobByHex(blob_id); });
  }
  for (const std::string& owner : owners) {
    MR_RETURN_IF_ERROR(RunTxn([&](Txn& txn) -> absl::Status {
      std::vector<MailboxId> ids;
      MR_RETURN_IF_ERROR(ScanPrefix(
          Space::kMailboxNames, MailboxNamePrefix(owner),
          [&](std::string_view, std::string_view value) {
            ids.push_back(ReadU64(value));
            return true;
          },
          &txn));
      // Locking every mailbox first orders this reindex after any append
      // that already queued work, so no add can land before the removal.
      for (MailboxId id : ids) MR_RETURN_IF_ERROR(LockState(txn, id).status());
      absl::Status status;
      QueueIndex(txn, IndexWork{.op = IndexWork::kRemoveOwner, .owner = owner},
                 &status);
      for (MailboxId id : ids) {
        MR_RETURN_IF_ERROR(ScanPrefix(
            Space::kMessages, MailboxIdKey(id),
            [&](std::string_view key, std::string_view value) {
              MailboxId mid;
              Uid uid;
              MessageRecord record;
              if (ParseMessageKey(key, &mid, &uid) && Decode(value, &record)) {
                QueueIndex(txn,
                           IndexWork{.op = IndexWork::kAdd,
                                     .owner = owner,
                                     .mailbox = id,
                                     .uid = uid,
                                     .blob_id = HexEncode(record.hash)},
                           &status);
              }
              return status.ok();
            },
            &txn));
      }
      return status;
    }));
  }
  return absl::OkStatus();
}

}  // namespace mailroom::store::internal
