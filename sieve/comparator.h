// Comparators (RFC 4790: i;octet, i;ascii-casemap, i;ascii-numeric), the
// match types of RFC 5228 §2.7 (:is, :contains, :matches with its "*" and
// "?" wildcards) and the relational operators of RFC 5231.
//
// Thread-safety: pure functions.
#ifndef MAILROOM_SIEVE_COMPARATOR_H_
#define MAILROOM_SIEVE_COMPARATOR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailroom::sieve {

enum class Comparator { kOctet, kAsciiCasemap, kAsciiNumeric };
enum class Relation { kGt, kGe, kLt, kLe, kEq, kNe };

std::optional<Comparator> ParseComparator(std::string_view name);
std::optional<Relation> ParseRelation(std::string_view name);

// Ordering under `c`: negative, zero or positive. For i;ascii-numeric a
// string without leading digits is greater than every number (RFC 4790 §9.1).
int Compare(Comparator c, std::string_view a, std::string_view b);
bool Relate(Relation r, int ordering);

// :contains, in O(value + key) time. Not defined for i;ascii-numeric (the
// compiler refuses it).
bool Contains(Comparator c, std::string_view value, std::string_view key);

// :matches. "*" matches any sequence, "?" one character (one UTF-8
// character when the value is valid UTF-8), "\" quotes the next character.
// When `captures` is given and the value matches, it receives ${0} (the
// whole value) then the text of each wildcard in order; earlier "*"s take
// as little as they can (RFC 5229 §3.2). Work is O(value x pattern) in the
// worst case: when `budget` is given, each step of the scan takes one from
// it, and the match gives up (false, *budget == 0) when none is left.
bool GlobMatch(Comparator c, std::string_view value, std::string_view pattern,
               std::vector<std::string>* captures, uint64_t* budget = nullptr);

// The value with "*", "?" and "\" quoted by "\" (set :quotewildcard).
std::string QuoteWildcards(std::string_view value);

}  // namespace mailroom::sieve

#endif  // MAILROOM_SIEVE_COMPARATOR_H_
