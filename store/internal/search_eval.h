// Evaluation of a SearchKey tree against one message.
//
// Metadata keys are answered from MessageMeta. Text keys and SENT* keys are
// answered either from precomputed per-node results (what the text index
// returned) or by brute force on the message's decoded, folded text, which
// is loaded lazily (and at most once per message) through a callback.
//
// Thread-safety: a SearchEvaluator is used by one thread at a time.
#ifndef MAILROOM_STORE_INTERNAL_SEARCH_EVAL_H_
#define MAILROOM_STORE_INTERNAL_SEARCH_EVAL_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "index/folded_text.h"
#include "index/matchable_text.h"
#include "store/search_key.h"
#include "store/types.h"

namespace mailroom::store::internal {

// The searchable text of one message, decoded and folded as the index
// decodes it (index/mime_text.h).
using FoldedText = index::FoldedText;

// Decodes and folds the text of a message (raw bytes -> FoldedText).
FoldedText FoldMessageText(std::string_view raw);
// The same from the structure the store parsed at append (mime::Serialize
// form), without parsing the message again.
FoldedText FoldStoredMessageText(std::string_view raw,
                                 std::string_view structure);

// Days since the epoch of `seconds` in a zone `tz_minutes` east of UTC.
int64_t DayOf(int64_t seconds, int32_t tz_minutes);
// Whether `day` satisfies a kSentBefore / kSentOn / kSentSince (or kBefore /
// kOn / kSince) key.
bool DayMatches(const SearchKey& key, int64_t day);

// True if `key` contains a text key anywhere.
bool HasTextKey(const SearchKey& key);
// True if `key` and all its descendants are text keys or AND/OR/NOT of them.
bool IsTextOnly(const SearchKey& key);
// The largest text-only sub-trees of `key` (what the text index answers).
void CollectTextSubtrees(const SearchKey& key,
                         std::vector<const SearchKey*>* out);
// True for SENTBEFORE / SENTON / SENTSINCE.
bool IsSentDateKey(const SearchKey& key);
// The SENT* keys of `key` (the text index answers them from the Date:
// header's day).
void CollectSentDateKeys(const SearchKey& key,
                         std::vector<const SearchKey*>* out);

class SearchEvaluator {
 public:
  using TextLoader =
      std::function<absl::StatusOr<FoldedText>(const MessageMeta&)>;
  // The messages matching each index-answered node, ascending.
  using TextResults = absl::flat_hash_map<const SearchKey*, std::vector<Uid>>;

  // `index_results` (may be null) answers the sub-trees it holds; other text
  // keys use `loader`. `now` is seconds since the epoch (OLDER/YOUNGER).
  SearchEvaluator(int64_t now, TextLoader loader,
                  const TextResults* index_results)
      : now_(now), loader_(std::move(loader)), index_results_(index_results) {}

  // Evaluates `key` for one message. Errors only come from the loader.
  absl::StatusOr<bool> Matches(const SearchKey& key, const MessageMeta& meta);

 private:
  absl::StatusOr<bool> MatchText(const SearchKey& key, const MessageMeta& meta);
  absl::StatusOr<FoldedText*> Text(const MessageMeta& meta);
  const std::string& Folded(const SearchKey& key);

  int64_t now_;
  TextLoader loader_;
  const TextResults* index_results_;
  Uid loaded_uid_ = 0;
  std::optional<FoldedText> loaded_;
  std::optional<index::InMemoryText> loaded_text_;  // views into loaded_
  absl::flat_hash_map<const SearchKey*, std::string> folded_values_;
};

// The UIDs, ascending, outside which `key` cannot match, when the index
// results bound it: an index-answered node, an AND with such a child (its
// smallest one), or an OR of bounded children. std::nullopt when any message
// may match (a NOT of a metadata key, metadata-only keys, an empty AND): the
// caller then has to look at every message. Messages the index does not
// hold never match an index-answered node, so the bound gives the same
// answer as looking at every message.
std::optional<std::vector<Uid>> CandidateUids(
    const SearchKey& key, const SearchEvaluator::TextResults& index_results);

// How searches were answered since the process started: for tests and
// benchmarks. Thread-safe.
struct SearchCounters {
  std::atomic<uint64_t> index_decided{0};  // from the index alone
  std::atomic<uint64_t> records_read{0};   // message records evaluated
  // Records of newly appended messages read into date and size columns.
  std::atomic<uint64_t> column_records_read{0};
  // Reads of the durable index queue by CatchUpIndex (skipped when the
  // store knows nothing is queued).
  std::atomic<uint64_t> index_queue_scans{0};
  // Messages still queued for the index that a text search read itself.
  std::atomic<uint64_t> unindexed_read{0};
  // Of those, the ones whose text was decoded (not kept from an earlier
  // search).
  std::atomic<uint64_t> unindexed_decoded{0};
};
SearchCounters& GetSearchCounters();

// The exact answer, ascending, when the index results alone decide `key`:
// an index-answered node, or an AND / OR of such nodes. With `uid_end`
// (the mailbox's UIDNEXT) UID sets decide too: an AND keeps the decided
// members inside them, an OR adds their UIDs below `uid_end`, which may
// name messages no longer stored (the caller checks the answer against the
// store). std::nullopt when some message must be read.
std::optional<std::vector<Uid>> IndexDecidedUids(
    const SearchKey& key, const SearchEvaluator::TextResults& index_results,
    Uid uid_end = 0);

}  // namespace mailroom::store::internal

#endif  // MAILROOM_STORE_INTERNAL_SEARCH_EVAL_H_
