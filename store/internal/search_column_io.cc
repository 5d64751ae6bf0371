// The search columns persisted beside the message table (stored_column.h;
// Space::kMailboxView, keys.h). Like the table they are a cache: written
// without a sync, never over one covering more, only while the mailbox
// exists (its state key is locked for the write), dropped with the
// mailbox, and ignored when damaged or of another UIDVALIDITY. Message
// writers never touch them: a column covers the UIDs below its mark, and
// the messages appended since are read from their records. Expunged
// messages may stay in a column (search checks answers against the store).
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "store/internal/stored_column.h"
#include "store/internal/store_impl.h"

namespace mailroom::store::internal {

absl::StatusOr<std::shared_ptr<Column>> StoreImpl::LoadStoredColumn(
    MailboxId id, const MailboxState& state, engine::Reader& snapshot) {
  std::vector<std::string> pieces;
  MR_RETURN_IF_ERROR(Scan(
      Space::kMailboxView, MailboxColumnKey(id, 0),
      PrefixEnd(MailboxIdKey(id)),
      [&](std::string_view, std::string_view value) {
        pieces.emplace_back(value);
        return true;
      },
      nullptr, &snapshot));
  if (pieces.empty()) return nullptr;
  absl::StatusOr<std::shared_ptr<const Column>> stored =
      DecodeStoredColumn(pieces);
  if (!stored.ok()) {
    Log(absl::StrCat("mailbox ", id, ": ", stored.status().message(),
                     "; read from the messages instead"));
    return nullptr;
  }
  if ((*stored)->uidvalidity != state.uidvalidity ||
      (*stored)->covered > state.uidnext) {
    return nullptr;
  }
  auto column = std::make_shared<Column>(**stored);
  column->stored = column->size;
  return column;
}

bool StoreImpl::WriteStoredColumn(MailboxId id, const Column& column) {
  const std::vector<std::string> pieces = EncodeStoredColumn(column);
  bool written = false;
  absl::Status status = RunTxn(
      [&](Txn& txn) -> absl::Status {
        written = false;
        MR_ASSIGN_OR_RETURN(std::optional<MailboxState> state,
                            GetRecord<MailboxState>(Space::kMailboxState,
                                                    MailboxIdKey(id), &txn,
                                                    true));
        if (!state.has_value() || state->uidvalidity != column.uidvalidity) {
          return absl::OkStatus();
        }
        MR_ASSIGN_OR_RETURN(
            std::optional<std::string> head,
            Get(Space::kMailboxView, MailboxColumnKey(id, 0), &txn, true));
        if (head.has_value()) {
          absl::StatusOr<Column> kept = DecodeStoredColumnStamp(*head);
          if (kept.ok() && kept->uidvalidity == column.uidvalidity &&
              kept->covered >= column.covered) {
            return absl::OkStatus();  // covers as much already
          }
        }
        MR_RETURN_IF_ERROR(DeleteRange(txn, Space::kMailboxView,
                                       MailboxColumnKey(id, 0),
                                       PrefixEnd(MailboxIdKey(id))));
        for (size_t i = 0; i < pieces.size(); ++i) {
          MR_RETURN_IF_ERROR(Put(txn, Space::kMailboxView,
                                 MailboxColumnKey(id, static_cast<uint32_t>(i)),
                                 pieces[i]));
        }
        written = true;
        return absl::OkStatus();
      },
      /*durable=*/false);
  if (!status.ok() && status.code() != absl::StatusCode::kAborted) {
    Log(absl::StrCat("mailbox ", id, ": search column not written: ",
                     status.message()));
  }
  return status.ok() && written;
}

}  // namespace mailroom::store::internal
