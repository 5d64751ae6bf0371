// The ESEARCH response of SORT ... RETURN (...) (ESORT, RFC 5267 section
// 3): MIN and MAX are the first and last message in sort order, ALL lists
// every match in sort order, COUNT counts them.
//
// Thread-safety: pure function.
#ifndef MAILROOM_PROTOCOLS_IMAP_ESORT_RESPONSE_H_
#define MAILROOM_PROTOCOLS_IMAP_ESORT_RESPONSE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mailroom::imap {

// `returns`: upper-case options of MIN MAX ALL COUNT; none means ALL.
// `sorted`: sequence numbers or UIDs (`uid`) in sort order.
std::string EsortResponse(std::string_view tag, bool uid,
                          const std::vector<std::string>& returns,
                          const std::vector<uint32_t>& sorted);

// A sequence-set that keeps the given order: ascending runs of consecutive
// numbers become "a:b", everything else stays where it is ("5,1:3,9").
std::string OrderedNumberSet(const std::vector<uint32_t>& numbers);

}  // namespace mailroom::imap

#endif  // MAILROOM_PROTOCOLS_IMAP_ESORT_RESPONSE_H_
