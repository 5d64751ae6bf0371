// Private flags: the flags and keywords of a shared mailbox that each user
// keeps for themselves (an admin chooses them per mailbox; \Seen alone is the
// older "per-user \Seen" seen mode). The value arithmetic lives here; the
// rows, views and modseqs are StoreImpl's (seen.cc describes the design).
//
// Thread-safety: plain values and free functions.
#ifndef MAILROOM_STORE_INTERNAL_PRIVATE_FLAGS_H_
#define MAILROOM_STORE_INTERNAL_PRIVATE_FLAGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "store/internal/records.h"
#include "store/types.h"

namespace mailroom::store::internal {

// Sorted, unique (case-insensitively, first spelling kept) keywords; rejects
// ones a client could not send back.
absl::StatusOr<std::vector<std::string>> NormalizeKeywords(
    const std::vector<std::string>& in);
// Whether `list` holds `k`, compared case-insensitively (RFC 9051).
bool HasKeyword(const std::vector<std::string>& list, std::string_view k);

// A private set an admin may choose: kInvalidArgument for \Deleted (expunge
// is shared, so a private \Deleted would expunge other users' mail) and for
// keywords a client could not send.
absl::StatusOr<Flags> NormalizePrivateFlags(const Flags& in);
inline bool HasPrivateFlags(const Flags& private_flags) {
  return private_flags.system != 0 || !private_flags.keywords.empty();
}
// The seen mode older callers see: kPerUser when \Seen is private.
inline SeenMode SeenModeOf(const Flags& private_flags) {
  return (private_flags.system & kSeen) != 0 ? SeenMode::kPerUser
                                             : SeenMode::kShared;
}
bool IsPrivateKeyword(const Flags& private_flags, std::string_view keyword);

// A row that overrides nothing.
SeenRow EmptyRow();
inline bool RowIsEmpty(const SeenRow& row) {
  return row.system_mask == 0 && row.keyword_mask.empty();
}
// The row's contribution to its user's unseen delta (SeenUserState::delta):
// (row \Seen) - (shared \Seen) when the row overrides \Seen, else 0.
int64_t SeenDelta(const SeenRow& row, bool shared_seen);
// Overlays a user's row on the shared flags of a message.
void ApplyRow(const SeenRow& row, Flags* flags);

// What to store when a user whose view of a message is `view` (the shared
// `shared` flags with the user's row `old` applied) wants `wanted`: the
// shared flags (`*new_shared`: every shared flag as wanted, every private
// flag as it was) and the user's row (`*row`: `old` plus an override of each
// private flag whose value changes). Returns whether the row changed.
bool SplitPrivate(const Flags& private_flags, const Flags& shared,
                  const Flags& view, const Flags& wanted,
                  const std::optional<SeenRow>& old, Flags* new_shared,
                  SeenRow* row);

// SplitPrivate for a message new to the mailbox (APPEND, COPY, MOVE):
// nobody else has set its private flags, so they are clear in
// `*new_shared` and the inserting user's values go to `*row`.
bool SplitNewMessage(const Flags& private_flags, const Flags& wanted,
                     Flags* new_shared, SeenRow* row);

// Drops from `row` every override of a flag outside `private_flags`.
// Returns whether anything was dropped.
bool RestrictRow(const Flags& private_flags, SeenRow* row);

}  // namespace mailroom::store::internal

#endif  // MAILROOM_STORE_INTERNAL_PRIVATE_FLAGS_H_
