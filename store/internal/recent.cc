// \Recent (RFC 3501 section 2.3.2): a message is \Recent in exactly one
// read-write session, the first to be told of it. The mailbox state keeps
// the UID up to which messages were claimed; claiming advances it under the
// mailbox lock, so two sessions (on one node or on several sharing a RADOS
// cluster) never both get a message. Read-only sessions only look at it.
#include <algorithm>

#include "base/status_macros.h"
#include "store/internal/rights.h"
#include "store/internal/store_impl.h"

namespace mailroom::store::internal {

bool StoreImpl::GrantsReadWrite(std::string_view rights) {
  // Every flag is shared here, so the flag rights are s, w and t.
  return HasRight(rights, 'i') || HasRight(rights, 's') ||
         HasRight(rights, 'w') || HasRight(rights, 't') ||
         HasRight(rights, 'e');
}

absl::StatusOr<uint32_t> StoreImpl::CountUnclaimedRecent(
    MailboxId id, const MailboxState& state, engine::Reader* snapshot) {
  if (state.recent_claimed + 1 >= state.uidnext) return 0;
  uint32_t count = 0;
  MR_RETURN_IF_ERROR(Scan(
      Space::kMessages, MessageKey(id, state.recent_claimed + 1),
      PrefixEnd(MailboxIdKey(id)),
      [&](std::string_view, std::string_view) {
        ++count;
        return true;
      },
      nullptr, snapshot));
  return count;
}

absl::StatusOr<Uid> StoreImpl::ClaimRecent(const Principal& who,
                                           MailboxId mailbox, Uid up_to) {
  MR_ASSIGN_OR_RETURN(Resolved resolved, ResolveId(who, mailbox, nullptr));
  MR_RETURN_IF_ERROR(Require(resolved, 'r'));
  if (!GrantsReadWrite(resolved.rights)) {
    return absl::PermissionDeniedError("mailbox is read-only");
  }
  // The mark only grows: when it is at `up_to` already there is nothing to
  // take, and no transaction (or WAL sync) is needed.
  MR_ASSIGN_OR_RETURN(std::optional<MailboxState> current,
                      GetRecord<MailboxState>(Space::kMailboxState,
                                              MailboxIdKey(mailbox)));
  if (!current.has_value()) return absl::NotFoundError("no such mailbox");
  if (current->recent_claimed >= up_to) return current->recent_claimed;
  // Not durable: a claim lost in a crash only makes its messages \Recent
  // once more, in the next session, which RFC 3501 allows; waiting for the
  // WAL sync would double what a SELECT after new mail costs. (The WAL is
  // ordered: a later durable write of the state keeps the claim.)
  Uid before = 0;
  MR_RETURN_IF_ERROR(RunTxn([&](Txn& txn) -> absl::Status {
    // Again inside the transaction: rights may have changed meanwhile.
    MR_ASSIGN_OR_RETURN(Resolved locked, ResolveId(who, mailbox, &txn));
    MR_RETURN_IF_ERROR(Require(locked, 'r'));
    if (!GrantsReadWrite(locked.rights)) {
      return absl::PermissionDeniedError("mailbox is read-only");
    }
    MR_ASSIGN_OR_RETURN(MailboxState state, LockState(txn, mailbox));
    before = state.recent_claimed;
    // Nothing above the last UID handed out can have arrived yet.
    const Uid last = state.uidnext > 0 ? state.uidnext - 1 : 0;
    const Uid claim = std::min(up_to, last);
    if (claim <= before) return absl::OkStatus();
    state.recent_claimed = claim;
    return PutState(txn, mailbox, state);
  }, /*durable=*/false));
  return before;
}

}  // namespace mailroom::store::internal
