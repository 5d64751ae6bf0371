// Annotation entry names (RFC 5464 section 3.2).
//
// Thread-safety: pure functions.
#ifndef MAILROOM_STORE_INTERNAL_METADATA_NAMES_H_
#define MAILROOM_STORE_INTERNAL_METADATA_NAMES_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace mailroom::store::internal {

// Longest entry name accepted.
inline constexpr size_t kMaxMetadataEntryBytes = 1024;

// The name in lower case (names compare case-insensitively), or
// kInvalidArgument starting "invalid annotation entry": it must start with
// "/private/" or "/shared/", hold only bytes 0x20-0x7e other than "*" and
// "%", and have no "//" and no trailing "/". With `allow_scope`, the bare
// scopes "/private" and "/shared" are accepted too (a GETMETADATA DEPTH
// root).
absl::StatusOr<std::string> CanonicalMetadataEntry(std::string_view name,
                                                   bool allow_scope);

// True for "/private" and names below it. REQUIRES: a canonical name.
inline bool IsPrivateMetadataEntry(std::string_view name) {
  return name == "/private" || name.starts_with("/private/");
}

}  // namespace mailroom::store::internal

#endif  // MAILROOM_STORE_INTERNAL_METADATA_NAMES_H_
