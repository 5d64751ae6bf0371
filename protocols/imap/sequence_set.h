// IMAP sequence sets (RFC 9051 "sequence-set", with "$" of RFC 5182).
// A set is parsed once and resolved later against the mailbox state, since
// "*" means "the largest number in use" at the time of execution.
//
// Thread-safety: plain values.
#ifndef MAILROOM_PROTOCOLS_IMAP_SEQUENCE_SET_H_
#define MAILROOM_PROTOCOLS_IMAP_SEQUENCE_SET_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace mailroom::imap {

// "*" inside a range.
inline constexpr uint32_t kStar = 0;

struct SeqRange {
  uint32_t first = 1;  // kStar for "*"
  uint32_t last = 1;   // kStar for "*"; may be below `first` ("5:2")
};

// A sorted, merged list of inclusive ranges of concrete numbers.
struct ResolvedRange {
  uint32_t first;
  uint32_t last;
  bool operator==(const ResolvedRange&) const = default;
};

struct SequenceSet {
  bool saved = false;  // "$": the saved search result (RFC 5182)
  std::vector<SeqRange> ranges;

  // Replaces kStar by `star` and sorts and merges. `star` is the largest
  // number in use (message count, or the highest UID); when it is 0 the
  // mailbox is empty and ranges made only of "*" resolve to nothing.
  std::vector<ResolvedRange> Resolve(uint32_t star) const;
};

// Parses "1,3:5,7:*" or "$". Fails on zero, overflow, empty elements, or
// more than `max_elements` comma-separated elements.
absl::StatusOr<SequenceSet> ParseSequenceSet(std::string_view text,
                                             size_t max_elements = 100000);

// Formats ascending numbers compactly ("1:3,7"). Input need not be sorted.
std::string FormatNumberSet(std::vector<uint32_t> numbers);
std::string FormatRanges(const std::vector<ResolvedRange>& ranges);

bool RangesContain(const std::vector<ResolvedRange>& ranges, uint32_t n);

}  // namespace mailroom::imap

#endif  // MAILROOM_PROTOCOLS_IMAP_SEQUENCE_SET_H_
