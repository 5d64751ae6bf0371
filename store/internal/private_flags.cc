#include "store/internal/private_flags.h"

#include <algorithm>

#include "store/internal/strings.h"

namespace mailroom::store::internal {

absl::StatusOr<std::vector<std::string>> NormalizeKeywords(
    const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const std::string& k : in) {
    if (k.empty() || k.size() > 255 || k[0] == '\\') {
      return absl::InvalidArgumentError("invalid keyword");
    }
    for (char c : k) {
      unsigned char u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u >= 0x7f || c == '(' || c == ')' || c == '{' ||
          c == '%' || c == '*' || c == '"' || c == ']') {
        return absl::InvalidArgumentError("invalid keyword");
      }
    }
    if (!HasKeyword(out, k)) out.push_back(k);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool HasKeyword(const std::vector<std::string>& list, std::string_view k) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& o) {
    return EqualsIgnoreCase(o, k);
  });
}

absl::StatusOr<Flags> NormalizePrivateFlags(const Flags& in) {
  if ((in.system & kDeleted) != 0) {
    return absl::InvalidArgumentError(
        "\\Deleted cannot be private: expunge is shared");
  }
  if ((in.system & ~kAllSystemFlags) != 0) {
    return absl::InvalidArgumentError("unknown system flag");
  }
  Flags out;
  out.system = in.system;
  absl::StatusOr<std::vector<std::string>> keywords =
      NormalizeKeywords(in.keywords);
  if (!keywords.ok()) return keywords.status();
  out.keywords = *std::move(keywords);
  return out;
}

bool IsPrivateKeyword(const Flags& private_flags, std::string_view keyword) {
  return HasKeyword(private_flags.keywords, keyword);
}

SeenRow EmptyRow() {
  SeenRow row;
  row.system_mask = 0;
  return row;
}

int64_t SeenDelta(const SeenRow& row, bool shared_seen) {
  if ((row.system_mask & kSeen) == 0) return 0;
  return (row.seen ? 1 : 0) - (shared_seen ? 1 : 0);
}

void ApplyRow(const SeenRow& row, Flags* flags) {
  uint32_t values = (row.system & ~uint32_t{kSeen}) |
                    (row.seen ? uint32_t{kSeen} : 0u);
  flags->system = (flags->system & ~row.system_mask) | (values & row.system_mask);
  if (row.keyword_mask.empty()) return;
  std::erase_if(flags->keywords, [&](const std::string& k) {
    return HasKeyword(row.keyword_mask, k);
  });
  flags->keywords.insert(flags->keywords.end(), row.keywords.begin(),
                         row.keywords.end());
  std::sort(flags->keywords.begin(), flags->keywords.end());
}

bool SplitPrivate(const Flags& private_flags, const Flags& shared,
                  const Flags& view, const Flags& wanted,
                  const std::optional<SeenRow>& old, Flags* new_shared,
                  SeenRow* row) {
  const uint32_t p = private_flags.system;
  new_shared->system = (wanted.system & ~p) | (shared.system & p);
  new_shared->keywords.clear();
  for (const std::string& k : wanted.keywords) {
    if (!IsPrivateKeyword(private_flags, k)) new_shared->keywords.push_back(k);
  }
  for (const std::string& k : shared.keywords) {
    if (IsPrivateKeyword(private_flags, k)) new_shared->keywords.push_back(k);
  }
  std::sort(new_shared->keywords.begin(), new_shared->keywords.end());

  *row = old.value_or(EmptyRow());
  const uint32_t changed = (wanted.system ^ view.system) & p;
  row->system_mask |= changed;
  if ((changed & kSeen) != 0) row->seen = (wanted.system & kSeen) != 0;
  const uint32_t others = changed & ~uint32_t{kSeen};
  row->system = (row->system & ~others) | (wanted.system & others);
  bool keywords_changed = false;
  for (const std::string& k : private_flags.keywords) {
    bool want = HasKeyword(wanted.keywords, k);
    if (want == HasKeyword(view.keywords, k)) continue;
    keywords_changed = true;
    if (!HasKeyword(row->keyword_mask, k)) row->keyword_mask.push_back(k);
    std::erase_if(row->keywords,
                  [&](const std::string& o) { return EqualsIgnoreCase(o, k); });
    if (want) row->keywords.push_back(k);
  }
  std::sort(row->keyword_mask.begin(), row->keyword_mask.end());
  std::sort(row->keywords.begin(), row->keywords.end());
  return changed != 0 || keywords_changed;
}

bool SplitNewMessage(const Flags& private_flags, const Flags& wanted,
                     Flags* new_shared, SeenRow* row) {
  Flags blank;
  blank.system = wanted.system & ~private_flags.system;
  for (const std::string& k : wanted.keywords) {
    if (!IsPrivateKeyword(private_flags, k)) blank.keywords.push_back(k);
  }
  return SplitPrivate(private_flags, blank, blank, wanted, std::nullopt,
                      new_shared, row);
}

bool RestrictRow(const Flags& private_flags, SeenRow* row) {
  const SeenRow before = *row;
  row->system_mask &= private_flags.system;
  if ((row->system_mask & kSeen) == 0) row->seen = false;
  row->system &= row->system_mask & ~uint32_t{kSeen};
  std::erase_if(row->keyword_mask, [&](const std::string& k) {
    return !IsPrivateKeyword(private_flags, k);
  });
  std::erase_if(row->keywords, [&](const std::string& k) {
    return !HasKeyword(row->keyword_mask, k);
  });
  return !(before == *row);
}

}  // namespace mailroom::store::internal
