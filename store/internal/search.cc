// SEARCH: metadata from the messages column family, text from the text index
// (after catching it up) or, without one, from the decoded messages.
#include <algorithm>
#include <ctime>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status_macros.h"
#include "store/internal/keys.h"
#include "store/internal/password.h"
#include "store/internal/search_columns.h"
#include "store/internal/search_eval.h"
#include "store/internal/store_impl.h"

namespace mailroom::store::internal {
namespace {

// Keys read per MultiGet: large enough to amortise the call, small enough
// to keep the pinned values of one batch modest.
constexpr size_t kCandidateBatch = 256;
// A search column is persisted again once the entries its stored copy lacks
// pass max(kColumnRewriteEntries, entries / kColumnRewriteShare).
constexpr size_t kColumnRewriteEntries = 2048;
constexpr size_t kColumnRewriteShare = 32;

// Calls visit(uid, record bytes) for each of `uids` (ascending) that still
// has a message record in `mailbox` at `snapshot`, until it returns false.
// UIDs the index knows but the store no longer has (expunged) are skipped.
template <typename Visit>
absl::Status ForEachCandidate(engine::Reader& reader, MailboxId mailbox,
                              const std::vector<Uid>& uids, Visit visit) {
  std::vector<std::string> keys;
  for (size_t start = 0; start < uids.size(); start += kCandidateBatch) {
    size_t n = std::min(kCandidateBatch, uids.size() - start);
    keys.clear();
    for (size_t i = 0; i < n; ++i) {
      keys.push_back(MessageKey(mailbox, uids[start + i]));
    }
    // Keys of one mailbox in ascending UID order are sorted (big-endian).
    MR_ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> values,
                        reader.MultiGet(Space::kMessages, keys));
    for (size_t i = 0; i < n; ++i) {
      if (!values[i].has_value()) continue;
      if (!visit(uids[start + i], std::string_view(*values[i]))) {
        return absl::OkStatus();
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Uid>> StoreImpl::StoredUids(
    engine::Reader& snapshot, MailboxId mailbox, std::vector<Uid> uids) {
  MR_ASSIGN_OR_RETURN(std::optional<MailboxState> state,
                      GetRecord<MailboxState>(Space::kMailboxState,
                                              MailboxIdKey(mailbox), nullptr,
                                              false, &snapshot));
  if (!state.has_value()) return std::vector<Uid>();
  // Never-assigned UIDs first, without a read.
  uids.erase(std::lower_bound(uids.begin(), uids.end(), state->uidnext),
             uids.end());
  std::vector<Uid> out;
  out.reserve(uids.size());
  if (uids.size() * 4 < state->messages) {
    // A few: look each up.
    MR_RETURN_IF_ERROR(ForEachCandidate(snapshot, mailbox, uids,
                                        [&](Uid uid, std::string_view) {
                                          out.push_back(uid);
                                          return true;
                                        }));
    return out;
  }
  // Many: one pass over the mailbox's keys beats as many lookups.
  absl::Status status;
  auto next = uids.begin();
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kMessages, MailboxIdKey(mailbox),
      [&](std::string_view k, std::string_view) {
        MailboxId id;
        Uid uid;
        if (!ParseMessageKey(k, &id, &uid)) {
          status = absl::DataLossError("undecodable message record");
          return false;
        }
        next = std::lower_bound(next, uids.end(), uid);
        if (next != uids.end() && *next == uid) out.push_back(uid);
        return next != uids.end();
      },
      nullptr, &snapshot));
  MR_RETURN_IF_ERROR(status);
  return out;
}

absl::StatusOr<std::shared_ptr<const Column>> StoreImpl::SearchColumnAt(
    engine::Reader& snapshot, MailboxId mailbox, const MailboxState& state) {
  std::shared_ptr<const Column> column =
      search_columns_.Get(mailbox, state.uidvalidity);
  if (column == nullptr) {
    // Not in memory (never searched here, dropped, or a restart): the
    // persisted one, else an empty one.
    MR_ASSIGN_OR_RETURN(std::shared_ptr<Column> stored,
                        LoadStoredColumn(mailbox, state, snapshot));
    if (stored == nullptr) {
      stored = std::make_shared<Column>();
      stored->uidvalidity = state.uidvalidity;
    }
    column = std::move(stored);
    if (column->covered >= state.uidnext) {
      search_columns_.Put(mailbox, column);
      return column;
    }
  }
  if (column->covered >= state.uidnext) return column;
  // Only the messages appended since the column was made.
  std::vector<ColumnEntry> more;
  absl::Status status;
  MR_RETURN_IF_ERROR(Scan(
      Space::kMessages, MessageKey(mailbox, column->covered),
      MessageKey(mailbox, state.uidnext),
      [&](std::string_view k, std::string_view value) {
        MailboxId id;
        Uid uid;
        MessageRecord record;
        if (!ParseMessageKey(k, &id, &uid) || !Decode(value, &record)) {
          status = absl::DataLossError("undecodable message record");
          return false;
        }
        const MessageMeta meta = ToMeta(uid, record);
        more.push_back(ColumnEntry{uid, meta.internal_tz_minutes,
                                   meta.internal_date, meta.save_date,
                                   meta.size});
        return true;
      },
      nullptr, &snapshot));
  MR_RETURN_IF_ERROR(status);
  GetSearchCounters().column_records_read += more.size();
  auto extended =
      std::make_shared<Column>(*column->Extend(std::move(more), state.uidnext));
  // Persisted when first made, then again once the entries the stored copy
  // lacks pass a share of it: a restart reads back at most that share.
  const size_t unstored = extended->size - extended->stored;
  if (unstored > 0 &&
      (extended->stored == 0 ||
       unstored > std::max(kColumnRewriteEntries,
                           extended->size / kColumnRewriteShare))) {
    WriteStoredColumn(mailbox, *extended);
    extended->stored = extended->size;  // written, or a longer one is stored
  }
  search_columns_.Put(mailbox, extended);
  return extended;
}

absl::StatusOr<std::vector<Uid>> StoreImpl::Search(const Principal& who,
                                                   MailboxId mailbox,
                                                   const SearchKey& key) {
  return RetryAborted([&] { return SearchOnce(who, mailbox, key); });
}

absl::StatusOr<std::vector<Uid>> StoreImpl::SearchOnce(const Principal& who,
                                                   MailboxId mailbox,
                                                   const SearchKey& key) {
  MR_ASSIGN_OR_RETURN(Resolved m, ResolveId(who, mailbox, nullptr));
  MR_RETURN_IF_ERROR(Require(m, 'r'));

  SearchEvaluator::TextResults index_results;
  std::vector<const SearchKey*> sent_dates;
  CollectSentDateKeys(key, &sent_dates);
  std::vector<std::pair<const SearchKey*, SentDateAnswer>> sent_answers;
  bool use_index = options_.text_index != nullptr &&
                   (HasTextKey(key) || !sent_dates.empty());
  std::vector<const SearchKey*> subtrees;
  // Messages of the mailbox still queued for the index: read below.
  std::vector<Uid> unindexed;
  if (use_index) {
    // Never answer from a stale index: apply everything queued so far, or
    // (text keys only) read what is queued for this mailbox.
    uint64_t rebuild_epoch = rebuilds_.Epoch();
    use_index = shared_ ? CatchUpMailboxIndex(m.record.owner, mailbox).ok()
                        : PrepareIndexForSearch(m.record.owner, mailbox,
                                                sent_dates.empty(), &unindexed)
                              .ok();
    CollectTextSubtrees(key, &subtrees);
    for (size_t i = 0; use_index && i < subtrees.size(); ++i) {
      const SearchKey* sub = subtrees[i];
      absl::StatusOr<std::vector<Uid>> uids =
          options_.text_index->Query(m.record.owner, mailbox, *sub);
      if (!uids.ok() && !unindexed.empty()) {
        // Not answered with messages left queued (the owner's database may
        // not exist yet): index them first, as for a small backlog, and
        // ask again.
        unindexed.clear();
        index_results.clear();
        use_index = CatchUpIndex().ok();
        i = static_cast<size_t>(-1);  // from the first subtree again
        continue;
      }
      if (!uids.ok()) {
        use_index = false;  // fall back to scanning the messages
        MaybeRebuildIndex(m.record.owner, uids.status(), rebuild_epoch);
        break;
      }
      // Kept sorted: membership is a binary search, AND/OR are merges.
      if (!std::is_sorted(uids->begin(), uids->end())) {
        std::sort(uids->begin(), uids->end());
      }
      uids->erase(std::unique(uids->begin(), uids->end()), uids->end());
      index_results[sub] = *std::move(uids);
    }
    // Dates from the Date: header's day terms instead of decoding every
    // message. An index that keeps none leaves them to the messages.
    for (const SearchKey* sub : sent_dates) {
      if (!use_index) break;
      absl::StatusOr<SentDateAnswer> answer =
          options_.text_index->QuerySentDate(m.record.owner, mailbox, *sub);
      if (absl::IsUnimplemented(answer.status())) continue;
      if (!answer.ok()) {
        use_index = false;
        MaybeRebuildIndex(m.record.owner, answer.status(), rebuild_epoch);
        break;
      }
      sent_answers.emplace_back(sub, *std::move(answer));
    }
  }

  MR_ASSIGN_OR_RETURN(std::unique_ptr<engine::Reader> snapshot_view,
                      engine_->Snapshot());
  engine::Reader* snapshot = snapshot_view.get();
  const int64_t now = std::time(nullptr);
  // A message's blob key and its bytes at `snapshot`.
  auto read_blob = [&](const MessageMeta& meta, std::string* hash)
      -> absl::StatusOr<std::string> {
    if (!HexDecode(meta.blob_id, hash)) {
      return absl::DataLossError("malformed blob id");
    }
    MR_ASSIGN_OR_RETURN(std::optional<std::string> raw,
                        Get(Space::kBlobs, *hash, nullptr, false, snapshot));
    if (!raw.has_value()) return absl::DataLossError("message body missing");
    return *std::move(raw);
  };
  auto loader = [&](const MessageMeta& meta) -> absl::StatusOr<FoldedText> {
    std::string hash;
    MR_ASSIGN_OR_RETURN(const std::string raw, read_blob(meta, &hash));
    return FoldMessageText(raw);
  };

  if (use_index && !unindexed.empty()) {
    // The index's answers hold every message it has; those still queued
    // for it are matched here, on their text, and added.
    // Decoded from the structure kept at append, as the index would.
    // Kept by blob for the next searches until the indexer catches up.
    auto stored_loader =
        [&](const MessageMeta& meta) -> absl::StatusOr<FoldedText> {
      std::string hash;
      if (!HexDecode(meta.blob_id, &hash)) {
        return absl::DataLossError("malformed blob id");
      }
      if (std::shared_ptr<const FoldedText> kept = queued_texts_.Get(hash)) {
        return *kept;
      }
      MR_ASSIGN_OR_RETURN(const std::string raw, read_blob(meta, &hash));
      MR_ASSIGN_OR_RETURN(
          std::optional<std::string> structure,
          Get(Space::kStructure, hash, nullptr, false, snapshot));
      auto text = std::make_shared<const FoldedText>(
          structure.has_value() ? FoldStoredMessageText(raw, *structure)
                                : FoldMessageText(raw));
      ++GetSearchCounters().unindexed_decoded;
      queued_texts_.Put(hash, text);
      return *text;
    };
    SearchEvaluator scan(now, stored_loader, nullptr);
    absl::flat_hash_map<const SearchKey*, std::vector<Uid>> extra;
    absl::Status status;
    MR_RETURN_IF_ERROR(ForEachCandidate(
        *snapshot, mailbox, unindexed, [&](Uid uid, std::string_view value) {
          MessageRecord record;
          if (!Decode(value, &record)) {
            status = absl::DataLossError("undecodable message record");
            return false;
          }
          const MessageMeta meta = ToMeta(uid, record);
          for (const SearchKey* sub : subtrees) {
            absl::StatusOr<bool> match = scan.Matches(*sub, meta);
            if (!match.ok()) {
              status = match.status();
              return false;
            }
            if (*match) extra[sub].push_back(uid);
          }
          return true;
        }));
    MR_RETURN_IF_ERROR(status);
    GetSearchCounters().unindexed_read += unindexed.size();
    for (auto& [sub, uids] : extra) {
      std::vector<Uid>& answer = index_results[sub];
      std::vector<Uid> merged;
      merged.reserve(answer.size() + uids.size());
      std::set_union(answer.begin(), answer.end(), uids.begin(), uids.end(),
                     std::back_inserter(merged));
      answer = std::move(merged);
    }
  }

  // Dates and sizes from the mailbox's column, as the index answers text:
  // node results that decide, bound or short-cut the evaluation below.
  if (!use_index) index_results.clear();
  std::vector<const SearchKey*> column_keys;
  if (options_.search_columns_max_bytes != 0) {
    CollectColumnSubtrees(key, &column_keys);
  }
  MR_ASSIGN_OR_RETURN(std::optional<MailboxState> state,
                      GetRecord<MailboxState>(Space::kMailboxState,
                                              MailboxIdKey(mailbox), nullptr,
                                              false, snapshot));
  if (!column_keys.empty() && state.has_value()) {
    MR_ASSIGN_OR_RETURN(std::shared_ptr<const Column> column,
                        SearchColumnAt(*snapshot, mailbox, *state));
    for (const SearchKey* sub : column_keys) {
      index_results[sub] = MatchColumn(*column, *sub, now);
    }
  }
  const bool have_results = use_index || !index_results.empty();

  if (use_index) {
    // Messages without a usable Date: header compare their internal date
    // (RFC 3501): read just those records.
    for (auto& [sub, answer] : sent_answers) {
      std::vector<Uid> by_internal_date;
      absl::Status status;
      MR_RETURN_IF_ERROR(ForEachCandidate(
          *snapshot, mailbox, answer.undated,
          [&](Uid uid, std::string_view value) {
            MessageRecord record;
            if (!Decode(value, &record)) {
              status = absl::DataLossError("undecodable message record");
              return false;
            }
            const MessageMeta meta = ToMeta(uid, record);
            if (DayMatches(*sub, DayOf(meta.internal_date,
                                       meta.internal_tz_minutes))) {
              by_internal_date.push_back(uid);
            }
            return true;
          }));
      MR_RETURN_IF_ERROR(status);
      GetSearchCounters().records_read += answer.undated.size();
      std::vector<Uid>& uids = index_results[sub];
      std::merge(answer.matches.begin(), answer.matches.end(),
                 by_internal_date.begin(), by_internal_date.end(),
                 std::back_inserter(uids));
    }
  }
  {
    // The index and columns alone decide the whole key (text, dates,
    // sizes, AND/OR of them): no record needs decoding, only the UIDs
    // checked against the store (the index may name a message expunged
    // since it caught up, a column one expunged since it was read). UID
    // sets (which IMAP also makes of flag keys from its own copy of the
    // mailbox) combine with them without a read.
    const Uid uid_end = state.has_value() ? state->uidnext : 0;
    if (std::optional<std::vector<Uid>> decided =
            IndexDecidedUids(key, index_results, uid_end)) {
      ++GetSearchCounters().index_decided;
      return StoredUids(*snapshot, mailbox, *std::move(decided));
    }
  }

  SearchEvaluator evaluator(now, loader,
                            have_results ? &index_results : nullptr);

  // A mailbox with private flags answers flag keys (SEEN, FLAGGED,
  // KEYWORD, ...) and MODSEQ for `who`.
  absl::flat_hash_map<Uid, SeenRow> rows;
  if (PrivateView(m.record, who)) {
    MR_ASSIGN_OR_RETURN(rows, SeenRows(mailbox, who.user(), 0,
                                       std::numeric_limits<Uid>::max(),
                                       nullptr, snapshot));
  }

  std::vector<Uid> out;
  absl::Status status;
  uint64_t records_read = 0;
  // Evaluates one stored record; false stops the walk (with `status` set).
  auto visit = [&](Uid uid, std::string_view value) {
    ++records_read;
    MessageRecord record;
    if (!Decode(value, &record)) {
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
  };

  std::optional<std::vector<Uid>> candidates;
  if (have_results) candidates = CandidateUids(key, index_results);
  if (candidates.has_value()) {
    // The index bounds the answer: read only those records, in UID order
    // and at the same snapshot as the scan would.
    MR_RETURN_IF_ERROR(ForEachCandidate(*snapshot, mailbox, *candidates, visit));
    GetSearchCounters().records_read += records_read;
    MR_RETURN_IF_ERROR(status);
    return out;
  }
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kMessages, MailboxIdKey(mailbox),
      [&](std::string_view k, std::string_view value) {
        MailboxId id;
        Uid uid;
        if (!ParseMessageKey(k, &id, &uid)) {
          status = absl::DataLossError("undecodable message record");
          return false;
        }
        return visit(uid, value);
      },
      nullptr, snapshot));
  GetSearchCounters().records_read += records_read;
  MR_RETURN_IF_ERROR(status);
  return out;
}

}  // namespace mailroom::store::internal
