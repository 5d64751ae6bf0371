// Private flags (per-user \Seen and beyond; RFC 4314 `s` and `w` rights).
//
// Design. A mailbox record names the flags and keywords that are private
// (MailboxRecord::private_flags; {\Seen} is the older "per-user \Seen"
// mode). Each message record keeps the shared value of every flag as
// everyone's starting point, and the seen column family one SeenRow per
// (mailbox, user, uid) that the user changed a private flag of; a row
// overrides, for its user only, each private flag it names (a user who only
// ever changed \Flagged of a message still sees the shared \Seen of it).
// Only principals with a user name have rows; the admin and the delivery
// agent work on the shared values.
//
// Modseq. A mailbox hands out modseqs from one counter
// (MailboxState::last_modseq), so every change, shared or private, gets a
// modseq above all earlier ones. MailboxState::highestmodseq is the highest
// modseq of a change everyone sees; SeenUserState::highestmodseq the highest
// of the user's own private changes. For user U:
//   modseq of a message  = max(record modseq, U's row modseq)
//   HIGHESTMODSEQ        = max(shared highestmodseq, U's highestmodseq)
//   changes after M      = shared change log after M + U's change log after M
// Each is monotonic, and any change U can see gets a modseq above every
// HIGHESTMODSEQ U was shown before (it comes from the shared counter), so
// CONDSTORE/QRESYNC and UNCHANGEDSINCE work per user. Another user's private
// change moves neither U's HIGHESTMODSEQ nor any modseq U sees; its
// ChangeEvent names that user, so U's sessions are not woken.
//
// UNSEEN. The shared count (MailboxState::unseen) counts shared bits;
// SeenUserState::delta sums (row seen - shared bit) over U's rows that
// override \Seen, so U's UNSEEN is the shared count minus delta. Expunge
// drops the rows of the expunged messages and takes them out of delta; a
// change of the shared bit by the admin is applied to the deltas of users
// whose row overrides it.
//
// Changing the private set (SetPrivateFlags). A flag that becomes private
// starts, for every user, from its shared value (no row overrides it yet),
// so nobody's view changes. A flag that stops being private takes its shared
// value for everyone: every row loses its override of it (a row left empty
// goes, with its change log entry) and each message whose row lost one gets
// a new modseq everyone sees, so CONDSTORE clients refetch its flags. An
// empty set drops every key of the mailbox in the seen family.
#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "store/internal/private_flags.h"
#include "store/internal/rights.h"
#include "store/internal/store_impl.h"

#include "store/internal/object_ids.h"

