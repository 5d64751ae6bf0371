// Test helper: checks that a parsed message's spans are consistent with the
// raw bytes (used by unit, corpus and fuzz tests).
//
// Thread-safety: free function; safe to call concurrently.
#ifndef MAILROOM_MIME_TESTING_TILING_H_
#define MAILROOM_MIME_TESTING_TILING_H_

#include <string>
#include <string_view>

#include "mime/message.h"

namespace mailroom::mime::testing {

// Returns "" if every part's header is immediately followed by its body,
// each part lies inside its parent's body, siblings are in order without
// overlap, and the root covers the whole message; otherwise a description
// of the first violation.
std::string CheckTiling(const Message& message);

}  // namespace mailroom::mime::testing

#endif  // MAILROOM_MIME_TESTING_TILING_H_
