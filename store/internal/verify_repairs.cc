// The repairs of Store::Verify and Store::RecountQuota. Each is one
// transaction that takes the locks writers take and decides again from what
// it reads under them (see verifier.h), and says what it did.
#include <algorithm>
#include <cstdint>
#include <set>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "store/internal/names.h"
#include "store/internal/private_flags.h"
#include "store/internal/verifier.h"

namespace mailroom::store::internal {
namespace {

std::string Usage(uint64_t bytes, uint64_t messages) {
  return absl::StrCat(bytes, " bytes, ", messages, " messages");
}

// A key of the seen space: tag, mailbox id, user, 0, then a uid or modseq.
bool ParseSeenKey(std::string_view key, std::string* user,
                  std::string_view* rest) {
  size_t end = key.find('\0', 9);
  if (key.size() < 10 || end == std::string_view::npos) return false;
  *user = std::string(key.substr(9, end - 9));
  *rest = key.substr(end + 1);
  return true;
}

}  // namespace

absl::StatusOr<std::string> StoreImpl::Verifier::RepairTxn(
    const std::function<absl::Status(Txn&, std::string& done)>& fn) {
  std::string done;
  MR_RETURN_IF_ERROR(store_.RunTxn([&](Txn& txn) -> absl::Status {
    done.clear();
    return fn(txn, done);
  }));
  return done;
}

absl::StatusOr<std::string> StoreImpl::Verifier::RemoveLostMessage(
    MailboxId id, Uid uid, const std::string& hash) {
  return RepairTxn([&](Txn& txn, std::string& done) -> absl::Status {
    MR_ASSIGN_OR_RETURN(MailboxState state, store_.LockState(txn, id));
    MR_ASSIGN_OR_RETURN(std::optional<MailboxRecord> mailbox,
                        store_.GetRecord<MailboxRecord>(
                            Space::kMailboxes, MailboxIdKey(id), &txn));
    MR_ASSIGN_OR_RETURN(std::optional<MessageRecord> record,
                        store_.GetRecord<MessageRecord>(
                            Space::kMessages, MessageKey(id, uid), &txn));
    if (!mailbox.has_value() || !record.has_value() || record->hash != hash) {
      return absl::OkStatus();  // expunged meanwhile
    }
    MR_ASSIGN_OR_RETURN(std::optional<std::string> refs,
                        store_.Get(Space::kBlobRefs, hash, &txn, true));
    MR_ASSIGN_OR_RETURN(std::optional<std::string> body,
                        store_.Get(Space::kBlobs, hash, &txn));
    if (body.has_value()) return absl::OkStatus();  // stored again meanwhile
    MR_RETURN_IF_ERROR(store_.RemoveMessage(txn, id, mailbox->owner, state,
                                            uid, *record, false));
    if (HasPrivateFlags(mailbox->private_flags)) {
      MR_RETURN_IF_ERROR(store_.DropSeenRows(txn, id, {{uid, *record}}));
    }
    MR_RETURN_IF_ERROR(store_.ChargeQuota(
        txn, mailbox->owner, -static_cast<int64_t>(record->size), -1));
    MR_RETURN_IF_ERROR(store_.PutState(txn, id, state));
    txn.events.push_back(ChangeEvent{id, mailbox->owner, state.highestmodseq,
                                     ChangeEvent::kMessages});
    done = absl::StrCat("expunged UID ", uid, " (", record->size,
                        " bytes): the message is lost");
    return absl::OkStatus();
  });
}

absl::StatusOr<std::string> StoreImpl::Verifier::RestoreName(
    MailboxId id, const MailboxRecord& record) {
  const std::string key = MailboxNameKey(record.owner, record.name);
  return RepairTxn([&](Txn& txn, std::string& done) -> absl::Status {
    MR_ASSIGN_OR_RETURN(std::optional<std::string> exists,
                        store_.Get(Space::kMailboxes, MailboxIdKey(id), &txn));
    MR_ASSIGN_OR_RETURN(std::optional<std::string> named,
                        store_.Get(Space::kMailboxNames, key, &txn, true));
    if (!exists.has_value()) return absl::OkStatus();
    if (named.has_value()) {
      if (named->size() == 8 && ReadU64(*named) == id) return absl::OkStatus();
      return absl::FailedPreconditionError(
          "the name belongs to another mailbox");
    }
    std::string value;
    AppendU64(&value, id);
    MR_RETURN_IF_ERROR(store_.Put(txn, Space::kMailboxNames, key, value));
    txn.events.push_back(
        ChangeEvent{id, record.owner, 0, ChangeEvent::kMailboxList});
    done = "restored the name entry";
    return absl::OkStatus();
  });
}

absl::StatusOr<std::string> StoreImpl::Verifier::DropDanglingName(
    const std::string& key, MailboxId id) {
  return RepairTxn([&](Txn& txn, std::string& done) -> absl::Status {
    MR_ASSIGN_OR_RETURN(std::optional<std::string> named,
                        store_.Get(Space::kMailboxNames, key, &txn, true));
    if (!named.has_value() || named->size() != 8 || ReadU64(*named) != id) {
      return absl::OkStatus();
    }
    MR_ASSIGN_OR_RETURN(std::optional<std::string> exists,
                        store_.Get(Space::kMailboxes, MailboxIdKey(id), &txn));
    if (exists.has_value()) return absl::OkStatus();
    MR_RETURN_IF_ERROR(store_.Delete(txn, Space::kMailboxNames, key));
    done = "dropped the name entry";
    return absl::OkStatus();
  });
}

// Drops stale entries, records the expunge of UIDs whose message went
// without one, and gives each message missing from the log a new modseq
// (so a QRESYNC client that resyncs from any earlier point sees it).
absl::StatusOr<std::string> StoreImpl::Verifier::RewriteChangelog(
    MailboxId id) {
  return RepairTxn([&](Txn& txn, std::string& done) -> absl::Status {
    MR_ASSIGN_OR_RETURN(MailboxState state, store_.LockState(txn, id));
    MR_ASSIGN_OR_RETURN(std::optional<MailboxRecord> mailbox,
                        store_.GetRecord<MailboxRecord>(
                            Space::kMailboxes, MailboxIdKey(id), &txn));
    if (!mailbox.has_value()) return absl::OkStatus();
    std::map<Uid, MessageRecord> messages;
    ModSeq max_modseq = 0;
    MR_RETURN_IF_ERROR(store_.ForEachMessage(
        id,
        [&](Uid uid, MessageRecord record) {
          max_modseq = std::max(max_modseq, record.modseq);
          messages.emplace(uid, std::move(record));
        },
        &txn));
    std::vector<std::string> drop;
    std::set<Uid> listed, expunged, gone;
    MR_RETURN_IF_ERROR(store_.ScanPrefix(
        Space::kChangelog, MailboxIdKey(id),
        [&](std::string_view key, std::string_view value) {
          ChangeRecord change;
          if (key.size() != 16 || !Decode(value, &change)) {
            drop.emplace_back(key);
            return true;
          }
          ModSeq modseq = ReadU64(key.substr(8));
          max_modseq = std::max(max_modseq, modseq);
          if (change.expunged) {
            expunged.insert(change.uid);
            return true;
          }
          auto it = messages.find(change.uid);
          if (it == messages.end() || it->second.modseq != modseq) {
            drop.emplace_back(key);
            if (it == messages.end()) gone.insert(change.uid);
            return true;
          }
          listed.insert(change.uid);
          return true;
        },
        &txn));
    // New modseqs must stay above every one in use.
    if (max_modseq > state.highestmodseq) state.highestmodseq = max_modseq;
    for (const std::string& key : drop) {
      MR_RETURN_IF_ERROR(store_.Delete(txn, Space::kChangelog, key));
    }
    size_t recorded = 0, renewed = 0;
    for (Uid uid : gone) {
      if (expunged.contains(uid)) continue;
      MR_RETURN_IF_ERROR(store_.Put(txn, Space::kChangelog,
                                    ChangelogKey(id, NextSharedModSeq(state)),
                                    Encode(ChangeRecord{uid, true})));
      ++recorded;
    }
    for (auto& [uid, record] : messages) {
      if (listed.contains(uid)) continue;
      record.modseq = NextSharedModSeq(state);
      MR_RETURN_IF_ERROR(store_.Put(txn, Space::kMessages, MessageKey(id, uid),
                                    Encode(record)));
      MR_RETURN_IF_ERROR(store_.Put(txn, Space::kChangelog,
                                    ChangelogKey(id, record.modseq),
                                    Encode(ChangeRecord{uid, false})));
      ++renewed;
    }
    if (drop.empty() && recorded == 0 && renewed == 0) return absl::OkStatus();
    MR_RETURN_IF_ERROR(store_.PutState(txn, id, state));
    txn.events.push_back(ChangeEvent{id, mailbox->owner, state.highestmodseq,
                                     ChangeEvent::kMessages});
    done = absl::StrCat("change log rewritten: dropped ", drop.size(),
                        " stale entries, recorded ", recorded,
                        " expunges, gave ", renewed,
                        " messages a new modseq");
    return absl::OkStatus();
  });
}

// Rebuilds the mailbox's per-user \Seen bookkeeping from its rows: rows of
// missing messages go, each row gets its change entry, each user's view is
// recounted.
absl::StatusOr<std::string> StoreImpl::Verifier::RewriteSeen(MailboxId id) {
  return RepairTxn([&](Txn& txn, std::string& done) -> absl::Status {
    MR_ASSIGN_OR_RETURN(MailboxState state, store_.LockState(txn, id));
    MR_ASSIGN_OR_RETURN(Flags private_flags,
                        store_.LockedPrivateFlags(txn, id));
    if (!HasPrivateFlags(private_flags)) {
      size_t keys = 0;
      for (char tag : {kSeenStateTag, kSeenRowTag, kSeenChangeTag}) {
        MR_RETURN_IF_ERROR(store_.ScanPrefix(
            Space::kSeen, SeenPrefix(tag, id),
            [&](std::string_view, std::string_view) {
              ++keys;
              return true;
            },
            &txn));
      }
      if (keys == 0) return absl::OkStatus();
      MR_RETURN_IF_ERROR(store_.DropAllSeen(txn, id));
      done = absl::StrCat("dropped ", keys, " per-user \\Seen keys");
      return absl::OkStatus();
    }
    absl::flat_hash_map<Uid, bool> shared_seen;
    MR_RETURN_IF_ERROR(store_.ForEachMessage(
        id,
        [&](Uid uid, MessageRecord record) {
          shared_seen[uid] = (record.system_flags & kSeen) != 0;
        },
        &txn));
    struct View {
      int64_t delta = 0;
      ModSeq max_modseq = 0;
      std::optional<SeenUserState> stored;
    };
    std::map<std::string, View> views;
    std::map<std::string, Uid> expected;  // change key -> uid
    std::vector<std::string> drop;
    // Rows that override flags no longer private lose those overrides.
    std::vector<std::pair<std::string, SeenRow>> narrowed;
    ModSeq max_row = 0;
    MR_RETURN_IF_ERROR(store_.ScanPrefix(
        Space::kSeen, SeenPrefix(kSeenRowTag, id),
        [&](std::string_view key, std::string_view value) {
          std::string user;
          std::string_view rest;
          SeenRow row;
          if (!ParseSeenKey(key, &user, &rest) || rest.size() != 4 ||
              !Decode(value, &row)) {
            drop.emplace_back(key);
            return true;
          }
          auto shared = shared_seen.find(ReadU32(rest));
          if (shared == shared_seen.end()) {
            drop.emplace_back(key);
            return true;
          }
          if (RestrictRow(private_flags, &row)) {
            if (RowIsEmpty(row)) {
              drop.emplace_back(key);
              return true;
            }
            narrowed.emplace_back(std::string(key), row);
          } else if (RowIsEmpty(row)) {
            drop.emplace_back(key);
            return true;
          }
          View& view = views[user];
          view.delta += SeenDelta(row, shared->second);
          view.max_modseq = std::max(view.max_modseq, row.modseq);
          max_row = std::max(max_row, row.modseq);
          expected[SeenChangeKey(id, user, row.modseq)] = ReadU32(rest);
          return true;
        },
        &txn));
    const size_t rows_dropped = drop.size();
    std::set<std::string> present;
    MR_RETURN_IF_ERROR(store_.ScanPrefix(
        Space::kSeen, SeenPrefix(kSeenChangeTag, id),
        [&](std::string_view key, std::string_view value) {
          auto it = expected.find(std::string(key));
          if (it == expected.end() || value.size() != 4 ||
              ReadU32(value) != it->second) {
            drop.emplace_back(key);
          } else {
            present.emplace(key);
          }
          return true;
        },
        &txn));
    const size_t changes_dropped = drop.size() - rows_dropped;
    MR_RETURN_IF_ERROR(store_.ScanPrefix(
        Space::kSeen, SeenPrefix(kSeenStateTag, id),
        [&](std::string_view key, std::string_view value) {
          std::string user;
          std::string_view rest;
          SeenUserState stored;
          if (!ParseSeenKey(key, &user, &rest) || !rest.empty()) {
            drop.emplace_back(key);
            return true;
          }
          // An undecodable state is rewritten like a wrong one.
          views[user].stored = Decode(value, &stored)
                                   ? stored
                                   : SeenUserState{INT64_MIN, 0};
          return true;
        },
        &txn));
    for (const std::string& key : drop) {
      MR_RETURN_IF_ERROR(store_.Delete(txn, Space::kSeen, key));
    }
    for (const auto& [key, row] : narrowed) {
      MR_RETURN_IF_ERROR(store_.Put(txn, Space::kSeen, key, Encode(row)));
    }
    size_t changes_added = 0, views_recounted = 0;
    for (const auto& [key, uid] : expected) {
      if (present.contains(key)) continue;
      std::string value;
      AppendU32(&value, uid);
      MR_RETURN_IF_ERROR(store_.Put(txn, Space::kSeen, key, value));
      ++changes_added;
    }
    for (const auto& [user, view] : views) {
      SeenUserState want;
      want.delta = view.delta;
      want.highestmodseq = view.max_modseq;
      if (view.stored.has_value()) {
        want.highestmodseq =
            std::max(view.stored->highestmodseq, view.max_modseq);
        if (view.stored->delta == want.delta &&
            view.stored->highestmodseq == want.highestmodseq) {
          continue;
        }
      }
      MR_RETURN_IF_ERROR(store_.PutSeenUser(txn, id, user, want));
      ++views_recounted;
    }
    bool counter_moved = false;
    if (max_row > std::max(state.highestmodseq, state.last_modseq)) {
      state.last_modseq = max_row;
      counter_moved = true;
      MR_RETURN_IF_ERROR(store_.PutState(txn, id, state));
    }
    if (drop.empty() && narrowed.empty() && changes_added == 0 &&
        views_recounted == 0 && !counter_moved) {
      return absl::OkStatus();
    }
    done = absl::StrCat("per-user rows rewritten: narrowed ", narrowed.size(),
                        " rows, dropped ", rows_dropped,
                        " rows and ", changes_dropped,
                        " change entries, added ", changes_added,
                        " change entries, recounted ", views_recounted,
                        " views");
    return absl::OkStatus();
  });
}

absl::StatusOr<std::string> StoreImpl::Verifier::DropOrphanRows(MailboxId id) {
  return RepairTxn([&](Txn& txn, std::string& done) -> absl::Status {
    MR_ASSIGN_OR_RETURN(std::optional<std::string> exists,
                        store_.Get(Space::kMailboxes, MailboxIdKey(id), &txn));
    if (exists.has_value()) return absl::OkStatus();
    MR_RETURN_IF_ERROR(
        store_.Delete(txn, Space::kMailboxState, MailboxIdKey(id)));
    MR_RETURN_IF_ERROR(
        store_.DeletePrefix(txn, Space::kChangelog, MailboxIdKey(id)));
    MR_RETURN_IF_ERROR(
        store_.DeletePrefix(txn, Space::kMailboxView, MailboxIdKey(id)));
    MR_RETURN_IF_ERROR(store_.DropAllSeen(txn, id));
    done = "dropped them";
    return absl::OkStatus();
  });
}

absl::StatusOr<std::string> StoreImpl::Verifier::DropMessageTable(
    MailboxId id) {
  return RepairTxn([&](Txn& txn, std::string& done) -> absl::Status {
    MR_RETURN_IF_ERROR(
        store_.DeletePrefix(txn, Space::kMailboxView, MailboxIdKey(id)));
    done = "dropped the message table";
    return absl::OkStatus();
  });
}

absl::StatusOr<std::string> StoreImpl::Verifier::DropSearchColumn(
    MailboxId id) {
  return RepairTxn([&](Txn& txn, std::string& done) -> absl::Status {
    MR_RETURN_IF_ERROR(store_.DeleteRange(txn, Space::kMailboxView,
                                          MailboxColumnKey(id, 0),
                                          PrefixEnd(MailboxIdKey(id))));
    done = "dropped the search column";
    return absl::OkStatus();
  });
}

// Counters recounted under the mailbox lock; UIDNEXT and HIGHESTMODSEQ only
// ever move up.
absl::StatusOr<std::string> StoreImpl::Verifier::RecountMailbox(MailboxId id) {
  return RepairTxn([&](Txn& txn, std::string& done) -> absl::Status {
    MR_ASSIGN_OR_RETURN(MailboxState state, store_.LockState(txn, id));
    MR_ASSIGN_OR_RETURN(std::optional<MailboxRecord> mailbox,
                        store_.GetRecord<MailboxRecord>(
                            Space::kMailboxes, MailboxIdKey(id), &txn));
    if (!mailbox.has_value()) return absl::OkStatus();
    MailboxState fixed = state;
    fixed.messages = fixed.unseen = fixed.deleted = 0;
    fixed.size = 0;
    Uid max_uid = 0;
    ModSeq max_modseq = 0;
    MR_RETURN_IF_ERROR(store_.ForEachMessage(
        id,
        [&](Uid uid, MessageRecord r) {
          ++fixed.messages;
          if ((r.system_flags & kSeen) == 0) ++fixed.unseen;
          if ((r.system_flags & kDeleted) != 0) ++fixed.deleted;
          fixed.size += r.size;
          max_uid = std::max(max_uid, uid);
          max_modseq = std::max(max_modseq, r.modseq);
        },
        &txn));
    MR_RETURN_IF_ERROR(store_.ScanPrefix(
        Space::kChangelog, MailboxIdKey(id),
        [&](std::string_view key, std::string_view) {
          if (key.size() == 16) max_modseq = std::max(max_modseq, ReadU64(key.substr(8)));
          return true;
        },
        &txn));
    if (max_uid >= fixed.uidnext) fixed.uidnext = max_uid + 1;
    if (max_modseq > fixed.highestmodseq) fixed.highestmodseq = max_modseq;
    if (Encode(fixed) == Encode(state)) return absl::OkStatus();
    MR_RETURN_IF_ERROR(store_.PutState(txn, id, fixed));
    txn.events.push_back(ChangeEvent{id, mailbox->owner, fixed.highestmodseq,
                                     ChangeEvent::kMessages});
    done = absl::StrCat("recounted: ", fixed.messages, " messages, ",
                        fixed.unseen, " unseen, ", fixed.deleted, " deleted, ",
                        fixed.size, " bytes, UIDNEXT ", fixed.uidnext,
                        ", HIGHESTMODSEQ ", fixed.highestmodseq);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::string> StoreImpl::Verifier::RebuildKeywordList(
    MailboxId id) {
  return RepairTxn([&](Txn& txn, std::string& done) -> absl::Status {
    MR_ASSIGN_OR_RETURN(MailboxState state, store_.LockState(txn, id));
    MR_RETURN_IF_ERROR(store_.RecountKeywords(txn, id, state));
    MR_RETURN_IF_ERROR(store_.PutState(txn, id, state));
    done = absl::StrCat("keyword list rebuilt from the messages: ",
                        state.keyword_count, " keyword(s)");
    return absl::OkStatus();
  });
}

absl::StatusOr<std::string> StoreImpl::Verifier::RecountQuota(
    const std::string& owner) {
  MR_ASSIGN_OR_RETURN(QuotaRecount recount, store_.RecountQuotaOf(owner));
  if (!recount.changed()) return std::string();
  return absl::StrCat("usage recounted: was ",
                      Usage(recount.old_bytes, recount.old_messages), ", now ",
                      Usage(recount.bytes, recount.messages));
}

// Corrects by the difference the snapshot showed, so references taken or
// dropped meanwhile stay counted.
absl::StatusOr<std::string> StoreImpl::Verifier::FixRefCount(
    const std::string& hash, uint64_t stored, uint64_t counted) {
  return RepairTxn([&](Txn& txn, std::string& done) -> absl::Status {
    MR_ASSIGN_OR_RETURN(std::optional<std::string> raw,
                        store_.Get(Space::kBlobRefs, hash, &txn, true));
    MR_ASSIGN_OR_RETURN(std::optional<std::string> body,
                        store_.Get(Space::kBlobs, hash, &txn));
    if (!body.has_value()) {
      return absl::FailedPreconditionError(
          "the body is missing; its messages are lost");
    }
    uint64_t current = raw.has_value() && raw->size() == 8 ? ReadU64(*raw) : 0;
    int64_t target = static_cast<int64_t>(current) -
                     static_cast<int64_t>(stored) +
                     static_cast<int64_t>(counted);
    if (target <= 0) {
      return absl::AbortedError("the count moved meanwhile; verify again");
    }
    if (static_cast<uint64_t>(target) == current && raw.has_value()) {
      return absl::OkStatus();
    }
    std::string value;
    AppendU64(&value, static_cast<uint64_t>(target));
    MR_RETURN_IF_ERROR(store_.Put(txn, Space::kBlobRefs, hash, value));
    done = absl::StrCat("reference count set from ", current, " to ", target);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::string> StoreImpl::Verifier::DropUnreferencedBlob(
    const std::string& hash, std::optional<uint64_t> stored) {
  return RepairTxn([&](Txn& txn, std::string& done) -> absl::Status {
    MR_ASSIGN_OR_RETURN(std::optional<std::string> raw,
                        store_.Get(Space::kBlobRefs, hash, &txn, true));
    std::optional<uint64_t> current;
    if (raw.has_value() && raw->size() == 8) current = ReadU64(*raw);
    // A message that took a reference meanwhile moved the count.
    if (current != stored) return absl::OkStatus();
    MR_RETURN_IF_ERROR(store_.Delete(txn, Space::kBlobRefs, hash));
    MR_RETURN_IF_ERROR(store_.Delete(txn, Space::kBlobs, hash));
    MR_RETURN_IF_ERROR(store_.Delete(txn, Space::kStructure, hash));
    done = "deleted the unreferenced body and its count";
    return absl::OkStatus();
  });
}

absl::StatusOr<std::string> StoreImpl::Verifier::RequeueIndex(
    const std::string& owner) {
  MR_RETURN_IF_ERROR(store_.Reindex(owner));
  return absl::StrCat("full-text index of ", owner, " queued for rebuilding");
}

absl::StatusOr<QuotaRecount> StoreImpl::RecountQuotaOf(
    const std::string& owner) {
  QuotaRecount recount;
  recount.user = owner;
  MR_RETURN_IF_ERROR(RunTxn([&](Txn& txn) -> absl::Status {
    recount = QuotaRecount{.user = owner};
    std::vector<MailboxId> ids;
    MR_RETURN_IF_ERROR(ScanPrefix(
        Space::kMailboxNames, MailboxNamePrefix(owner),
        [&](std::string_view, std::string_view value) {
          if (value.size() == 8) ids.push_back(ReadU64(value));
          return true;
        },
        &txn));
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    // Deliveries lock the mailbox, then the quota: the same order here.
    for (MailboxId id : ids) {
      MR_ASSIGN_OR_RETURN(std::optional<MailboxState> state,
                          GetRecord<MailboxState>(Space::kMailboxState,
                                                  MailboxIdKey(id), &txn, true));
      if (!state.has_value()) continue;
      MR_RETURN_IF_ERROR(ForEachMessage(
          id,
          [&](Uid, MessageRecord r) {
            recount.bytes += r.size;
            ++recount.messages;
          },
          &txn));
    }
    MR_ASSIGN_OR_RETURN(std::optional<std::string> raw,
                        Get(Space::kQuota, owner, &txn, true));
    QuotaRecord stored;
    bool decoded = raw.has_value() && Decode(*raw, &stored);
    recount.old_bytes = stored.bytes;
    recount.old_messages = stored.messages;
    if (decoded ? !recount.changed() : !raw.has_value() && recount.messages == 0) {
      return absl::OkStatus();
    }
    return Put(txn, Space::kQuota, owner,
               Encode(QuotaRecord{recount.bytes, recount.messages}));
  }));
  return recount;
}

absl::StatusOr<std::vector<QuotaRecount>> StoreImpl::RecountQuota(
    std::string_view user) {
  std::set<std::string> owners;
  if (!user.empty()) {
    MR_ASSIGN_OR_RETURN(std::string owner, CanonicalUser(user));
    MR_ASSIGN_OR_RETURN(std::optional<std::string> account,
                        Get(Space::kUsers, owner));
    if (!account.has_value()) {
      return absl::NotFoundError(absl::StrCat("no such user: ", owner));
    }
    owners.insert(owner);
  } else {
    for (Space space : {Space::kUsers, Space::kQuota}) {
      MR_RETURN_IF_ERROR(ScanPrefix(
          space, "", [&](std::string_view key, std::string_view) {
            owners.emplace(key);
            return true;
          }));
    }
    MR_RETURN_IF_ERROR(ScanPrefix(
        Space::kMailboxNames, "", [&](std::string_view key, std::string_view) {
          owners.emplace(key.substr(0, key.find('\0')));
          return true;
        }));
  }
  std::vector<QuotaRecount> out;
  for (const std::string& owner : owners) {
    MR_ASSIGN_OR_RETURN(QuotaRecount recount, RecountQuotaOf(owner));
    out.push_back(std::move(recount));
  }
  return out;
}

absl::StatusOr<std::string> StoreImpl::Verifier::DropOrphanMetadata(
    MailboxId id) {
  return RepairTxn([&](Txn& txn, std::string& done) -> absl::Status {
    MR_ASSIGN_OR_RETURN(std::optional<std::string> exists,
                        store_.Get(Space::kMailboxes, MailboxIdKey(id), &txn));
    if (exists.has_value()) return absl::OkStatus();
    MR_RETURN_IF_ERROR(
        store_.DeletePrefix(txn, Space::kMetadata, MetaMailboxPrefix(id)));
    done = "dropped them";
    return absl::OkStatus();
  });
}

// Recounted under the owner's usage key, the lock every annotation write
// of that owner takes.
absl::StatusOr<std::string> StoreImpl::Verifier::RecountMetadata(
    const std::string& owner) {
  return RepairTxn([&](Txn& txn, std::string& done) -> absl::Status {
    MR_RETURN_IF_ERROR(
        store_.Get(Space::kMetadata, MetaUsageKey(owner), &txn, true)
            .status());
    MR_ASSIGN_OR_RETURN(auto counted,
                        store_.CountMetadataUsage(&txn, nullptr, nullptr));
    MR_ASSIGN_OR_RETURN(auto stored, store_.StoredMetadataUsage(&txn, nullptr));
    const MetadataUsage c = counted[owner];
    if (stored[owner] == c) return absl::OkStatus();
    if (c.entries == 0 && c.bytes == 0) {
      MR_RETURN_IF_ERROR(
          store_.Delete(txn, Space::kMetadata, MetaUsageKey(owner)));
    } else {
      std::string value;
      AppendU64(&value, static_cast<uint64_t>(c.entries));
      AppendU64(&value, static_cast<uint64_t>(c.bytes));
      MR_RETURN_IF_ERROR(
          store_.Put(txn, Space::kMetadata, MetaUsageKey(owner), value));
    }
    done = absl::StrCat("recounted: ", c.entries, " entries, ", c.bytes,
                        " bytes");
    return absl::OkStatus();
  });
}

}  // namespace mailroom::store::internal
