// Store::Verify: the full-text index against the store.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "store/internal/password.h"
#include "store/internal/verifier.h"

namespace mailroom::store::internal {

// The index holds a document for each message of the mailbox. Work still
// queued (or applied while this runs) explains a difference; only what
// remains after that is a problem.
absl::Status StoreImpl::Verifier::CheckIndex(
    MailboxId id, const MailboxRecord& record,
    const absl::flat_hash_map<Uid, Message>& messages) {
  TextIndex* index = store_.options_.text_index.get();
  if (index == nullptr || !index_listable_ ||
      index_owners_.contains(record.owner)) {
    return absl::OkStatus();
  }
  const std::string& owner = record.owner;
  auto requeue = [&](std::string problem) {
    index_owners_.insert(owner);
    MailboxProblem(id, std::move(problem), RepairKey{kFixIndex, owner},
                   [this, owner] { return RequeueIndex(owner); });
  };
  if (store_.shared_) {
    // This node's index is a cache caught up from the change log.
    absl::Status caught_up = store_.CatchUpMailboxIndex(owner, id);
    if (absl::IsUnimplemented(caught_up)) {
      index_listable_ = false;
      return absl::OkStatus();
    }
    if (absl::IsDataLoss(caught_up)) {
      requeue(absl::StrCat("full-text index: ", caught_up.message()));
      return absl::OkStatus();
    }
    MR_RETURN_IF_ERROR(caught_up);
  }
  absl::StatusOr<std::vector<Uid>> docs = index->ListDocuments(owner, id);
  if (absl::IsUnimplemented(docs.status())) {
    index_listable_ = false;
    return absl::OkStatus();
  }
  if (absl::IsDataLoss(docs.status())) {
    requeue(absl::StrCat("full-text index: ", docs.status().message()));
    return absl::OkStatus();
  }
  if (!docs.ok()) return docs.status();
  absl::flat_hash_set<Uid> indexed(docs->begin(), docs->end());
  std::vector<Uid> unindexed, stale;
  for (const auto& [uid, m] : messages) {
    if (!indexed.contains(uid)) unindexed.push_back(uid);
  }
  for (Uid uid : indexed) {
    if (!messages.contains(uid)) stale.push_back(uid);
  }
  if (unindexed.empty() && stale.empty()) return absl::OkStatus();

  // Explanations: queued work of this mailbox, then the index and the
  // messages as they are now.
  absl::flat_hash_set<Uid> queued;
  bool queued_all = false;
  absl::Status decode;
  if (!store_.shared_) {
    MR_RETURN_IF_ERROR(store_.ScanPrefix(
        Space::kIndexQueue, "", [&](std::string_view, std::string_view value) {
          IndexWork work;
          if (!Decode(value, &work) || work.owner != owner) return true;
          if (work.op == IndexWork::kRemoveOwner ||
              (work.op == IndexWork::kRemoveMailbox && work.mailbox == id)) {
            queued_all = true;
          } else if (work.mailbox == id) {
            queued.insert(work.uid);
          }
          return true;
        }));
  } else {
    MR_RETURN_IF_ERROR(store_.CatchUpMailboxIndex(owner, id));
  }
  if (queued_all) return absl::OkStatus();
  MR_ASSIGN_OR_RETURN(std::vector<Uid> now_docs, index->ListDocuments(owner, id));
  absl::flat_hash_set<Uid> now_indexed(now_docs.begin(), now_docs.end());
  auto exists_now = [&](Uid uid) -> absl::StatusOr<bool> {
    MR_ASSIGN_OR_RETURN(std::optional<std::string> v,
                        store_.Get(Space::kMessages, MessageKey(id, uid)));
    return v.has_value();
  };
  size_t missing = 0, extra = 0;
  for (Uid uid : unindexed) {
    if (queued.contains(uid) || now_indexed.contains(uid)) continue;
    MR_ASSIGN_OR_RETURN(bool exists, exists_now(uid));
    if (exists) ++missing;
  }
  for (Uid uid : stale) {
    if (queued.contains(uid) || !now_indexed.contains(uid)) continue;
    MR_ASSIGN_OR_RETURN(bool exists, exists_now(uid));
    if (!exists) ++extra;
  }
  if (missing > 0 || extra > 0) {
    requeue(absl::StrCat("full-text index lacks ", missing,
                         " messages and holds ", extra,
                         " expunged ones"));
  }
  return absl::OkStatus();
}

}  // namespace mailroom::store::internal