namespace mailroom::store::internal {
namespace {

// Splits a row key (kSeenRowTag id user \0 uid) of mailbox `id`.
bool ParseRowKey(std::string_view key, std::string* user, Uid* uid) {
  if (key.size() < 1 + 8 + 1 + 4 || key[key.size() - 5] != '\0') return false;
  *user = std::string(key.substr(9, key.size() - 9 - 5));
  *uid = ReadU32(key.substr(key.size() - 4));
  return true;
}

}  // namespace

bool StoreImpl::PrivateView(const MailboxRecord& record,
                            const Principal& who) {
  return HasPrivateFlags(record.private_flags) && !who.user().empty();
}

absl::StatusOr<Flags> StoreImpl::LockedPrivateFlags(Txn& txn, MailboxId id) {
  MR_ASSIGN_OR_RETURN(
      std::optional<MailboxRecord> record,
      GetRecord<MailboxRecord>(Space::kMailboxes, MailboxIdKey(id), &txn));
  if (!record.has_value()) return absl::NotFoundError("no such mailbox");
  return record->private_flags;
}

absl::StatusOr<absl::flat_hash_map<Uid, SeenRow>> StoreImpl::SeenRows(
    MailboxId id, std::string_view user, Uid first, Uid last, Txn* txn,
    engine::Reader* snapshot) {
  absl::flat_hash_map<Uid, SeenRow> rows;
  absl::Status status;
  std::string prefix = SeenUserPrefix(kSeenRowTag, id, user);
  MR_RETURN_IF_ERROR(Scan(
      Space::kSeen, SeenRowKey(id, user, first),
      last == std::numeric_limits<Uid>::max() ? PrefixEnd(prefix)
                                              : SeenRowKey(id, user, last + 1),
      [&](std::string_view key, std::string_view value) {
        SeenRow row;
        if (key.size() != prefix.size() + 4 || !Decode(value, &row)) {
          status = absl::DataLossError("undecodable seen row");
          return false;
        }
        rows[ReadU32(key.substr(prefix.size()))] = row;
        return true;
      },
      txn, snapshot));
  MR_RETURN_IF_ERROR(status);
  return rows;
}

absl::StatusOr<SeenUserState> StoreImpl::GetSeenUser(
    MailboxId id, std::string_view user, Txn* txn, bool for_update,
    engine::Reader* snapshot) {
  MR_ASSIGN_OR_RETURN(std::optional<SeenUserState> state,
                      GetRecord<SeenUserState>(Space::kSeen, SeenStateKey(id, user),
                                               txn, for_update, snapshot));
  return state.value_or(SeenUserState());
}

void StoreImpl::ApplySeenRow(const SeenRow& row, MessageMeta* meta) {
  ApplyRow(row, &meta->flags);
  meta->modseq = std::max(meta->modseq, row.modseq);
}

absl::StatusOr<MailboxStatus> StoreImpl::ViewStatus(
    const Principal& who, MailboxId id, const MailboxRecord& record,
    const MailboxState& state, engine::Reader* snapshot) {
  MailboxStatus status{id,           state.messages, state.unseen,
                       state.deleted, state.uidnext, state.uidvalidity,
                       state.highestmodseq, state.size,
                       SeenModeOf(record.private_flags)};
  status.object_id = ObjectIdText('F', MailboxObjectIdRaw(object_id_key_, id));
  status.keywords_full = KeywordsFull(state);
  if (!PrivateView(record, who)) return status;
  MR_ASSIGN_OR_RETURN(SeenUserState user,
                      GetSeenUser(id, who.user(), nullptr, false, snapshot));
  int64_t unseen = static_cast<int64_t>(state.unseen) - user.delta;
  status.unseen = static_cast<uint32_t>(
      std::clamp<int64_t>(unseen, 0, static_cast<int64_t>(state.messages)));
  status.highestmodseq = std::max(state.highestmodseq, user.highestmodseq);
  return status;
}

absl::Status StoreImpl::WriteSeenRow(Txn& txn, MailboxId id,
                                     std::string_view user,
                                     MailboxState& state,
                                     SeenUserState& user_state, Uid uid,
                                     const MessageRecord& record,
                                     const std::optional<SeenRow>& old,
                                     SeenRow row, SeenRow* out) {
  const bool shared = (record.system_flags & kSeen) != 0;
  if (old.has_value()) {
    user_state.delta -= SeenDelta(*old, shared);
    MR_RETURN_IF_ERROR(
        Delete(txn, Space::kSeen, SeenChangeKey(id, user, old->modseq)));
  }
  row.modseq = NextModSeq(state);
  user_state.delta += SeenDelta(row, shared);
  user_state.highestmodseq = row.modseq;
  MR_RETURN_IF_ERROR(Put(txn, Space::kSeen, SeenRowKey(id, user, uid), Encode(row)));
  std::string value;
  AppendU32(&value, uid);
  MR_RETURN_IF_ERROR(
      Put(txn, Space::kSeen, SeenChangeKey(id, user, row.modseq), value));
  if (out != nullptr) *out = row;
  return absl::OkStatus();
}

absl::Status StoreImpl::PutSeenUser(Txn& txn, MailboxId id,
                                    std::string_view user,
                                    const SeenUserState& state) {
  return Put(txn, Space::kSeen, SeenStateKey(id, user), Encode(state));
}

absl::StatusOr<std::vector<std::string>> StoreImpl::SeenUsers(Txn& txn,
                                                              MailboxId id) {
  std::vector<std::string> users;
  std::string prefix = SeenPrefix(kSeenStateTag, id);
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kSeen, prefix,
      [&](std::string_view key, std::string_view) {
        std::string_view user = key.substr(prefix.size());
        if (!user.empty() && user.back() == '\0') user.remove_suffix(1);
        users.emplace_back(user);
        return true;
      },
      &txn));
  return users;
}

absl::Status StoreImpl::DropSeenRows(
    Txn& txn, MailboxId id,
    const std::vector<std::pair<Uid, MessageRecord>>& removed) {
  if (removed.empty()) return absl::OkStatus();
  MR_ASSIGN_OR_RETURN(std::vector<std::string> users, SeenUsers(txn, id));
  for (const std::string& user : users) {
    MR_ASSIGN_OR_RETURN(SeenUserState user_state,
                        GetSeenUser(id, user, &txn, true, nullptr));
    bool changed = false;
    for (const auto& [uid, record] : removed) {
      MR_ASSIGN_OR_RETURN(
          std::optional<SeenRow> row,
          GetRecord<SeenRow>(Space::kSeen, SeenRowKey(id, user, uid), &txn));
      if (!row.has_value()) continue;
      user_state.delta -= SeenDelta(*row, (record.system_flags & kSeen) != 0);
      MR_RETURN_IF_ERROR(Delete(txn, Space::kSeen, SeenRowKey(id, user, uid)));
      MR_RETURN_IF_ERROR(
          Delete(txn, Space::kSeen, SeenChangeKey(id, user, row->modseq)));
      changed = true;
    }
    if (changed) MR_RETURN_IF_ERROR(PutSeenUser(txn, id, user, user_state));
  }
  return absl::OkStatus();
}

