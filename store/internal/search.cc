// SEARCH: metadata from the messages column family, text from the text index
// (after catching it up) or, without one, from the decoded messages.
#include <ctime>

#include "base/status_macros.h"
#include "store/internal/password.h"
#include "store/internal/search_eval.h"
#include "store/internal/store_impl.h"

namespace mailroom::store::internal {

absl::StatusOr<std::vector<Uid>> StoreImpl::Search(const Principal& who,
                                                   MailboxId mailbox,
                                                   const SearchKey& key) {
  MR_ASSIGN_OR_RETURN(Resolved m, ResolveId(who, mailbox, nullptr));
  MR_RETURN_IF_ERROR(Require(m, 'r'));

  SearchEvaluator::TextResults index_results;
  bool use_index = options_.text_index != nullptr && HasTextKey(key);
  if (use_index) {
    // Never answer from a stale index: apply everything queued so far.
    uint64_t rebuild_epoch = rebuilds_.Epoch();
    use_index = CatchUpIndex().ok();
    std::vector<const SearchKey*> subtrees;
    CollectTextSubtrees(key, &subtrees);
    for (const SearchKey* sub : subtrees) {
      if (!use_index) break;
      absl::StatusOr<std::vector<Uid>> uids =
          options_.text_index->Query(m.record.owner, mailbox, *sub);
      if (!uids.ok()) {
        use_index = false;  // fall back to scanning the messages
        MaybeRebuildIndex(m.record.owner, uids.status(), rebuild_epoch);
        break;
      }
      index_results[sub].insert(uids->begin(), uids->end());
    }
  }

  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  struct Release {
    rocksdb::TransactionDB* db;
    const rocksdb::Snapshot* s;
    ~Release() { db->ReleaseSnapshot(s); }
  } release{db_.get(), snapshot};

  auto loader = [&](const MessageMeta& meta) -> absl::StatusOr<FoldedText> {
    std::string hash;
    if (!HexDecode(meta.blob_id, &hash)) {
      return absl::DataLossError("malformed blob id");
    }
    MR_ASSIGN_OR_RETURN(std::optional<std::string> raw,
                        Get(kBlobsCf, hash, nullptr, false, snapshot));
    if (!raw.has_value()) return absl::DataLossError("message body missing");
    return FoldMessageText(*raw);
  };
  SearchEvaluator evaluator(std::time(nullptr), loader,
                            use_index ? &index_results : nullptr);

  // A per-user \Seen mailbox answers SEEN/UNSEEN (and MODSEQ) for `who`.
  absl::flat_hash_map<Uid, SeenRow> rows;
  if (PerUserSeen(m.record, who)) {
    MR_ASSIGN_OR_RETURN(rows, SeenRows(mailbox, who.user, 0,
                                       std::numeric_limits<Uid>::max(),
                                       nullptr, snapshot));
  }

  std::vector<Uid> out;
  absl::Status status;
  MR_RETURN_IF_ERROR(ScanPrefix(
      kMessagesCf, MailboxIdKey(mailbox),
      [&](std::string_view k, std::string_view value) {
        MailboxId id;
        Uid uid;
        MessageRecord record;
        if (!ParseMessageKey(k, &id, &uid) || !Decode(value, &record)) {
          status = absl::DataLossError("undecodable message record");
          return false;
        }
        MessageMeta meta = ToMeta(uid, record);
        if (auto row = rows.find(uid); row != rows.end()) {
          ApplySeenRow(row->second, &meta);
        }
        absl::StatusOr<bool> match = evaluator.Matches(key, meta);
        if (!match.ok()) {
          status = match.status();
          return false;
        }
        if (*match) out.push_back(uid);
        return true;
      },
      nullptr, snapshot));
  MR_RETURN_IF_ERROR(status);
  return out;
}

}  // namespace mailroom::store::internal
