// RFC 4314 rights strings. A rights string is a set of letters kept in the
// canonical order "lrswipkxtea".
//
// Thread-safety: free functions on values.
#ifndef MAILROOM_STORE_INTERNAL_RIGHTS_H_
#define MAILROOM_STORE_INTERNAL_RIGHTS_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace mailroom::store::internal {

inline constexpr std::string_view kAllRights = "lrswipkxtea";

// Checks the letters and returns them in canonical order, without
// duplicates. The obsolete RFC 2086 letters "c" and "d" map to "k" and
// "xte". kInvalidArgument on an unknown letter.
absl::StatusOr<std::string> CanonicalRights(std::string_view rights);

std::string UnionRights(std::string_view a, std::string_view b);
std::string SubtractRights(std::string_view a, std::string_view b);
inline bool HasRight(std::string_view rights, char right) {
  return rights.find(right) != std::string_view::npos;
}

}  // namespace mailroom::store::internal

#endif  // MAILROOM_STORE_INTERNAL_RIGHTS_H_
