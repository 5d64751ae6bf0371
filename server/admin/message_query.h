// The message query language of the admin commands search, fetch, flags
// and expunge: command-line words -> store::SearchKey. IMAP-SEARCH-like;
// the grammar and every key are in MessageQueryHelp().
//
// Thread-safety: free functions on values.
#ifndef MAILROOM_SERVER_ADMIN_MESSAGE_QUERY_H_
#define MAILROOM_SERVER_ADMIN_MESSAGE_QUERY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "store/search_key.h"

namespace mailroom::server::admin {

// The UID `*` stands for in "uid" sets until ResolveHighestUid replaces it.
inline constexpr store::Uid kHighestUidPlaceholder = 0xffffffffu;

// Parses `words` (one query word per command-line argument). Ages such as
// "30d" become relative keys (kOlder, kSavedOlder, ...) that the store
// measures from its clock. An empty query matches all. Errors are
// kInvalidArgument with a message naming the offending word.
absl::StatusOr<store::SearchKey> ParseMessageQuery(
    const std::vector<std::string>& words);

// True if a "uid" set of `key` uses `*`.
bool UsesHighestUid(const store::SearchKey& key);
// Replaces `*` in the uid sets of `key` by `highest` (the highest UID in the
// mailbox; 0 when it is empty).
void ResolveHighestUid(store::SearchKey& key, store::Uid highest);

// A point in time for options such as --saved: a date (YYYY-MM-DD, its
// midnight UTC) or an age before `now` ("40d"). Seconds since the epoch.
std::optional<int64_t> ParseWhen(const std::string& text, int64_t now);

// The language's description for the usage text.
std::string MessageQueryHelp();

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_MESSAGE_QUERY_H_
