// Messages: append, deliver, read, flags, expunge, copy, move, changes.
#include <algorithm>
#include <ctime>
#include <map>

#include "absl/strings/str_cat.h"
#include "store/internal/strings.h"
#include "base/status_macros.h"
#include "mime/line_ends.h"
#include "mime/message.h"
#include "store/internal/names.h"
#include "store/internal/object_ids.h"
#include "store/internal/password.h"
#include "store/internal/private_flags.h"
#include "store/internal/rights.h"
#include "store/internal/store_impl.h"

namespace mailroom::store::internal {
namespace {

constexpr uint32_t kWriteFlags = kAnswered | kFlagged | kDraft;

// RFC 4314: \Seen needs `s`, \Deleted `t`, the other flags and keywords `w`.
uint32_t SettableSystemFlags(std::string_view rights) {
  return (HasRight(rights, 's') ? uint32_t{kSeen} : 0u) |
         (HasRight(rights, 't') ? uint32_t{kDeleted} : 0u) |
         (HasRight(rights, 'w') ? kWriteFlags : 0u);
}

// RFC 4314 section 4: a message inserted by APPEND, COPY or MOVE keeps only
// the flags its inserter could set with STORE; the others are dropped, not
// refused, so an insert-only drop box takes mail but nobody can plant
// \Deleted, \Seen or keywords in it.
Flags InsertableFlags(std::string_view rights, Flags flags) {
  flags.system &= SettableSystemFlags(rights);
  if (!HasRight(rights, 'w')) flags.keywords.clear();
  return flags;
}

void Account(MailboxState& state, const MessageRecord& r, int sign) {
  auto add = [sign](uint32_t& v) { v = sign > 0 ? v + 1 : (v > 0 ? v - 1 : 0); };
  add(state.messages);
  if ((r.system_flags & kSeen) == 0) add(state.unseen);
  if ((r.system_flags & kDeleted) != 0) add(state.deleted);
  state.size = sign > 0 ? state.size + r.size
                        : (state.size >= r.size ? state.size - r.size : 0);
}

std::vector<Uid> SortedUnique(std::vector<Uid> uids) {
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  return uids;
}

}  // namespace

MessageMeta StoreImpl::ToMeta(Uid uid, const MessageRecord& r) const {
  MessageMeta meta;
  meta.uid = uid;
  meta.flags.system = r.system_flags;
  meta.flags.keywords = r.keywords;
  meta.modseq = r.modseq;
  meta.internal_date = r.internal_date;
  meta.internal_tz_minutes = r.internal_tz_minutes;
  meta.save_date = r.save_date;
  meta.size = r.size;
  meta.crlf_size = r.crlf_size;
  meta.blob_id = HexEncode(r.hash);
  meta.email_id = ObjectIdText(
      'M', r.email_id.empty() ? EmailObjectIdRaw(object_id_key_, r.hash)
                              : r.email_id);
  if (!r.thread_id.empty()) meta.thread_id = ObjectIdText('T', r.thread_id);
  return meta;
}

absl::StatusOr<Uid> StoreImpl::InsertMessage(Txn& txn, MailboxId id,
                                             std::string_view owner,
                                             MailboxState& state,
                                             MessageRecord record,
                                             std::optional<Uid> requested) {
  if (requested.has_value()) {
    if (*requested < state.uidnext) {
      return absl::FailedPreconditionError(
          absl::StrCat("UID ", *requested, " is below UIDNEXT ",
                       state.uidnext));
    }
    state.uidnext = *requested;
  }
  if (state.uidnext == std::numeric_limits<Uid>::max()) {
    return absl::ResourceExhaustedError("LIMIT mailbox UID space exhausted");
  }
  Uid uid = state.uidnext++;
  record.modseq = NextSharedModSeq(state);
  Account(state, record, +1);
  MR_RETURN_IF_ERROR(Put(txn, Space::kMessages, MessageKey(id, uid), Encode(record)));
  MR_RETURN_IF_ERROR(Put(txn, Space::kChangelog, ChangelogKey(id, record.modseq),
                         Encode(ChangeRecord{uid, false})));
  absl::Status status;
  QueueIndex(txn,
             IndexWork{.op = IndexWork::kAdd,
                       .owner = std::string(owner),
                       .mailbox = id,
                       .uid = uid,
                       .blob_id = HexEncode(record.hash)},
             &status);
  return status.ok() ? absl::StatusOr<Uid>(uid) : status;
}

absl::Status StoreImpl::RemoveMessage(Txn& txn, MailboxId id,
                                      std::string_view owner,
                                      MailboxState& state, Uid uid,
                                      const MessageRecord& record,
                                      bool keep_blob_ref) {
  MR_RETURN_IF_ERROR(Delete(txn, Space::kMessages, MessageKey(id, uid)));
  MR_RETURN_IF_ERROR(Delete(txn, Space::kRetrieval, MessageKey(id, uid)));
  MR_RETURN_IF_ERROR(
      Delete(txn, Space::kChangelog, ChangelogKey(id, record.modseq)));
  ModSeq modseq = NextSharedModSeq(state);
  MR_RETURN_IF_ERROR(Put(txn, Space::kChangelog, ChangelogKey(id, modseq),
                         Encode(ChangeRecord{uid, true})));
  Account(state, record, -1);
  if (!keep_blob_ref) MR_RETURN_IF_ERROR(DropBlobRef(txn, record.hash));
  absl::Status status;
  QueueIndex(txn,
             IndexWork{.op = IndexWork::kRemove,
                       .owner = std::string(owner),
                       .mailbox = id,
                       .uid = uid},
             &status);
  return status;
}

absl::StatusOr<AppendResult> StoreImpl::AppendInTxn(
    Txn& txn, MailboxId id, std::string_view owner,
    const std::vector<AppendRequest>& messages,
    const std::vector<std::string>& hashes,
    const std::vector<std::optional<std::string>>& structures,
    bool charge_quota, std::string_view seen_user, KeywordOverflow overflow) {
  MR_ASSIGN_OR_RETURN(MailboxState state, LockState(txn, id));
  bool per_user = false;
  Flags private_flags;
  SeenUserState user_state;
  if (!seen_user.empty()) {
    MR_ASSIGN_OR_RETURN(private_flags, LockedPrivateFlags(txn, id));
    per_user = HasPrivateFlags(private_flags);
    if (per_user) {
      MR_ASSIGN_OR_RETURN(user_state,
                          GetSeenUser(id, seen_user, &txn, true, nullptr));
    }
  }
  bool own_private_written = false;
  int64_t bytes = 0;
  for (const AppendRequest& m : messages) bytes += static_cast<int64_t>(m.data.size());
  if (charge_quota) {
    MR_RETURN_IF_ERROR(ChargeQuota(txn, owner, bytes,
                                   static_cast<int64_t>(messages.size())));
  }
  AppendResult result;
  result.uidvalidity = state.uidvalidity;
  int64_t now = std::time(nullptr);
  for (size_t i = 0; i < messages.size(); ++i) {
    const AppendRequest& m = messages[i];
    MR_RETURN_IF_ERROR(AddBlobRef(txn, hashes[i], m.data, &structures[i]));
    MessageRecord record;
    record.system_flags = m.flags.system & kAllSystemFlags;
    MR_ASSIGN_OR_RETURN(record.keywords, NormalizeKeywords(m.flags.keywords));
    MR_RETURN_IF_ERROR(
        AdmitKeywords(txn, id, state, &record.keywords, overflow));
    // In a mailbox with private flags the appender's values of them are
    // the appender's own.
    SeenRow own_row;
    bool own_private = false;
    if (per_user) {
      Flags shared;
      own_private = SplitNewMessage(private_flags,
                                    {record.system_flags, record.keywords},
                                    &shared, &own_row);
      record.system_flags = shared.system;
      record.keywords = std::move(shared.keywords);
    }
    record.internal_date = m.internal_date.value_or(now);
    record.internal_tz_minutes = m.internal_tz_minutes;
    record.save_date = m.save_date.value_or(now);
    record.size = m.data.size();
    record.crlf_size = mime::CrlfSize(m.data);
    record.hash = hashes[i];
    record.email_id = EmailObjectIdRaw(object_id_key_, record.hash);
    record.thread_id = ThreadObjectIdOf(object_id_key_, m.data, record.hash);
    MessageRecord shared_view;
    shared_view.system_flags = record.system_flags;
    MR_ASSIGN_OR_RETURN(Uid uid, InsertMessage(txn, id, owner, state,
                                               std::move(record), m.uid));
    if (own_private) {
      MR_RETURN_IF_ERROR(WriteSeenRow(txn, id, seen_user, state, user_state,
                                      uid, shared_view, std::nullopt, own_row,
                                      nullptr));
      own_private_written = true;
    }
    result.uids.push_back(uid);
  }
  MR_RETURN_IF_ERROR(PutState(txn, id, state));
  txn.events.push_back(ChangeEvent{id, std::string(owner), state.highestmodseq,
                                   ChangeEvent::kMessages});
  if (own_private_written) {
    MR_RETURN_IF_ERROR(PutSeenUser(txn, id, seen_user, user_state));
    txn.events.push_back(ChangeEvent{
        id, std::string(owner),
        std::max(state.highestmodseq, user_state.highestmodseq),
        ChangeEvent::kMessages, std::string(seen_user)});
  }
  return result;
}

absl::StatusOr<AppendResult> StoreImpl::Append(
    const Principal& who, std::string_view mailbox,
    const std::vector<AppendRequest>& messages) {
  if (messages.empty()) return absl::InvalidArgumentError("nothing to append");
  std::vector<std::string> hashes;
  std::vector<std::string_view> data;
  for (const AppendRequest& m : messages) {
    if (m.data.empty()) return absl::InvalidArgumentError("empty message");
    if (m.uid.has_value() && !who.admin()) {
      return absl::PermissionDeniedError("only an administrator picks UIDs");
    }
    if (m.save_date.has_value() && !who.admin()) {
      return absl::PermissionDeniedError(
          "only an administrator sets save dates");
    }
    hashes.push_back(Sha256(m.data));
    data.push_back(m.data);
  }
  MR_ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> structures,
                      StructuresOfNewBlobs(hashes, data));
  AppendResult result;
  MR_RETURN_IF_ERROR(RunTxn([&](Txn& txn) -> absl::Status {
    MR_ASSIGN_OR_RETURN(Resolved target,
                        ResolveName(who, mailbox, &txn, /*also_visible=*/"i"));
    MR_RETURN_IF_ERROR(Require(target, 'i'));
    if (target.record.noselect) {
      return absl::FailedPreconditionError("mailbox is \\Noselect");
    }
    // In a per-user \Seen mailbox the appender's \Seen is only the
    // appender's own, but keeping it is still what `s` grants (as for STORE).
    std::vector<AppendRequest> limited = messages;
    for (AppendRequest& m : limited) {
      m.flags = InsertableFlags(target.rights, std::move(m.flags));
    }
    MR_ASSIGN_OR_RETURN(result, AppendInTxn(txn, target.id, target.record.owner,
                                            limited, hashes, structures,
                                            true, who.user()));
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<AppendResult> StoreImpl::Replace(const Principal& who,
                                                MailboxId source, Uid uid,
                                                std::string_view dest,
                                                const AppendRequest& message) {
  if (message.data.empty()) return absl::InvalidArgumentError("empty message");
  if ((message.uid.has_value() || message.save_date.has_value()) &&
      !who.admin()) {
    return absl::PermissionDeniedError(
        "only an administrator picks UIDs or save dates");
  }
  std::vector<std::string> hashes = {Sha256(message.data)};
  MR_ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> structures,
                      StructuresOfNewBlobs(hashes, {message.data}));
  AppendResult result;
  MR_RETURN_IF_ERROR(RunTxn([&](Txn& txn) -> absl::Status {
    MR_ASSIGN_OR_RETURN(Resolved src, ResolveId(who, source, &txn));
    MR_RETURN_IF_ERROR(Require(src, 't'));
    MR_RETURN_IF_ERROR(Require(src, 'e'));
    MR_ASSIGN_OR_RETURN(Resolved target,
                        ResolveName(who, dest, &txn, /*also_visible=*/"i"));
    MR_RETURN_IF_ERROR(Require(target, 'i'));
    if (target.record.noselect) {
      return absl::FailedPreconditionError("mailbox is \\Noselect");
    }
    // Both mailbox locks in id order, as CopyOrMove takes them.
    for (MailboxId id : {std::min(src.id, target.id),
                         std::max(src.id, target.id)}) {
      MR_RETURN_IF_ERROR(LockState(txn, id).status());
    }
    // The old message goes first, so its bytes are released before the
    // new ones are charged to the quota.
    MR_ASSIGN_OR_RETURN(MailboxState src_state, LockState(txn, source));
    MR_ASSIGN_OR_RETURN(std::optional<MessageRecord> old,
                        GetRecord<MessageRecord>(
                            Space::kMessages, MessageKey(source, uid), &txn));
    if (!old.has_value()) {
      return absl::NotFoundError("the message to replace no longer exists");
    }
    MR_RETURN_IF_ERROR(RemoveMessage(txn, source, src.record.owner, src_state,
                                     uid, *old, false));
    MR_ASSIGN_OR_RETURN(Flags source_private, LockedPrivateFlags(txn, source));
    if (HasPrivateFlags(source_private)) {
      MR_RETURN_IF_ERROR(DropSeenRows(txn, source, {{uid, *old}}));
    }
    MR_RETURN_IF_ERROR(ChargeQuota(txn, src.record.owner,
                                   -static_cast<int64_t>(old->size), -1));
    MR_RETURN_IF_ERROR(PutState(txn, source, src_state));
    txn.events.push_back(ChangeEvent{source, src.record.owner,
                                     src_state.highestmodseq,
                                     ChangeEvent::kMessages});
    std::vector<AppendRequest> limited = {message};
    limited[0].flags = InsertableFlags(target.rights, std::move(limited[0].flags));
    MR_ASSIGN_OR_RETURN(result, AppendInTxn(txn, target.id, target.record.owner,
                                            limited, hashes, structures, true,
                                            who.user()));
    return absl::OkStatus();
  }));
  return result;
}

std::vector<absl::StatusOr<AppendResult>> StoreImpl::Deliver(
    const std::vector<DeliveryTarget>& targets, std::string_view data) {
  std::vector<absl::StatusOr<AppendResult>> results(
      targets.size(), absl::InternalError("not attempted"));
  if (data.empty()) {
    for (auto& r : results) r = absl::InvalidArgumentError("empty message");
    return results;
  }
  std::vector<std::string> hashes = {Sha256(data)};
  absl::StatusOr<std::vector<std::optional<std::string>>> structures =
      StructuresOfNewBlobs(hashes, {data});
  if (!structures.ok()) {
    for (auto& r : results) r = structures.status();
    return results;
  }
  std::vector<AppendRequest> request(1);
  request[0].data = data;
  // One transaction for all targets (one fsync); a failing target is rolled
  // back to its save point so the others still commit.
  absl::Status s = RunTxn([&](Txn& txn) -> absl::Status {
    for (size_t i = 0; i < targets.size(); ++i) {
      txn.t->SetSavePoint();
      size_t events_before = txn.events.size();
      absl::StatusOr<AppendResult> r = [&]() -> absl::StatusOr<AppendResult> {
        MR_ASSIGN_OR_RETURN(std::string user, CanonicalUser(targets[i].user));
        MR_ASSIGN_OR_RETURN(std::optional<std::string> exists,
                            Get(Space::kUsers, user, &txn));
        if (!exists.has_value()) return absl::NotFoundError("no such user");
        std::vector<AppendRequest> flagged = request;
        flagged[0].flags = targets[i].flags;
        if (targets[i].as_user) {
          MR_ASSIGN_OR_RETURN(Resolved target,
                              ResolveFilingTarget(txn, user, targets[i]));
          // The user files: the flags they could not STORE there are
          // dropped, as for their APPEND (RFC 4314 section 4).
          flagged[0].flags =
              InsertableFlags(target.rights, std::move(flagged[0].flags));
          return AppendInTxn(txn, target.id, target.record.owner, flagged,
                             hashes, *structures, true, user,
                             KeywordOverflow::kDrop);
        }
        absl::StatusOr<std::string> name =
            CanonicalMailboxName(targets[i].mailbox);
        MailboxId id = 0;
        for (std::string_view candidate :
             {name.ok() ? std::string_view(*name) : kInbox, kInbox}) {
          MR_ASSIGN_OR_RETURN(
              std::optional<std::string> raw,
              Get(Space::kMailboxNames, MailboxNameKey(user, candidate), &txn));
          if (!raw.has_value()) continue;
          MR_ASSIGN_OR_RETURN(std::optional<MailboxRecord> record,
                              GetRecord<MailboxRecord>(
                                  Space::kMailboxes, MailboxIdKey(ReadU64(*raw)),
                                  &txn));
          if (!record.has_value() || record->noselect) continue;
          // A +detail delivery needs `p` for "anyone": the sender is
          // anonymous to the store (see DeliveryTarget).
          if (candidate != kInbox) {
            MR_ASSIGN_OR_RETURN(std::string anyone,
                                AnyoneRights(ReadU64(*raw), &txn));
            if (!HasRight(anyone, 'p')) continue;
          }
          id = ReadU64(*raw);
          break;
        }
        if (id == 0) return absl::NotFoundError("no such mailbox");
        return AppendInTxn(txn, id, user, flagged, hashes, *structures, true,
                           {}, KeywordOverflow::kDrop);
      }();
      if (!r.ok() && r.status().code() == absl::StatusCode::kAborted) {
        return r.status();  // conflict: retry the whole delivery
      }
      if (!r.ok()) {
        txn.t->RollbackToSavePoint().IgnoreError();
        txn.events.resize(events_before);
      } else {
        txn.t->PopSavePoint().IgnoreError();
      }
      results[i] = std::move(r);
    }
    return absl::OkStatus();
  });
  if (!s.ok()) {
    for (auto& r : results) r = s;
  }
  return results;
}

absl::StatusOr<std::vector<MessageMeta>> StoreImpl::GetMessages(
    const Principal& who, MailboxId mailbox, const std::vector<Uid>& uids_in) {
  MR_ASSIGN_OR_RETURN(Resolved m, ResolveId(who, mailbox, nullptr));
  MR_RETURN_IF_ERROR(Require(m, 'r'));
  std::vector<Uid> uids = SortedUnique(uids_in);
  std::vector<MessageMeta> out;
  if (uids.empty()) return out;
  size_t next = 0;
  absl::Status decode_status;
  MR_RETURN_IF_ERROR(Scan(
      Space::kMessages, MessageKey(mailbox, uids.front()),
      MessageKey(mailbox, uids.back()) + std::string(1, '\0'),
      [&](std::string_view key, std::string_view value) {
        MailboxId id;
        Uid uid;
        if (!ParseMessageKey(key, &id, &uid)) return true;
        while (next < uids.size() && uids[next] < uid) ++next;
        if (next == uids.size()) return false;
        if (uids[next] != uid) return true;
        MessageRecord record;
        if (!Decode(value, &record)) {
          decode_status = absl::DataLossError("undecodable message record");
          return false;
        }
        out.push_back(ToMeta(uid, record));
        return true;
      }));
  MR_RETURN_IF_ERROR(decode_status);
  if (PrivateView(m.record, who) && !out.empty()) {
    MR_ASSIGN_OR_RETURN(auto rows,
                        SeenRows(mailbox, who.user(), out.front().uid,
                                 out.back().uid, nullptr, nullptr));
    for (MessageMeta& meta : out) {
      if (auto row = rows.find(meta.uid); row != rows.end()) {
        ApplySeenRow(row->second, &meta);
      }
    }
  }
  return out;
}

absl::StatusOr<std::shared_ptr<const std::string>> StoreImpl::ReadBlob(
    std::string_view hash) {
  MR_ASSIGN_OR_RETURN(std::optional<std::string> data, Get(Space::kBlobs, hash));
  if (!data.has_value()) return absl::NotFoundError("message body is gone");
  return std::make_shared<const std::string>(*std::move(data));
}

absl::StatusOr<std::string> StoreImpl::ReadableBody(const Principal& who,
                                                    MailboxId mailbox,
                                                    Uid uid) {
  MR_ASSIGN_OR_RETURN(Resolved m, ResolveId(who, mailbox, nullptr));
  MR_RETURN_IF_ERROR(Require(m, 'r'));
  MR_ASSIGN_OR_RETURN(
      std::optional<MessageRecord> record,
      GetRecord<MessageRecord>(Space::kMessages, MessageKey(mailbox, uid)));
  if (!record.has_value()) return absl::NotFoundError("no such message");
  return record->hash;
}

absl::StatusOr<std::shared_ptr<const std::string>> StoreImpl::ReadMessage(
    const Principal& who, MailboxId mailbox, Uid uid) {
  MR_ASSIGN_OR_RETURN(std::string hash, ReadableBody(who, mailbox, uid));
  return ReadBlob(hash);
}

absl::StatusOr<std::string> StoreImpl::ReadMessageRange(const Principal& who,
                                                        MailboxId mailbox,
                                                        Uid uid,
                                                        uint64_t offset,
                                                        uint64_t length) {
  MR_ASSIGN_OR_RETURN(std::string hash, ReadableBody(who, mailbox, uid));
  absl::StatusOr<std::string> bytes =
      engine_->ReadRange(Space::kBlobs, hash, offset, length);
  if (bytes.status().code() == absl::StatusCode::kNotFound) {
    return absl::DataLossError("message body missing");
  }
  return bytes;
}

absl::StatusOr<std::shared_ptr<const mime::Message>> StoreImpl::GetStructure(
    const Principal& who, MailboxId mailbox, Uid uid) {
  MR_ASSIGN_OR_RETURN(Resolved m, ResolveId(who, mailbox, nullptr));
  MR_RETURN_IF_ERROR(Require(m, 'r'));
  MR_ASSIGN_OR_RETURN(
      std::optional<MessageRecord> record,
      GetRecord<MessageRecord>(Space::kMessages, MessageKey(mailbox, uid)));
  if (!record.has_value()) return absl::NotFoundError("no such message");
  MR_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                      Get(Space::kStructure, record->hash));
  return StructureOfBody(record->hash, stored);
}

absl::StatusOr<std::vector<MessageStructure>> StoreImpl::GetStructures(
    const Principal& who, MailboxId mailbox, const std::vector<Uid>& uids_in) {
  MR_ASSIGN_OR_RETURN(Resolved m, ResolveId(who, mailbox, nullptr));
  MR_RETURN_IF_ERROR(Require(m, 'r'));
  const std::vector<Uid> uids = SortedUnique(uids_in);
  std::vector<MessageStructure> out;
  if (uids.empty()) return out;
  // Keys of one mailbox in ascending UID order are sorted (big-endian).
  std::vector<std::string> keys;
  keys.reserve(uids.size());
  for (Uid uid : uids) keys.push_back(MessageKey(mailbox, uid));
  engine::Reader& reader = engine_->Latest();
  MR_ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> records,
                      reader.MultiGet(Space::kMessages, keys));
  std::vector<std::string> hashes;  // raw content hashes, by position in out
  for (size_t i = 0; i < uids.size(); ++i) {
    if (!records[i].has_value()) continue;  // expunged
    MessageRecord record;
    if (!Decode(*records[i], &record)) {
      return absl::DataLossError("undecodable message record");
    }
    out.push_back(MessageStructure{.uid = uids[i],
                                   .blob_id = HexEncode(record.hash)});
    hashes.push_back(std::move(record.hash));
  }
  // Copies of one body share its structure: read each hash once, in key
  // order as MultiGet requires.
  std::vector<std::string> distinct = hashes;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  MR_ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> stored,
                      reader.MultiGet(Space::kStructure, distinct));
  std::vector<std::shared_ptr<const mime::Message>> parsed(distinct.size());
  for (size_t i = 0; i < out.size(); ++i) {
    const size_t d =
        std::lower_bound(distinct.begin(), distinct.end(), hashes[i]) -
        distinct.begin();
    if (parsed[d] == nullptr) {
      MR_ASSIGN_OR_RETURN(parsed[d], StructureOfBody(distinct[d], stored[d]));
    }
    out[i].structure = parsed[d];
  }
  return out;
}

