// OpenMailboxTable: a mailbox's messages (UID, flags, modseq) from its
// persisted table (message_table.h; Space::kMailboxView in keys.h), so that
// opening a mailbox of a million messages reads a few hundred kilobytes
// (one object on RADOS) instead of a million records.
//
// The persisted table is a cache stamped with the mailbox's UIDVALIDITY and
// the modseq it is exact at. Opening reads it, the mailbox state and the
// change log after the stamp, all at one snapshot, and applies the changes:
// a live message has exactly one change-log entry (at its current modseq)
// and an expunged UID keeps its entry, so the entries after the stamp name
// every message that is new, changed or gone since. The result is checked
// against the state's counters (messages, unseen, deleted). A table that is
// missing, damaged, of another UIDVALIDITY, ahead of the state, or that
// fails the check is rebuilt from the message records. Mail writers never
// touch the table; it is written again (not durably: a cache) when it was
// rebuilt or the changes since it pass a share of the mailbox, never over a
// newer one, and only while the mailbox exists (its state key is locked for
// the write). A crash between a mail write and the next table write leaves
// an older table, which the next open catches up.
//
// Private flags: the persisted table holds the shared values; a user's own
// rows are laid over them on each open, as OpenMailbox does.
#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "store/internal/message_table.h"
#include "store/internal/names.h"
#include "store/internal/store_impl.h"

namespace mailroom::store::internal {
namespace {

// Rewrite the persisted table once the changes since it pass
// max(kRewriteChanges, messages / kRewriteShare).
constexpr size_t kRewriteChanges = 2048;
constexpr size_t kRewriteShare = 32;
// Past this share of the mailbox changed, reading every record is cheaper
// than reading each changed one.
constexpr size_t kRebuildShare = 2;
// Changed records are read in batches of this many keys.
constexpr size_t kReadBatch = 1024;

bool MatchesState(const MessageTable& table, const MailboxState& state) {
  if (table.messages.size() != state.messages) return false;
  uint32_t unseen = 0, deleted = 0;
  for (const CompactMessage& m : table.messages) {
    unseen += (m.flags & kSeen) ? 0 : 1;
    deleted += (m.flags & kDeleted) ? 1 : 0;
  }
  return unseen == state.unseen && deleted == state.deleted;
}

}  // namespace

absl::StatusOr<MailboxTableSnapshot> StoreImpl::OpenMailboxTable(
    const Principal& who, std::string_view name) {
  return RetryAborted([&] { return OpenMailboxTableOnce(who, name); });
}

absl::StatusOr<MailboxTableSnapshot> StoreImpl::OpenMailboxTableOnce(
    const Principal& who, std::string_view name) {
  MR_ASSIGN_OR_RETURN(OpenedMailbox opened, ReadMailboxForOpen(who, name));
  engine::Reader* snapshot = opened.snapshot.get();
  const MailboxId id = opened.mailbox.id;
  MailboxTableSnapshot out;
  out.header = std::move(opened.header);
  MailboxSnapshot& snap = out.header;

  MR_ASSIGN_OR_RETURN(out.table, LoadMessageTable(id, opened.state, snapshot));
  if (snap.private_view) {
    MR_ASSIGN_OR_RETURN(auto rows,
                        SeenRows(id, who.user(), 0,
                                 std::numeric_limits<Uid>::max(), nullptr,
                                 snapshot));
    KeywordNumbering numbering(&out.table);
    for (CompactMessage& m : out.table.messages) {
      auto row = rows.find(m.uid);
      if (row == rows.end()) continue;
      MessageMeta meta;
      meta.flags = numbering.FlagsOf(m);
      meta.modseq = m.modseq;
      ApplySeenRow(row->second, &meta);
      m = numbering.Compact(m.uid, meta.flags, meta.modseq);
    }
  }
  const auto& messages = out.table.messages;
  snap.status.recent = static_cast<uint32_t>(
      messages.end() -
      std::upper_bound(messages.begin(), messages.end(), snap.recent_claimed,
                       [](Uid uid, const CompactMessage& m) {
                         return uid < m.uid;
                       }));
  return out;
}

absl::StatusOr<MessageTable> StoreImpl::LoadMessageTable(
    MailboxId id, const MailboxState& state, engine::Reader* snapshot) {
  std::vector<std::string> pieces;
  MR_RETURN_IF_ERROR(Scan(
      Space::kMailboxView, MailboxViewKey(id, 0), MailboxColumnKey(id, 0),
      [&](std::string_view, std::string_view value) {
        pieces.emplace_back(value);
        return true;
      },
      nullptr, snapshot));
  absl::StatusOr<TableCheckpoint> checkpoint =
      pieces.empty() ? absl::NotFoundError("no table")
                     : DecodeTableCheckpoint(pieces);
  pieces.clear();
  if (checkpoint.ok() && checkpoint->uidvalidity == state.uidvalidity &&
      checkpoint->modseq <= state.highestmodseq) {
    const size_t size = checkpoint->table.messages.size();
    absl::StatusOr<size_t> changes =
        CatchUpMessageTable(id, state, snapshot, &*checkpoint);
    if (changes.ok() && MatchesState(checkpoint->table, state)) {
      if (*changes > std::max(kRewriteChanges, size / kRewriteShare)) {
        WriteMessageTable(id, *checkpoint, /*replace_same=*/false);
      }
      return std::move(checkpoint->table);
    }
    if (!changes.ok() && changes.status().code() != absl::StatusCode::kDataLoss &&
        changes.status().code() != absl::StatusCode::kOutOfRange) {
      return changes.status();
    }
    if (changes.ok()) Log(absl::StrCat("mailbox ", id,
                                       ": message table disagrees with the "
                                       "mailbox counters; rebuilt"));
  } else if (!checkpoint.ok() &&
             checkpoint.status().code() == absl::StatusCode::kDataLoss) {
    Log(absl::StrCat("mailbox ", id, ": ", checkpoint.status().message(),
                     "; rebuilt"));
  }
  // Rebuild from every message record.
  TableCheckpoint rebuilt;
  rebuilt.uidvalidity = state.uidvalidity;
  rebuilt.modseq = state.highestmodseq;
  KeywordNumbering numbering(&rebuilt.table);
  rebuilt.table.messages.reserve(state.messages);
  MR_RETURN_IF_ERROR(ForEachMessage(
      id,
      [&](Uid uid, MessageRecord message) {
        rebuilt.table.messages.push_back(numbering.Compact(
            uid, Flags{message.system_flags, std::move(message.keywords)},
            message.modseq));
      },
      nullptr, snapshot));
  // A table at the same modseq that failed is replaced.
  WriteMessageTable(id, rebuilt, /*replace_same=*/true);
  return std::move(rebuilt.table);
}

absl::StatusOr<size_t> StoreImpl::CatchUpMessageTable(
    MailboxId id, const MailboxState& state, engine::Reader* snapshot,
    TableCheckpoint* checkpoint) {
  if (checkpoint->modseq >= state.highestmodseq) return 0;
  std::vector<Uid> present, vanished;
  absl::Status decode_status;
  const size_t limit =
      std::max<size_t>(kRewriteChanges,
                       checkpoint->table.messages.size() / kRebuildShare);
  MR_RETURN_IF_ERROR(Scan(
      Space::kChangelog, ChangelogKey(id, checkpoint->modseq + 1),
      PrefixEnd(MailboxIdKey(id)),
      [&](std::string_view, std::string_view value) {
        ChangeRecord change;
        if (!Decode(value, &change)) {
          decode_status = absl::DataLossError("undecodable change record");
          return false;
        }
        (change.expunged ? vanished : present).push_back(change.uid);
        if (present.size() + vanished.size() > limit) {
          decode_status = absl::OutOfRangeError("too many changes");
          return false;
        }
        return true;
      },
      nullptr, snapshot));
  MR_RETURN_IF_ERROR(decode_status);
  std::sort(present.begin(), present.end());
  present.erase(std::unique(present.begin(), present.end()), present.end());
  std::sort(vanished.begin(), vanished.end());
  KeywordNumbering numbering(&checkpoint->table);
  std::vector<CompactMessage> updated;
  updated.reserve(present.size());
  for (size_t at = 0; at < present.size(); at += kReadBatch) {
    const size_t end = std::min(present.size(), at + kReadBatch);
    std::vector<std::string> keys;
    keys.reserve(end - at);
    for (size_t i = at; i < end; ++i) keys.push_back(MessageKey(id, present[i]));
    MR_ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> values,
                        snapshot->MultiGet(Space::kMessages, keys));
    for (size_t i = at; i < end; ++i) {
      const std::optional<std::string>& value = values[i - at];
      if (!value.has_value()) {
        vanished.push_back(present[i]);  // kept sorted below
        continue;
      }
      MessageRecord message;
      if (!Decode(*value, &message)) {
        return absl::DataLossError("undecodable message record");
      }
      updated.push_back(numbering.Compact(
          present[i], Flags{message.system_flags, std::move(message.keywords)},
          message.modseq));
    }
  }
  std::sort(vanished.begin(), vanished.end());
  ApplyTableChanges(&checkpoint->table, vanished, updated);
  checkpoint->modseq = state.highestmodseq;
  return present.size() + vanished.size();
}

