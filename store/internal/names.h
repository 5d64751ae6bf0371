// User names, mailbox names and the namespaces a principal sees them in.
//
// A principal sees its own mailboxes by name ("INBOX", "Work/2024"), other
// users' mailboxes it may look up as "Other Users/<owner>/<name>", and the
// mailboxes of the pseudo-user "shared" as "Shared/<name>".
//
// Thread-safety: free functions on values.
#ifndef MAILROOM_STORE_INTERNAL_NAMES_H_
#define MAILROOM_STORE_INTERNAL_NAMES_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace mailroom::store::internal {

inline constexpr std::string_view kOtherUsersRoot = "Other Users";
inline constexpr std::string_view kSharedRoot = "Shared";
inline constexpr std::string_view kSharedOwner = "shared";
inline constexpr std::string_view kInbox = "INBOX";

// Lower-cases `user` and checks it: 1-64 chars of [a-z0-9._-], not starting
// with '.'. kInvalidArgument otherwise.
absl::StatusOr<std::string> CanonicalUser(std::string_view user);

// CanonicalUser for a new account: also refuses the names an ACL gives
// another meaning (RFC 4314): "anyone", "authenticated", and names starting
// with '-' (a negative right) — '$' (a group) is outside the alphabet
// already. Existing accounts with such names stay reachable by CanonicalUser.
absl::StatusOr<std::string> CanonicalNewUser(std::string_view user);

// Checks a mailbox name (UTF-8, '/'-delimited, no empty, "." or ".."
// components, no control chars, '*' or '%', at most 255 bytes) and returns it
// with any case of a leading "inbox" component spelled "INBOX".
absl::StatusOr<std::string> CanonicalMailboxName(std::string_view name);

bool IsValidUtf8(std::string_view s);

struct OwnedName {
  std::string owner;
  std::string name;  // canonical, within the owner's namespace
};

// Maps a name as `user` sees it to the owner and the owner's own name.
absl::StatusOr<OwnedName> ResolveVisibleName(std::string_view user,
                                             std::string_view visible);

// The inverse: how `user` sees mailbox `name` of `owner`.
std::string VisibleName(std::string_view user, std::string_view owner,
                        std::string_view name);

// "a/b/c" -> {"a", "a/b"}.
std::vector<std::string> ParentNames(std::string_view name);

}  // namespace mailroom::store::internal

#endif  // MAILROOM_STORE_INTERNAL_NAMES_H_
