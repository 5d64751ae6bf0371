#include "protocols/imap/search_context.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "protocols/imap/esort_response.h"
#include "protocols/imap/response.h"
#include "protocols/imap/sequence_set.h"

namespace mailroom::imap {

std::vector<ContextChange> DiffResults(const std::vector<store::Uid>& before,
                                       const std::vector<store::Uid>& after,
                                       bool sorted) {
  const absl::flat_hash_set<store::Uid> in_before(before.begin(), before.end());
  const absl::flat_hash_set<store::Uid> in_after(after.begin(), after.end());
  std::vector<ContextChange> out;
  // Removals: a run starts where the shrinking list has its first member.
  uint32_t removed_so_far = 0;
  for (size_t i = 0; i < before.size();) {
    if (in_after.contains(before[i])) {
      ++i;
      continue;
    }
    ContextChange c;
    c.position = sorted ? static_cast<uint32_t>(i) - removed_so_far + 1 : 0;
    while (i < before.size() && !in_after.contains(before[i])) {
      c.uids.push_back(before[i++]);
    }
    removed_so_far += static_cast<uint32_t>(c.uids.size());
    out.push_back(std::move(c));
  }
  if (!sorted && out.size() > 1) {  // one set says it all for SEARCH
    for (size_t k = 1; k < out.size(); ++k) {
      out[0].uids.insert(out[0].uids.end(), out[k].uids.begin(),
                         out[k].uids.end());
    }
    out.resize(1);
  }
  const size_t removals = out.size();
  // Additions: once applied in order, the list's prefix equals `after`'s.
  for (size_t i = 0; i < after.size();) {
    if (in_before.contains(after[i])) {
      ++i;
      continue;
    }
    ContextChange c;
    c.add = true;
    c.position = sorted ? static_cast<uint32_t>(i) + 1 : 0;
    while (i < after.size() && !in_before.contains(after[i])) {
      c.uids.push_back(after[i++]);
    }
    out.push_back(std::move(c));
  }
  if (!sorted && out.size() > removals + 1) {
    ContextChange& first = out[removals];
    for (size_t k = removals + 1; k < out.size(); ++k) {
      first.uids.insert(first.uids.end(), out[k].uids.begin(),
                        out[k].uids.end());
    }
    out.resize(removals + 1);
  }
  return out;
}

std::string ContextUpdateResponse(
    const SearchContext& context, const std::vector<ContextChange>& changes,
    const std::function<uint32_t(store::Uid)>& number) {
  if (changes.empty()) return "";
  std::string line =
      absl::StrCat("ESEARCH (TAG ", QuoteString(context.tag), ")");
  if (context.uid) line += " UID";
  for (const ContextChange& c : changes) {
    std::vector<uint32_t> numbers;
    numbers.reserve(c.uids.size());
    for (store::Uid uid : c.uids) {
      numbers.push_back(context.uid ? uid : number(uid));
    }
    absl::StrAppend(&line, c.add ? " ADDTO (" : " REMOVEFROM (", c.position,
                    " ",
                    context.sort ? OrderedNumberSet(numbers)
                                 : FormatNumberSet(numbers),
                    ")");
  }
  return line;
}

std::string PartialResponse(std::pair<uint32_t, uint32_t> range,
                            const std::vector<uint32_t>& ordered, bool sorted) {
  std::string out = absl::StrCat("PARTIAL (", range.first, ":", range.second, " ");
  std::vector<uint32_t> slice;
  if (range.first >= 1 && range.first <= ordered.size()) {
    const size_t last = std::min<size_t>(range.second, ordered.size());
    slice.assign(ordered.begin() + (range.first - 1), ordered.begin() + last);
  }
  if (slice.empty()) {
    out += "NIL";
  } else {
    out += sorted ? OrderedNumberSet(slice) : FormatNumberSet(slice);
  }
  out += ")";
  return out;
}

bool SearchContexts::Add(SearchContext context) {
  for (SearchContext& c : contexts_) {
    if (c.tag == context.tag) {
      c = std::move(context);
      return true;
    }
  }
  if (contexts_.size() >= max_) return false;
  contexts_.push_back(std::move(context));
  return true;
}

bool SearchContexts::Has(std::string_view tag) const {
  for (const SearchContext& c : contexts_) {
    if (c.tag == tag) return true;
  }
  return false;
}

bool SearchContexts::Cancel(std::string_view tag) {
  auto it = std::find_if(contexts_.begin(), contexts_.end(),
                         [&](const SearchContext& c) { return c.tag == tag; });
  if (it == contexts_.end()) return false;
  contexts_.erase(it);
  return true;
}

std::vector<std::string> SearchContexts::Expunge(
    const std::set<store::Uid>& uids,
    const std::function<uint32_t(store::Uid)>& number) {
  std::vector<std::string> lines;
  if (uids.empty()) return lines;
  for (SearchContext& c : contexts_) {
    std::vector<store::Uid> kept;
    kept.reserve(c.result.size());
    for (store::Uid uid : c.result) {
      if (!uids.contains(uid)) kept.push_back(uid);
    }
    if (kept.size() == c.result.size()) continue;
    std::string line =
        ContextUpdateResponse(c, DiffResults(c.result, kept, c.sort), number);
    for (store::Uid uid : uids) c.values.erase(uid);
    c.result = std::move(kept);
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace mailroom::imap