absl::Status StoreImpl::SharedSeenChanged(Txn& txn, MailboxId id, Uid uid,
                                          bool now_seen) {
  MR_ASSIGN_OR_RETURN(std::vector<std::string> users, SeenUsers(txn, id));
  for (const std::string& user : users) {
    MR_ASSIGN_OR_RETURN(
        std::optional<SeenRow> row,
        GetRecord<SeenRow>(Space::kSeen, SeenRowKey(id, user, uid), &txn));
    if (!row.has_value() || (row->system_mask & kSeen) == 0) continue;
    MR_ASSIGN_OR_RETURN(SeenUserState user_state,
                        GetSeenUser(id, user, &txn, true, nullptr));
    // delta holds (row - shared); the shared bit moved by one.
    user_state.delta += now_seen ? -1 : 1;
    MR_RETURN_IF_ERROR(PutSeenUser(txn, id, user, user_state));
  }
  return absl::OkStatus();
}

absl::Status StoreImpl::DropAllSeen(Txn& txn, MailboxId id) {
  for (char tag : {kSeenStateTag, kSeenRowTag, kSeenChangeTag}) {
    MR_RETURN_IF_ERROR(DeletePrefix(txn, Space::kSeen, SeenPrefix(tag, id)));
  }
  return absl::OkStatus();
}

absl::Status StoreImpl::DropSeenOfUser(Txn& txn, std::string_view user) {
  // User states are few (one per user and per-user mailbox): find the
  // mailboxes where `user` has one.
  std::vector<MailboxId> ids;
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kSeen, std::string(1, kSeenStateTag),
      [&](std::string_view key, std::string_view) {
        if (key.size() == 1 + 8 + user.size() + 1 &&
            key.substr(9, user.size()) == user) {
          ids.push_back(ReadU64(key.substr(1)));
        }
        return true;
      },
      &txn));
  for (MailboxId id : ids) {
    MR_RETURN_IF_ERROR(LockState(txn, id).status());
    MR_RETURN_IF_ERROR(Delete(txn, Space::kSeen, SeenStateKey(id, user)));
    for (char tag : {kSeenRowTag, kSeenChangeTag}) {
      MR_RETURN_IF_ERROR(
          DeletePrefix(txn, Space::kSeen, SeenUserPrefix(tag, id, user)));
    }
  }
  return absl::OkStatus();
}

absl::Status StoreImpl::GiveSharedModSeq(Txn& txn, MailboxId id,
                                         MailboxState& state, Uid uid) {
  MR_ASSIGN_OR_RETURN(
      std::optional<MessageRecord> message,
      GetRecord<MessageRecord>(Space::kMessages, MessageKey(id, uid), &txn));
  if (!message.has_value()) return absl::OkStatus();
  MR_RETURN_IF_ERROR(
      Delete(txn, Space::kChangelog, ChangelogKey(id, message->modseq)));
  message->modseq = NextSharedModSeq(state);
  MR_RETURN_IF_ERROR(
      Put(txn, Space::kMessages, MessageKey(id, uid), Encode(*message)));
  return Put(txn, Space::kChangelog, ChangelogKey(id, message->modseq),
             Encode(ChangeRecord{uid, false}));
}

