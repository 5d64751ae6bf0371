#include "store/internal/search_columns.h"

#include <algorithm>
#include <utility>

#include "store/internal/search_eval.h"

namespace mailroom::store::internal {
namespace {

using K = SearchKey::Kind;

bool IsColumnLeaf(const SearchKey& key) {
  switch (key.kind) {
    case K::kBefore:
    case K::kOn:
    case K::kSince:
    case K::kOlder:
    case K::kYounger:
    case K::kSavedBefore:
    case K::kSavedOn:
    case K::kSavedSince:
    case K::kSavedOlder:
    case K::kSavedYounger:
    case K::kLarger:
    case K::kSmaller:
      return true;
    default:
      return false;
  }
}

// As SearchEvaluator::Matches does for a message record.
bool Matches(const SearchKey& key, const ColumnEntry& e, int64_t now) {
  switch (key.kind) {
    case K::kAnd:
      return std::all_of(key.children.begin(), key.children.end(),
                         [&](const SearchKey& c) { return Matches(c, e, now); });
    case K::kOr:
      return std::any_of(key.children.begin(), key.children.end(),
                         [&](const SearchKey& c) { return Matches(c, e, now); });
    case K::kNot:
      return !key.children.empty() && !Matches(key.children[0], e, now);
    case K::kBefore:
    case K::kOn:
    case K::kSince:
      return DayMatches(key, DayOf(e.internal_date, e.internal_tz_minutes));
    case K::kOlder:
      return now - e.internal_date > key.number;
    case K::kYounger:
      return now - e.internal_date <= key.number;
    case K::kSavedBefore:
      return DayOf(e.save_date, 0) < key.number;
    case K::kSavedOn:
      return DayOf(e.save_date, 0) == key.number;
    case K::kSavedSince:
      return DayOf(e.save_date, 0) >= key.number;
    case K::kSavedOlder:
      return now - e.save_date > key.number;
    case K::kSavedYounger:
      return now - e.save_date <= key.number;
    case K::kUids:
      return std::any_of(key.uids.begin(), key.uids.end(),
                         [&](const UidRange& r) {
                           return e.uid >= std::min(r.first, r.last) &&
                                  e.uid <= std::max(r.first, r.last);
                         });
    case K::kLarger:
      return static_cast<int64_t>(e.size) > key.number;
    case K::kSmaller:
      return static_cast<int64_t>(e.size) < key.number;
    default:
      return false;  // not reached: AnsweredByColumn rules the rest out
  }
}

}  // namespace

std::shared_ptr<const Column> Column::Extend(std::vector<ColumnEntry> more,
                                             Uid new_covered) const {
  auto out = std::make_shared<Column>(*this);
  out->covered = std::max(covered, new_covered);
  out->size += more.size();
  size_t next = 0;
  // Fill the last, partial piece first (copied: the old one stays shared).
  if (!out->pieces.empty() && out->pieces.back()->size() < kColumnPiece &&
      !more.empty()) {
    auto last = std::make_shared<std::vector<ColumnEntry>>(*out->pieces.back());
    while (next < more.size() && last->size() < kColumnPiece) {
      last->push_back(more[next++]);
    }
    out->pieces.back() = std::move(last);
  }
  while (next < more.size()) {
    auto piece = std::make_shared<std::vector<ColumnEntry>>();
    const size_t n = std::min(kColumnPiece, more.size() - next);
    piece->assign(more.begin() + next, more.begin() + next + n);
    next += n;
    out->pieces.push_back(std::move(piece));
  }
  return out;
}

bool AnsweredByColumn(const SearchKey& key) {
  if (IsColumnLeaf(key) || key.kind == K::kUids) return true;
  if (key.kind != K::kAnd && key.kind != K::kOr && key.kind != K::kNot) {
    return false;
  }
  return !key.children.empty() &&
         std::all_of(key.children.begin(), key.children.end(),
                     [](const SearchKey& c) { return AnsweredByColumn(c); });
}

void CollectColumnSubtrees(const SearchKey& key,
                           std::vector<const SearchKey*>* out) {
  // A UID set alone needs no column (search_eval.h, IndexDecidedUids).
  if (key.kind == K::kUids) return;
  if (AnsweredByColumn(key)) {
    out->push_back(&key);
    return;
  }
  for (const SearchKey& child : key.children) {
    CollectColumnSubtrees(child, out);
  }
}

std::vector<Uid> MatchColumn(const Column& column, const SearchKey& key,
                             int64_t now) {
  std::vector<Uid> out;
  for (const auto& piece : column.pieces) {
    for (const ColumnEntry& e : *piece) {
      if (Matches(key, e, now)) out.push_back(e.uid);
    }
  }
  return out;
}

std::shared_ptr<const Column> SearchColumns::Get(MailboxId mailbox,
                                                 uint32_t uidvalidity) {
  MutexLock lock(&mu_);
  auto it = kept_.find(mailbox);
  if (it == kept_.end()) return nullptr;
  if (it->second.column->uidvalidity != uidvalidity) return nullptr;
  recency_.splice(recency_.begin(), recency_, it->second.used);
  return it->second.column;
}

void SearchColumns::Put(MailboxId mailbox,
                        std::shared_ptr<const Column> column) {
  if (column->Bytes() > max_bytes_) return;
  MutexLock lock(&mu_);
  auto it = kept_.find(mailbox);
  if (it != kept_.end()) {
    const Column& old = *it->second.column;
    if (old.uidvalidity == column->uidvalidity &&
        old.covered >= column->covered) {
      return;
    }
    bytes_ -= old.Bytes();
    recency_.splice(recency_.begin(), recency_, it->second.used);
    it->second.column = std::move(column);
    bytes_ += it->second.column->Bytes();
  } else {
    recency_.push_front(mailbox);
    bytes_ += column->Bytes();
    kept_[mailbox] = Kept{std::move(column), recency_.begin()};
  }
  while (bytes_ > max_bytes_ && recency_.size() > 1) {
    const MailboxId oldest = recency_.back();
    recency_.pop_back();
    auto gone = kept_.find(oldest);
    bytes_ -= gone->second.column->Bytes();
    kept_.erase(gone);
  }
}

}  // namespace mailroom::store::internal