absl::StatusOr<std::shared_ptr<const mime::Message>> StoreImpl::StructureOfBody(
    std::string_view hash, const std::optional<std::string>& stored) {
  if (stored.has_value()) {
    if (std::optional<mime::Message> message = mime::Deserialize(*stored)) {
      return std::make_shared<const mime::Message>(*std::move(message));
    }
  }
  MR_ASSIGN_OR_RETURN(std::shared_ptr<const std::string> raw, ReadBlob(hash));
  auto message = std::make_shared<const mime::Message>(mime::Parse(*raw));
  std::string serialized = mime::Serialize(*message);
  // Only bodies stored before structures were written at append time get
  // here. Cache only while the body still exists, so no entry outlives its
  // blob; unsynced, since losing a cache entry costs one parse.
  absl::Status cache = RunTxn(
      [&](Txn& txn) -> absl::Status {
        MR_ASSIGN_OR_RETURN(std::optional<std::string> refs,
                            Get(Space::kBlobRefs, hash, &txn, true));
        if (!refs.has_value()) return absl::OkStatus();
        return Put(txn, Space::kStructure, hash, serialized);
      },
      /*durable=*/false);
  (void)cache;  // the cache is an optimisation; the parse result stands
  return message;
}

absl::StatusOr<StoreFlagsResult> StoreImpl::StoreFlags(
    const Principal& who, MailboxId mailbox, const StoreFlagsRequest& request) {
  MR_ASSIGN_OR_RETURN(std::vector<std::string> keywords,
                      NormalizeKeywords(request.flags.keywords));
  std::vector<Uid> uids = SortedUnique(request.uids);
  StoreFlagsResult result;
  MR_RETURN_IF_ERROR(RunTxn([&](Txn& txn) -> absl::Status {
    result = StoreFlagsResult();
    MR_ASSIGN_OR_RETURN(Resolved m, ResolveId(who, mailbox, &txn));
    MR_RETURN_IF_ERROR(Require(m, 'r'));
    // RFC 4314: \Seen needs `s`, \Deleted `t`, everything else `w`. Flags
    // the principal may not change keep their value.
    uint32_t allowed = SettableSystemFlags(m.rights);
    bool keywords_allowed = HasRight(m.rights, 'w');
    if (allowed == 0) {
      return absl::PermissionDeniedError("no right to change flags");
    }
    // RFC 4314 section 4: a STORE must not fail when the principal may
    // change at least one of the flags it names; naming only flags it may
    // not change is refused rather than silently ignored. A replacement
    // (FLAGS) touches every flag, so any flag right lets it through.
    const uint32_t named = request.flags.system & kAllSystemFlags;
    if (request.op != FlagOp::kReplace && (named != 0 || !keywords.empty()) &&
        (named & allowed) == 0 && !(keywords_allowed && !keywords.empty())) {
      return absl::PermissionDeniedError("no right to change these flags");
    }
    MR_ASSIGN_OR_RETURN(MailboxState state, LockState(txn, mailbox));
    if (keywords_allowed && request.op != FlagOp::kRemove) {
      // Refused before any message changes; noted in `state`, which is
      // written only when a message did change.
      std::vector<std::string> added = keywords;
      MR_RETURN_IF_ERROR(AdmitKeywords(txn, mailbox, state, &added,
                                       KeywordOverflow::kRefuse));
    }
    MR_ASSIGN_OR_RETURN(m.record.private_flags,
                        LockedPrivateFlags(txn, mailbox));
    const bool per_user = PrivateView(m.record, who);
    const bool seen_rows_exist = HasPrivateFlags(m.record.private_flags);
    SeenUserState user_state;
    if (per_user) {
      MR_ASSIGN_OR_RETURN(user_state,
                          GetSeenUser(mailbox, who.user(), &txn, true, nullptr));
    }
    bool shared_changed = false, own_changed = false;
    for (Uid uid : uids) {
      MR_ASSIGN_OR_RETURN(std::optional<MessageRecord> record,
                          GetRecord<MessageRecord>(
                              Space::kMessages, MessageKey(mailbox, uid), &txn));
      if (!record.has_value()) continue;
      std::optional<SeenRow> row;
      if (per_user) {
        MR_ASSIGN_OR_RETURN(row, GetRecord<SeenRow>(
                                     Space::kSeen,
                                     SeenRowKey(mailbox, who.user(), uid), &txn));
      }
      MessageMeta view = ToMeta(uid, *record);
      if (row.has_value()) ApplySeenRow(*row, &view);
      if (request.unchanged_since.has_value() &&
          view.modseq > *request.unchanged_since) {
        result.modified.push_back(uid);
        continue;
      }
      uint32_t system = view.flags.system;
      std::vector<std::string> kw = view.flags.keywords;
      uint32_t req = request.flags.system & kAllSystemFlags & allowed;
      switch (request.op) {
        case FlagOp::kAdd:
          system |= req;
          if (keywords_allowed) {
            for (const std::string& k : keywords) {
              if (!HasKeyword(kw, k)) kw.push_back(k);
            }
          }
          break;
        case FlagOp::kRemove:
          system &= ~req;
          if (keywords_allowed) {
            std::erase_if(kw, [&](const std::string& k) {
              return HasKeyword(keywords, k);
            });
          }
          break;
        case FlagOp::kReplace:
          system = (system & ~allowed) | req;
          if (keywords_allowed) kw = keywords;
          break;
      }
      std::sort(kw.begin(), kw.end());
      // Private flags go to the principal's row; the record keeps their
      // shared values.
      Flags wanted{system, std::move(kw)};
      Flags shared = wanted;
      SeenRow new_row;
      bool row_changed = false;
      if (per_user) {
        row_changed = SplitPrivate(
            m.record.private_flags, {record->system_flags, record->keywords},
            view.flags, wanted, row, &shared, &new_row);
      }
      bool record_changed = shared.system != record->system_flags ||
                            shared.keywords != record->keywords;
      if (!record_changed && !row_changed) continue;
      if (record_changed) {
        bool was_seen = (record->system_flags & kSeen) != 0;
        Account(state, *record, -1);
        MR_RETURN_IF_ERROR(
            Delete(txn, Space::kChangelog, ChangelogKey(mailbox, record->modseq)));
        record->system_flags = shared.system;
        record->keywords = std::move(shared.keywords);
        record->modseq = NextSharedModSeq(state);
        Account(state, *record, +1);
        MR_RETURN_IF_ERROR(Put(txn, Space::kMessages, MessageKey(mailbox, uid),
                               Encode(*record)));
        MR_RETURN_IF_ERROR(Put(txn, Space::kChangelog,
                               ChangelogKey(mailbox, record->modseq),
                               Encode(ChangeRecord{uid, false})));
        bool now_seen = (record->system_flags & kSeen) != 0;
        if (seen_rows_exist && was_seen != now_seen) {
          MR_RETURN_IF_ERROR(SharedSeenChanged(txn, mailbox, uid, now_seen));
        }
        shared_changed = true;
      }
      if (row_changed) {
        SeenRow written;
        MR_RETURN_IF_ERROR(WriteSeenRow(txn, mailbox, who.user(), state,
                                        user_state, uid, *record, row,
                                        std::move(new_row), &written));
        row = written;
        own_changed = true;
      }
      MessageMeta meta = ToMeta(uid, *record);
      if (row.has_value()) ApplySeenRow(*row, &meta);
      result.changed.push_back(std::move(meta));
    }
    if (shared_changed || own_changed) {
      MR_RETURN_IF_ERROR(PutState(txn, mailbox, state));
    }
    if (own_changed) {
      MR_RETURN_IF_ERROR(PutSeenUser(txn, mailbox, who.user(), user_state));
      txn.events.push_back(ChangeEvent{
          mailbox, m.record.owner,
          std::max(state.highestmodseq, user_state.highestmodseq),
          ChangeEvent::kMessages, who.user()});
    }
    if (shared_changed) {
      txn.events.push_back(ChangeEvent{mailbox, m.record.owner,
                                       state.highestmodseq,
                                       ChangeEvent::kMessages});
    }
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<std::vector<Uid>> StoreImpl::Expunge(
    const Principal& who, MailboxId mailbox, const ExpungeRequest& request) {
  std::vector<Uid> expunged;
  MR_RETURN_IF_ERROR(RunTxn([&](Txn& txn) -> absl::Status {
    expunged.clear();
    MR_ASSIGN_OR_RETURN(Resolved m, ResolveId(who, mailbox, &txn));
    MR_RETURN_IF_ERROR(Require(m, 'r'));
    MR_RETURN_IF_ERROR(Require(m, 'e'));
    MR_ASSIGN_OR_RETURN(MailboxState state, LockState(txn, mailbox));
    std::vector<std::pair<Uid, MessageRecord>> victims;
    auto consider = [&](Uid uid, MessageRecord record) {
      if (request.only_deleted && (record.system_flags & kDeleted) == 0) return;
      victims.emplace_back(uid, std::move(record));
    };
    if (request.uids.has_value()) {
      for (Uid uid : SortedUnique(*request.uids)) {
        MR_ASSIGN_OR_RETURN(std::optional<MessageRecord> record,
                            GetRecord<MessageRecord>(
                                Space::kMessages, MessageKey(mailbox, uid), &txn));
        if (record.has_value()) consider(uid, *std::move(record));
      }
    } else {
      MR_RETURN_IF_ERROR(ForEachMessage(
          mailbox,
          [&](Uid uid, MessageRecord record) {
            consider(uid, std::move(record));
          },
          &txn));
    }
    if (victims.empty()) return absl::OkStatus();
    int64_t bytes = 0;
    for (const auto& [uid, record] : victims) {
      MR_RETURN_IF_ERROR(RemoveMessage(txn, mailbox, m.record.owner, state,
                                       uid, record, false));
      bytes += static_cast<int64_t>(record.size);
      expunged.push_back(uid);
    }
    MR_ASSIGN_OR_RETURN(Flags private_flags, LockedPrivateFlags(txn, mailbox));
    if (HasPrivateFlags(private_flags)) {
      MR_RETURN_IF_ERROR(DropSeenRows(txn, mailbox, victims));
    }
    MR_RETURN_IF_ERROR(ChargeQuota(txn, m.record.owner, -bytes,
                                   -static_cast<int64_t>(victims.size())));
    MR_RETURN_IF_ERROR(PutState(txn, mailbox, state));
    txn.events.push_back(ChangeEvent{mailbox, m.record.owner,
                                     state.highestmodseq,
                                     ChangeEvent::kMessages});
    return absl::OkStatus();
  }));
  return expunged;
}

absl::StatusOr<CopyResult> StoreImpl::Copy(const Principal& who,
                                           MailboxId source,
                                           const std::vector<Uid>& uids,
                                           std::string_view dest) {
  return CopyOrMove(who, source, uids, dest, false);
}

absl::StatusOr<CopyResult> StoreImpl::Move(const Principal& who,
                                           MailboxId source,
                                           const std::vector<Uid>& uids,
                                           std::string_view dest) {
  return CopyOrMove(who, source, uids, dest, true);
}

absl::StatusOr<CopyResult> StoreImpl::CopyOrMove(const Principal& who,
                                                 MailboxId source,
                                                 const std::vector<Uid>& uids_in,
                                                 std::string_view dest,
                                                 bool move) {
  std::vector<Uid> uids = SortedUnique(uids_in);
  const int64_t now = std::time(nullptr);
  CopyResult result;
  MR_RETURN_IF_ERROR(RunTxn([&](Txn& txn) -> absl::Status {
    result = CopyResult();
    MR_ASSIGN_OR_RETURN(Resolved src, ResolveId(who, source, &txn));
    MR_RETURN_IF_ERROR(Require(src, 'r'));
    if (move) {
      MR_RETURN_IF_ERROR(Require(src, 't'));
      MR_RETURN_IF_ERROR(Require(src, 'e'));
    }
    MR_ASSIGN_OR_RETURN(Resolved dst,
                        ResolveName(who, dest, &txn, /*also_visible=*/"i"));
    MR_RETURN_IF_ERROR(Require(dst, 'i'));
    if (dst.record.noselect) {
      return absl::FailedPreconditionError("mailbox is \\Noselect");
    }
    // Lock both mailboxes in id order.
    std::map<MailboxId, MailboxState> states;
    for (MailboxId id : {std::min(src.id, dst.id), std::max(src.id, dst.id)}) {
      if (states.contains(id)) continue;
      MR_ASSIGN_OR_RETURN(states[id], LockState(txn, id));
    }
    MR_ASSIGN_OR_RETURN(src.record.private_flags,
                        LockedPrivateFlags(txn, src.id));
    MR_ASSIGN_OR_RETURN(dst.record.private_flags,
                        LockedPrivateFlags(txn, dst.id));
    std::vector<std::pair<Uid, MessageRecord>> messages;
    std::vector<Flags> copier_flags;  // flags as the copier sees them
    int64_t bytes = 0;
    for (Uid uid : uids) {
      MR_ASSIGN_OR_RETURN(std::optional<MessageRecord> record,
                          GetRecord<MessageRecord>(
                              Space::kMessages, MessageKey(source, uid), &txn));
      if (!record.has_value()) continue;
      Flags flags{record->system_flags, record->keywords};
      if (PrivateView(src.record, who)) {
        MR_ASSIGN_OR_RETURN(
            std::optional<SeenRow> row,
            GetRecord<SeenRow>(Space::kSeen, SeenRowKey(source, who.user(), uid),
                               &txn));
        if (row.has_value()) ApplyRow(*row, &flags);
      }
      bytes += static_cast<int64_t>(record->size);
      messages.emplace_back(uid, *std::move(record));
      copier_flags.push_back(std::move(flags));
    }
    if (messages.empty()) {
      result.dest_uidvalidity = states[dst.id].uidvalidity;
      return absl::OkStatus();
    }
    int64_t count = static_cast<int64_t>(messages.size());
    bool same_owner = src.record.owner == dst.record.owner;
    if (!(move && same_owner)) {
      MR_RETURN_IF_ERROR(ChargeQuota(txn, dst.record.owner, bytes, count));
      if (move) {
        MR_RETURN_IF_ERROR(ChargeQuota(txn, src.record.owner, -bytes, -count));
      }
    }
    MailboxState& dst_state = states[dst.id];
    result.dest_uidvalidity = dst_state.uidvalidity;
    const bool dst_per_user = PrivateView(dst.record, who);
    SeenUserState dst_user;
    if (dst_per_user) {
      MR_ASSIGN_OR_RETURN(dst_user,
                          GetSeenUser(dst.id, who.user(), &txn, true, nullptr));
    }
    bool dst_user_changed = false;
    for (size_t i = 0; i < messages.size(); ++i) {
      const auto& [uid, record] = messages[i];
      // A move hands the source's blob reference over to the copy.
      if (!move) MR_RETURN_IF_ERROR(AddBlobRef(txn, record.hash, std::nullopt));
      // The copy carries the copier's flags: shared, or in a destination
      // with private flags those as the copier's own (nobody else has
      // set them).
      MessageRecord copy = record;
      copy.save_date = now;
      Flags kept = InsertableFlags(dst.rights, copier_flags[i]);
      MR_RETURN_IF_ERROR(AdmitKeywords(txn, dst.id, dst_state, &kept.keywords,
                                       KeywordOverflow::kRefuse));
      SeenRow own_row;
      bool own_private = false;
      if (dst_per_user) {
        Flags shared;
        own_private = SplitNewMessage(dst.record.private_flags, kept,
                                      &shared, &own_row);
        kept = std::move(shared);
      }
      copy.system_flags = kept.system;
      copy.keywords = std::move(kept.keywords);
      MR_ASSIGN_OR_RETURN(Uid new_uid, InsertMessage(txn, dst.id,
                                                     dst.record.owner,
                                                     dst_state, copy));
      if (own_private) {
        MR_RETURN_IF_ERROR(WriteSeenRow(txn, dst.id, who.user(), dst_state,
                                        dst_user, new_uid, copy, std::nullopt,
                                        own_row, nullptr));
        dst_user_changed = true;
      }
      result.source_uids.push_back(uid);
      result.dest_uids.push_back(new_uid);
    }
    if (move) {
      MailboxState& src_state = states[src.id];
      for (const auto& [uid, record] : messages) {
        MR_RETURN_IF_ERROR(RemoveMessage(txn, source, src.record.owner,
                                         src_state, uid, record, true));
      }
      if (HasPrivateFlags(src.record.private_flags)) {
        MR_RETURN_IF_ERROR(DropSeenRows(txn, source, messages));
      }
    }
    for (const auto& [id, state] : states) {
      MR_RETURN_IF_ERROR(PutState(txn, id, state));
      txn.events.push_back(ChangeEvent{
          id, id == src.id ? src.record.owner : dst.record.owner,
          state.highestmodseq, ChangeEvent::kMessages});
    }
    if (dst_user_changed) {
      MR_RETURN_IF_ERROR(PutSeenUser(txn, dst.id, who.user(), dst_user));
      txn.events.push_back(ChangeEvent{
          dst.id, dst.record.owner,
          std::max(dst_state.highestmodseq, dst_user.highestmodseq),
          ChangeEvent::kMessages, who.user()});
    }
    return absl::OkStatus();
  }));
  return result;
}

absl::Status StoreImpl::MoveAllInTxn(const Principal& who, Txn& txn,
                                     MailboxId from, MailboxState& from_state,
                                     MailboxId to, MailboxState& to_state,
                                     std::string_view owner) {
  std::vector<std::pair<Uid, MessageRecord>> messages;
  MR_RETURN_IF_ERROR(ForEachMessage(
      from,
      [&](Uid uid, MessageRecord record) {
        messages.emplace_back(uid, std::move(record));
      },
      &txn));
  MR_ASSIGN_OR_RETURN(Flags from_private, LockedPrivateFlags(txn, from));
  const bool from_has_rows = HasPrivateFlags(from_private);
  absl::flat_hash_map<Uid, SeenRow> rows;
  if (from_has_rows && !who.user().empty()) {
    MR_ASSIGN_OR_RETURN(rows, SeenRows(from, who.user(), 0,
                                       std::numeric_limits<Uid>::max(), &txn,
                                       nullptr));
  }
  for (const auto& [uid, record] : messages) {
    // The target is a new mailbox without private flags: the mover's view
    // becomes the shared flags.
    MessageRecord copy = record;
    if (auto row = rows.find(uid); row != rows.end()) {
      Flags flags{copy.system_flags, copy.keywords};
      ApplyRow(row->second, &flags);
      copy.system_flags = flags.system;
      copy.keywords = std::move(flags.keywords);
    }
    // The messages only move: the new mailbox keeps every keyword.
    MR_RETURN_IF_ERROR(AdmitKeywords(txn, to, to_state, &copy.keywords,
                                     KeywordOverflow::kKeep));
    MR_RETURN_IF_ERROR(InsertMessage(txn, to, owner, to_state, copy).status());
    MR_RETURN_IF_ERROR(
        RemoveMessage(txn, from, owner, from_state, uid, record, true));
  }
  if (from_has_rows) {
    MR_RETURN_IF_ERROR(DropSeenRows(txn, from, messages));
  }
  txn.events.push_back(ChangeEvent{from, std::string(owner),
                                   from_state.highestmodseq,
                                   ChangeEvent::kMessages});
  txn.events.push_back(ChangeEvent{to, std::string(owner),
                                   to_state.highestmodseq,
                                   ChangeEvent::kMessages});
  return absl::OkStatus();
}

absl::StatusOr<Changes> StoreImpl::ChangesSince(const Principal& who,
                                                MailboxId mailbox,
                                                ModSeq since) {
  return RetryAborted([&] { return ChangesSinceOnce(who, mailbox, since); });
}

absl::StatusOr<Changes> StoreImpl::ChangesSinceOnce(const Principal& who,
                                                MailboxId mailbox,
                                                ModSeq since) {
  MR_ASSIGN_OR_RETURN(Resolved m, ResolveId(who, mailbox, nullptr));
  MR_RETURN_IF_ERROR(Require(m, 'r'));
  MR_ASSIGN_OR_RETURN(std::unique_ptr<engine::Reader> snapshot_view,
                      engine_->Snapshot());
  engine::Reader* snapshot = snapshot_view.get();
  MR_ASSIGN_OR_RETURN(
      std::optional<MailboxState> state,
      GetRecord<MailboxState>(Space::kMailboxState, MailboxIdKey(mailbox), nullptr,
                              false, snapshot));
  if (!state.has_value()) return absl::NotFoundError("no such mailbox");
  MR_ASSIGN_OR_RETURN(
      std::optional<MailboxRecord> record,
      GetRecord<MailboxRecord>(Space::kMailboxes, MailboxIdKey(mailbox), nullptr,
                               false, snapshot));
  if (!record.has_value()) return absl::NotFoundError("no such mailbox");
  const bool per_user = PrivateView(*record, who);
  Changes changes;
  MR_ASSIGN_OR_RETURN(MailboxStatus view,
                      ViewStatus(who, mailbox, *record, *state, snapshot));
  changes.highestmodseq = view.highestmodseq;
  if (since >= changes.highestmodseq) return changes;
  std::vector<Uid> present;
  absl::Status decode_status;
  MR_RETURN_IF_ERROR(Scan(
      Space::kChangelog, ChangelogKey(mailbox, since + 1),
      PrefixEnd(MailboxIdKey(mailbox)),
      [&](std::string_view, std::string_view value) {
        ChangeRecord change;
        if (!Decode(value, &change)) {
          decode_status = absl::DataLossError("undecodable change record");
          return false;
        }
        (change.expunged ? changes.vanished : present).push_back(change.uid);
        return true;
      },
      nullptr, snapshot));
  MR_RETURN_IF_ERROR(decode_status);
  if (per_user) {
    // The principal's own private changes (see seen.cc).
    MR_RETURN_IF_ERROR(Scan(
        Space::kSeen, SeenChangeKey(mailbox, who.user(), since + 1),
        PrefixEnd(SeenUserPrefix(kSeenChangeTag, mailbox, who.user())),
        [&](std::string_view, std::string_view value) {
          if (value.size() != 4) {
            decode_status = absl::DataLossError("undecodable seen change");
            return false;
          }
          present.push_back(ReadU32(value));
          return true;
        },
        nullptr, snapshot));
    MR_RETURN_IF_ERROR(decode_status);
  }
  std::sort(present.begin(), present.end());
  present.erase(std::unique(present.begin(), present.end()), present.end());
  std::sort(changes.vanished.begin(), changes.vanished.end());
  for (Uid uid : present) {
    MR_ASSIGN_OR_RETURN(std::optional<MessageRecord> message,
                        GetRecord<MessageRecord>(Space::kMessages,
                                                 MessageKey(mailbox, uid),
                                                 nullptr, false, snapshot));
    if (!message.has_value()) continue;
    MessageMeta meta = ToMeta(uid, *message);
    if (per_user) {
      MR_ASSIGN_OR_RETURN(
          std::optional<SeenRow> row,
          GetRecord<SeenRow>(Space::kSeen, SeenRowKey(mailbox, who.user(), uid),
                             nullptr, false, snapshot));
      if (row.has_value()) ApplySeenRow(*row, &meta);
    }
    changes.changed.push_back(std::move(meta));
  }
  return changes;
}

}  // namespace mailroom::store::internal