absl::Status StoreImpl::NarrowPrivateRows(Txn& txn, MailboxId id,
                                          MailboxState& state,
                                          const Flags& private_flags) {
  struct Found {
    std::string user;
    Uid uid;
    SeenRow row;
  };
  std::vector<Found> found;
  absl::Status status;
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kSeen, SeenPrefix(kSeenRowTag, id),
      [&](std::string_view key, std::string_view value) {
        Found f;
        if (!ParseRowKey(key, &f.user, &f.uid) || !Decode(value, &f.row)) {
          status = absl::DataLossError("undecodable private flags row");
          return false;
        }
        found.push_back(std::move(f));
        return true;
      },
      &txn));
  MR_RETURN_IF_ERROR(status);
  std::map<std::string, int64_t> delta_change;
  std::vector<Uid> renewed;
  for (Found& f : found) {
    SeenRow before = f.row;
    if (!RestrictRow(private_flags, &f.row)) continue;
    MR_ASSIGN_OR_RETURN(std::optional<MessageRecord> message,
                        GetRecord<MessageRecord>(
                            Space::kMessages, MessageKey(id, f.uid), &txn));
    bool shared_seen =
        message.has_value() && (message->system_flags & kSeen) != 0;
    delta_change[f.user] +=
        SeenDelta(f.row, shared_seen) - SeenDelta(before, shared_seen);
    if (RowIsEmpty(f.row)) {
      MR_RETURN_IF_ERROR(
          Delete(txn, Space::kSeen, SeenRowKey(id, f.user, f.uid)));
      MR_RETURN_IF_ERROR(Delete(txn, Space::kSeen,
                                SeenChangeKey(id, f.user, before.modseq)));
    } else {
      MR_RETURN_IF_ERROR(Put(txn, Space::kSeen, SeenRowKey(id, f.user, f.uid),
                             Encode(f.row)));
    }
    renewed.push_back(f.uid);
  }
  for (const auto& [user, change] : delta_change) {
    if (change == 0) continue;
    MR_ASSIGN_OR_RETURN(SeenUserState user_state,
                        GetSeenUser(id, user, &txn, true, nullptr));
    user_state.delta += change;
    MR_RETURN_IF_ERROR(PutSeenUser(txn, id, user, user_state));
  }
  std::sort(renewed.begin(), renewed.end());
  renewed.erase(std::unique(renewed.begin(), renewed.end()), renewed.end());
  for (Uid uid : renewed) {
    MR_RETURN_IF_ERROR(GiveSharedModSeq(txn, id, state, uid));
  }
  return absl::OkStatus();
}

absl::Status StoreImpl::ChangePrivateFlags(
    const Principal& who, std::string_view mailbox,
    const std::function<Flags(const Flags&)>& change) {
  MR_ASSIGN_OR_RETURN(Resolved m, ResolveName(who, mailbox, nullptr));
  MR_RETURN_IF_ERROR(Require(m, 'a'));
  return RunTxn([&](Txn& txn) -> absl::Status {
    MR_ASSIGN_OR_RETURN(MailboxState state, LockState(txn, m.id));
    MR_ASSIGN_OR_RETURN(
        std::optional<MailboxRecord> record,
        GetRecord<MailboxRecord>(Space::kMailboxes, MailboxIdKey(m.id), &txn));
    if (!record.has_value()) return absl::NotFoundError("no such mailbox");
    MR_ASSIGN_OR_RETURN(Flags wanted,
                        NormalizePrivateFlags(change(record->private_flags)));
    if (wanted == record->private_flags) return absl::OkStatus();
    record->private_flags = wanted;
    MR_RETURN_IF_ERROR(
        Put(txn, Space::kMailboxes, MailboxIdKey(m.id), Encode(*record)));
    // Rows lose their overrides of flags that are no longer private; with
    // nothing private left, the (then empty) views go too.
    MR_RETURN_IF_ERROR(NarrowPrivateRows(txn, m.id, state, wanted));
    if (!HasPrivateFlags(wanted)) MR_RETURN_IF_ERROR(DropAllSeen(txn, m.id));
    MR_RETURN_IF_ERROR(PutState(txn, m.id, state));
    txn.events.push_back(ChangeEvent{m.id, m.record.owner,
                                     state.highestmodseq,
                                     ChangeEvent::kMessages});
    return absl::OkStatus();
  });
}

absl::Status StoreImpl::SetPrivateFlags(const Principal& who,
                                        std::string_view mailbox,
                                        const Flags& private_flags) {
  MR_RETURN_IF_ERROR(NormalizePrivateFlags(private_flags).status());
  return ChangePrivateFlags(who, mailbox,
                            [&](const Flags&) { return private_flags; });
}

absl::StatusOr<Flags> StoreImpl::GetPrivateFlags(const Principal& who,
                                                 std::string_view mailbox) {
  MR_ASSIGN_OR_RETURN(Resolved m, ResolveName(who, mailbox, nullptr));
  return m.record.private_flags;
}

absl::Status StoreImpl::SetSeenMode(const Principal& who,
                                    std::string_view mailbox, SeenMode mode) {
  return ChangePrivateFlags(who, mailbox, [mode](const Flags& current) {
    Flags next = current;
    next.system = mode == SeenMode::kPerUser ? (next.system | kSeen)
                                             : (next.system & ~uint32_t{kSeen});
    return next;
  });
}

}  // namespace mailroom::store::internal
