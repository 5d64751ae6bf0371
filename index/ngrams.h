// Character n-grams of folded UTF-8 text: the index's terms (index/schema.h).
//
// Thread-safety: pure functions.
#ifndef MAILROOM_INDEX_NGRAMS_H_
#define MAILROOM_INDEX_NGRAMS_H_

#include <cstddef>
#include <string_view>
#include <vector>

namespace mailroom::index {

// Number of UTF-8 code points (continuation bytes are not counted, so
// malformed input still yields a count).
size_t CountCodePoints(std::string_view utf8);

// Every distinct run of 1 to `max_length` consecutive code points of `utf8`,
// as views into it, in no particular order.
std::vector<std::string_view> DistinctGrams(std::string_view utf8,
                                            size_t max_length);

// Every distinct run of exactly `length` code points.
std::vector<std::string_view> DistinctGramsOfLength(std::string_view utf8,
                                                    size_t length);

}  // namespace mailroom::index

#endif  // MAILROOM_INDEX_NGRAMS_H_
