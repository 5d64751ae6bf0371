#include "protocols/imap/sequence_set.h"
#include "protocols/imap/strings.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mailroom::imap {
namespace {

absl::StatusOr<uint32_t> ParseSeqNumber(std::string_view s) {
  if (s == "*") return kStar;
  if (s.empty() || s.size() > 10 || s[0] == '0') {
    return absl::InvalidArgumentError("invalid sequence number");
  }
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') {
      return absl::InvalidArgumentError("invalid sequence number");
    }
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > 0xffffffffull) {
    return absl::InvalidArgumentError("sequence number out of range");
  }
  return static_cast<uint32_t>(v);
}

std::vector<ResolvedRange> Merge(std::vector<ResolvedRange> r) {
  std::sort(r.begin(), r.end(), [](const ResolvedRange& a,
                                   const ResolvedRange& b) {
    return a.first < b.first;
  });
  std::vector<ResolvedRange> out;
  for (const auto& x : r) {
    if (!out.empty() && static_cast<uint64_t>(out.back().last) + 1 >= x.first) {
      out.back().last = std::max(out.back().last, x.last);
    } else {
      out.push_back(x);
    }
  }
  return out;
}

}  // namespace

std::vector<ResolvedRange> SequenceSet::Resolve(uint32_t star) const {
  std::vector<ResolvedRange> out;
  out.reserve(ranges.size());
  for (const SeqRange& r : ranges) {
    if (star == 0 && r.first == kStar && r.last == kStar) continue;
    uint32_t a = r.first == kStar ? star : r.first;
    uint32_t b = r.last == kStar ? star : r.last;
    if (a > b) std::swap(a, b);
    if (b == 0) continue;
    if (a == 0) a = 1;
    out.push_back({a, b});
  }
  return Merge(std::move(out));
}

absl::StatusOr<SequenceSet> ParseSequenceSet(std::string_view text,
                                             size_t max_elements) {
  SequenceSet set;
  if (text == "$") {
    set.saved = true;
    return set;
  }
  if (text.empty()) return absl::InvalidArgumentError("empty sequence set");
  size_t count = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view element = text.substr(start, comma - start);
    start = comma + 1;
    if (++count > max_elements) {
      return absl::ResourceExhaustedError("sequence set too large");
    }
    const size_t colon = element.find(':');
    SeqRange range;
    if (colon == std::string_view::npos) {
      auto n = ParseSeqNumber(element);
      if (!n.ok()) return n.status();
      range.first = range.last = *n;
    } else {
      auto a = ParseSeqNumber(element.substr(0, colon));
      auto b = ParseSeqNumber(element.substr(colon + 1));
      if (!a.ok()) return a.status();
      if (!b.ok()) return b.status();
      range.first = *a;
      range.last = *b;
    }
    set.ranges.push_back(range);
  }
  return set;
}

std::string FormatNumberSet(std::vector<uint32_t> numbers) {
  std::sort(numbers.begin(), numbers.end());
  numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
  std::vector<ResolvedRange> ranges;
  for (uint32_t n : numbers) {
    if (!ranges.empty() && ranges.back().last + 1 == n) {
      ranges.back().last = n;
    } else {
      ranges.push_back({n, n});
    }
  }
  return FormatRanges(ranges);
}

std::string FormatRanges(const std::vector<ResolvedRange>& ranges) {
  std::string out;
  for (const auto& r : ranges) {
    if (!out.empty()) out.push_back(',');
    if (r.first == r.last) {
      absl::StrAppend(&out, r.first);
    } else {
      absl::StrAppend(&out, r.first, ":", r.last);
    }
  }
  return out;
}

bool RangesContain(const std::vector<ResolvedRange>& ranges, uint32_t n) {
  auto it = std::upper_bound(
      ranges.begin(), ranges.end(), n,
      [](uint32_t v, const ResolvedRange& r) { return v < r.first; });
  if (it == ranges.begin()) return false;
  --it;
  return n >= it->first && n <= it->last;
}

}  // namespace mailroom::imap
