#include "store/internal/search_eval.h"

#include <algorithm>
#include <iterator>

#include "index/matcher.h"
#include "index/mime_text.h"
#include "mime/text.h"
#include "store/internal/strings.h"

namespace mailroom::store::internal {

int64_t DayOf(int64_t seconds, int32_t tz_minutes) {
  int64_t local = seconds + static_cast<int64_t>(tz_minutes) * 60;
  int64_t day = local / 86400;
  if (local % 86400 < 0) --day;
  return day;
}

bool DayMatches(const SearchKey& key, int64_t day) {
  using K = SearchKey::Kind;
  if (key.kind == K::kSentBefore || key.kind == K::kBefore) {
    return day < key.number;
  }
  if (key.kind == K::kSentOn || key.kind == K::kOn) return day == key.number;
  return day >= key.number;
}

FoldedText FoldMessageText(std::string_view raw) {
  return index::FoldMessage(raw);
}

FoldedText FoldStoredMessageText(std::string_view raw,
                                 std::string_view structure) {
  return index::FoldStoredMessage(raw, structure);
}

bool HasTextKey(const SearchKey& key) {
  if (key.is_text()) return true;
  return std::any_of(key.children.begin(), key.children.end(),
                     [](const SearchKey& c) { return HasTextKey(c); });
}

bool IsTextOnly(const SearchKey& key) {
  if (key.is_text()) return true;
  using K = SearchKey::Kind;
  if (key.kind != K::kAnd && key.kind != K::kOr && key.kind != K::kNot) {
    return false;
  }
  if (key.children.empty()) return false;
  return std::all_of(key.children.begin(), key.children.end(),
                     [](const SearchKey& c) { return IsTextOnly(c); });
}

void CollectTextSubtrees(const SearchKey& key,
                         std::vector<const SearchKey*>* out) {
  if (IsTextOnly(key)) {
    out->push_back(&key);
    return;
  }
  for (const SearchKey& child : key.children) CollectTextSubtrees(child, out);
}

bool IsSentDateKey(const SearchKey& key) {
  using K = SearchKey::Kind;
  return key.kind == K::kSentBefore || key.kind == K::kSentOn ||
         key.kind == K::kSentSince;
}

void CollectSentDateKeys(const SearchKey& key,
                         std::vector<const SearchKey*>* out) {
  if (IsSentDateKey(key)) out->push_back(&key);
  for (const SearchKey& child : key.children) CollectSentDateKeys(child, out);
}

namespace {

std::vector<Uid> SortedUnion(const std::vector<Uid>& a,
                             const std::vector<Uid>& b) {
  std::vector<Uid> out;
  out.reserve(a.size() + b.size());
  std::set_union(a.begin(), a.end(), b.begin(), b.end(),
                 std::back_inserter(out));
  return out;
}

// Like CandidateUids, unsorted.
std::optional<std::vector<Uid>> Bound(
    const SearchKey& key, const SearchEvaluator::TextResults& index_results) {
  using K = SearchKey::Kind;
  if (auto it = index_results.find(&key); it != index_results.end()) {
    return it->second;
  }
  if (key.kind == K::kAnd) {
    std::optional<std::vector<Uid>> best;
    for (const SearchKey& child : key.children) {
      std::optional<std::vector<Uid>> b = Bound(child, index_results);
      if (b.has_value() && (!best.has_value() || b->size() < best->size())) {
        best = std::move(b);
      }
    }
    return best;
  }
  if (key.kind == K::kOr && !key.children.empty()) {
    std::vector<Uid> all;
    for (const SearchKey& child : key.children) {
      std::optional<std::vector<Uid>> b = Bound(child, index_results);
      if (!b.has_value()) return std::nullopt;
      all.insert(all.end(), b->begin(), b->end());
    }
    return all;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::vector<Uid>> CandidateUids(
    const SearchKey& key, const SearchEvaluator::TextResults& index_results) {
  std::optional<std::vector<Uid>> uids = Bound(key, index_results);
  if (uids.has_value()) {
    if (!std::is_sorted(uids->begin(), uids->end())) {
      std::sort(uids->begin(), uids->end());
    }
    uids->erase(std::unique(uids->begin(), uids->end()), uids->end());
  }
  return uids;
}

SearchCounters& GetSearchCounters() {
  static SearchCounters* counters = new SearchCounters;
  return *counters;
}

namespace {

// `ranges` with each range's ends in order, sorted and merged.
std::vector<UidRange> NormalRanges(const std::vector<UidRange>& ranges) {
  std::vector<UidRange> out;
  out.reserve(ranges.size());
  for (const UidRange& r : ranges) {
    out.push_back({std::min(r.first, r.last), std::max(r.first, r.last)});
  }
  std::sort(out.begin(), out.end(), [](const UidRange& a, const UidRange& b) {
    return a.first < b.first;
  });
  std::vector<UidRange> merged;
  for (const UidRange& r : out) {
    if (!merged.empty() && r.first <= merged.back().last + uint64_t{1}) {
      merged.back().last = std::max(merged.back().last, r.last);
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

// Listed UID sets are bounded by the mailbox's UIDNEXT; past this many
// UIDs the messages are read instead.
constexpr uint64_t kMaxListedUids = uint64_t{1} << 24;

// The UIDs below `uid_end` in `ranges` (normal), ascending; std::nullopt
// past kMaxListedUids.
std::optional<std::vector<Uid>> ExpandRanges(
    const std::vector<UidRange>& ranges, Uid uid_end) {
  uint64_t total = 0;
  for (const UidRange& r : ranges) {
    if (r.first >= uid_end) break;
    total += std::min<uint64_t>(r.last, uid_end - 1) - r.first + 1;
  }
  if (total > kMaxListedUids) return std::nullopt;
  std::vector<Uid> out;
  out.reserve(total);
  for (const UidRange& r : ranges) {
    for (uint64_t uid = r.first; uid <= r.last && uid < uid_end; ++uid) {
      out.push_back(static_cast<Uid>(uid));
    }
  }
  return out;
}

// The members of `uids` (ascending) inside `ranges` (normal).
std::vector<Uid> KeepInRanges(std::vector<Uid> uids,
                              const std::vector<UidRange>& ranges) {
  auto range = ranges.begin();
  size_t kept = 0;
  for (Uid uid : uids) {
    while (range != ranges.end() && range->last < uid) ++range;
    if (range == ranges.end()) break;
    if (uid >= range->first) uids[kept++] = uid;
  }
  uids.resize(kept);
  return uids;
}

}  // namespace

std::optional<std::vector<Uid>> IndexDecidedUids(
    const SearchKey& key, const SearchEvaluator::TextResults& index_results,
    Uid uid_end) {
  using K = SearchKey::Kind;
  if (auto it = index_results.find(&key); it != index_results.end()) {
    return it->second;
  }
  if (key.kind == K::kUids && uid_end != 0) {
    return ExpandRanges(NormalRanges(key.uids), uid_end);
  }
  if ((key.kind != K::kAnd && key.kind != K::kOr) || key.children.empty()) {
    return std::nullopt;
  }
  std::vector<std::vector<Uid>> parts;
  // AND: UID sets filter the other members rather than being listed.
  std::vector<const SearchKey*> filters;
  for (const SearchKey& child : key.children) {
    if (key.kind == K::kAnd && child.kind == K::kUids && uid_end != 0 &&
        !index_results.contains(&child)) {
      filters.push_back(&child);
      continue;
    }
    std::optional<std::vector<Uid>> part =
        IndexDecidedUids(child, index_results, uid_end);
    if (!part.has_value()) return std::nullopt;
    parts.push_back(*std::move(part));
  }
  if (parts.empty()) {
    std::optional<std::vector<Uid>> listed =
        ExpandRanges(NormalRanges(filters.back()->uids), uid_end);
    if (!listed.has_value()) return std::nullopt;
    parts.push_back(*std::move(listed));
    filters.pop_back();
  }
  std::vector<Uid> out = std::move(parts[0]);
  for (size_t i = 1; i < parts.size(); ++i) {
    if (key.kind == K::kOr) {
      out = SortedUnion(out, parts[i]);
      continue;
    }
    std::vector<Uid> both;
    std::set_intersection(out.begin(), out.end(), parts[i].begin(),
                          parts[i].end(), std::back_inserter(both));
    out = std::move(both);
  }
  for (const SearchKey* filter : filters) {
    out = KeepInRanges(std::move(out), NormalRanges(filter->uids));
  }
  return out;
}

const std::string& SearchEvaluator::Folded(const SearchKey& key) {
  auto it = folded_values_.find(&key);
  if (it == folded_values_.end()) {
    it = folded_values_.emplace(&key, mime::SearchFold(key.value)).first;
  }
  return it->second;
}

absl::StatusOr<FoldedText*> SearchEvaluator::Text(const MessageMeta& meta) {
  if (!loaded_.has_value() || loaded_uid_ != meta.uid) {
    loaded_text_.reset();
    loaded_.reset();
    absl::StatusOr<FoldedText> text = loader_(meta);
    if (!text.ok()) return text.status();
    loaded_ = *std::move(text);
    loaded_text_.emplace(*loaded_);
    loaded_uid_ = meta.uid;
  }
  return &*loaded_;
}

absl::StatusOr<bool> SearchEvaluator::MatchText(const SearchKey& key,
                                                const MessageMeta& meta) {
  absl::StatusOr<FoldedText*> text = Text(meta);
  if (!text.ok()) return text.status();
  const std::string field = key.kind == SearchKey::Kind::kHeader
                                ? ToLowerAscii(key.field)
                                : std::string();
  return index::MatchTextKey(key.kind, field, Folded(key), *loaded_text_);
}

absl::StatusOr<bool> SearchEvaluator::Matches(const SearchKey& key,
                                              const MessageMeta& meta) {
  if (index_results_ != nullptr) {
    auto it = index_results_->find(&key);
    if (it != index_results_->end()) {
      return std::binary_search(it->second.begin(), it->second.end(),
                                meta.uid);
    }
  }
  using K = SearchKey::Kind;
  int64_t internal_day = DayOf(meta.internal_date, meta.internal_tz_minutes);
  auto sent_day = [&]() -> absl::StatusOr<int64_t> {
    absl::StatusOr<FoldedText*> text = Text(meta);
    if (!text.ok()) return text.status();
    // RFC 3501: without a usable Date: header the internal date stands in.
    const FoldedText& t = **text;
    if (!t.date.has_value()) return internal_day;
    return DayOf(*t.date, t.date_tz_minutes);
  };
  switch (key.kind) {
    case K::kAll:
      return true;
    case K::kAnd:
      for (const SearchKey& child : key.children) {
        absl::StatusOr<bool> m = Matches(child, meta);
        if (!m.ok() || !*m) return m;
      }
      return true;
    case K::kOr:
      for (const SearchKey& child : key.children) {
        absl::StatusOr<bool> m = Matches(child, meta);
        if (!m.ok() || *m) return m;
      }
      return false;
    case K::kNot: {
      if (key.children.empty()) return false;
      absl::StatusOr<bool> m = Matches(key.children[0], meta);
      if (!m.ok()) return m;
      return !*m;
    }
    case K::kUids:
      for (const UidRange& r : key.uids) {
        if (meta.uid >= std::min(r.first, r.last) &&
            meta.uid <= std::max(r.first, r.last)) {
          return true;
        }
      }
      return false;
    case K::kFlagSet:
      return (meta.flags.system & key.number) == static_cast<uint32_t>(key.number);
    case K::kFlagClear:
      return (meta.flags.system & key.number) == 0;
    case K::kKeyword:
    case K::kUnkeyword: {
      bool set = std::any_of(meta.flags.keywords.begin(),
                             meta.flags.keywords.end(), [&](const auto& k) {
                               return EqualsIgnoreCase(k, key.value);
                             });
      return key.kind == K::kKeyword ? set : !set;
    }
    case K::kBefore:
    case K::kOn:
    case K::kSince:
      return DayMatches(key, internal_day);
    case K::kSentBefore:
    case K::kSentOn:
    case K::kSentSince: {
      absl::StatusOr<int64_t> day = sent_day();
      if (!day.ok()) return day.status();
      return DayMatches(key, *day);
    }
    case K::kLarger:
      return static_cast<int64_t>(meta.size) > key.number;
    case K::kSmaller:
      return static_cast<int64_t>(meta.size) < key.number;
    case K::kOlder:
      return now_ - meta.internal_date > key.number;
    case K::kYounger:
      return now_ - meta.internal_date <= key.number;
    case K::kModSeq:
      return static_cast<int64_t>(meta.modseq) >= key.number;
    case K::kSavedBefore:
      return DayOf(meta.save_date, 0) < key.number;
    case K::kSavedOn:
      return DayOf(meta.save_date, 0) == key.number;
    case K::kSavedSince:
      return DayOf(meta.save_date, 0) >= key.number;
    case K::kSavedOlder:
      return now_ - meta.save_date > key.number;
    case K::kSavedYounger:
      return now_ - meta.save_date <= key.number;
    case K::kEmailId:
      return meta.email_id == key.value;
    case K::kThreadId:
      return !meta.thread_id.empty() && meta.thread_id == key.value;
    case K::kHeader:
    case K::kBody:
    case K::kText:
      return MatchText(key, meta);
  }
  return false;
}

}  // namespace mailroom::store::internal
