// How the store says "the disk is full": kResourceExhausted with a message
// starting with kNoSpacePrefix. Unlike quota or a limit it is temporary:
// protocols answer with a temporary error and the store resumes writing on
// its own once space returns.
#ifndef MAILROOM_STORE_NO_SPACE_H_
#define MAILROOM_STORE_NO_SPACE_H_

#include "absl/status/status.h"
#include "absl/strings/match.h"

namespace mailroom::store {

inline constexpr char kNoSpacePrefix[] = "NOSPACE";

inline bool IsNoSpace(const absl::Status& status) {
  return status.code() == absl::StatusCode::kResourceExhausted &&
         absl::StartsWith(status.message(), kNoSpacePrefix);
}

}  // namespace mailroom::store

#endif  // MAILROOM_STORE_NO_SPACE_H_