void StoreImpl::WriteMessageTable(MailboxId id,
                                  const TableCheckpoint& checkpoint,
                                  bool replace_same) {
  const std::vector<std::string> pieces = EncodeTableCheckpoint(checkpoint);
  absl::Status status = RunTxn(
      [&](Txn& txn) -> absl::Status {
        // Locked so that the table is never written for a mailbox being
        // removed; held only for this short write.
        MR_ASSIGN_OR_RETURN(std::optional<MailboxState> state,
                            GetRecord<MailboxState>(Space::kMailboxState,
                                                    MailboxIdKey(id), &txn,
                                                    true));
        if (!state.has_value() || state->uidvalidity != checkpoint.uidvalidity) {
          return absl::OkStatus();
        }
        MR_ASSIGN_OR_RETURN(
            std::optional<std::string> head,
            Get(Space::kMailboxView, MailboxViewKey(id, 0), &txn, true));
        if (head.has_value()) {
          absl::StatusOr<TableCheckpoint> stamp = DecodeTableStamp(*head);
          if (stamp.ok() && stamp->uidvalidity == checkpoint.uidvalidity &&
              (stamp->modseq > checkpoint.modseq ||
               (stamp->modseq == checkpoint.modseq && !replace_same))) {
            return absl::OkStatus();  // newer, or as new, already
          }
        }
        MR_RETURN_IF_ERROR(DeleteRange(txn, Space::kMailboxView,
                                       MailboxViewKey(id, 0),
                                       MailboxColumnKey(id, 0)));
        for (size_t i = 0; i < pieces.size(); ++i) {
          MR_RETURN_IF_ERROR(Put(txn, Space::kMailboxView,
                                 MailboxViewKey(id, static_cast<uint32_t>(i)),
                                 pieces[i]));
        }
        return absl::OkStatus();
      },
      /*durable=*/false);
  // A cache: the next open rebuilds or catches up what was not written.
  if (!status.ok() && status.code() != absl::StatusCode::kAborted) {
    Log(absl::StrCat("mailbox ", id, ": message table not written: ",
                     status.message()));
  }
}

}  // namespace mailroom::store::internal
