// Recount of everything the store maintains incrementally.
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "store/internal/password.h"
#include "store/internal/store_impl.h"
#include "store/internal/strings.h"

namespace mailroom::store::internal {

absl::Status StoreImpl::CheckConsistency() {
  return RetryAborted([&] { return CheckConsistencyOnce(); });
}

absl::Status StoreImpl::CheckConsistencyOnce() {
  MR_ASSIGN_OR_RETURN(std::unique_ptr<engine::Reader> snapshot_view,
                      engine_->Snapshot());
  engine::Reader* snapshot = snapshot_view.get();
  auto fail = [](auto&&... parts) {
    return absl::DataLossError(absl::StrCat("inconsistent store: ", parts...));
  };

  std::map<MailboxId, MailboxRecord> mailboxes;
  absl::Status status;
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kMailboxes, "",
      [&](std::string_view key, std::string_view value) {
        MailboxRecord record;
        if (key.size() != 8 || !Decode(value, &record)) {
          status = fail("undecodable mailbox record");
          return false;
        }
        mailboxes[ReadU64(key)] = std::move(record);
        return true;
      },
      nullptr, snapshot));
  MR_RETURN_IF_ERROR(status);

  struct Count {
    MailboxState state;
    Uid max_uid = 0;
    ModSeq max_modseq = 0;
  };
  std::map<MailboxId, Count> counts;
  std::map<MailboxId, ModSeq> last_modseq;  // the modseq counter
  absl::flat_hash_map<std::string, uint64_t> refs;
  std::map<std::string, QuotaRecord> usage;
  absl::flat_hash_map<std::string, Uid> live_changes;  // changelog key -> uid
  absl::flat_hash_map<std::string, bool> shared_seen;  // message key -> bit
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kMessages, "",
      [&](std::string_view key, std::string_view value) {
        MailboxId id;
        Uid uid;
        MessageRecord r;
        if (!ParseMessageKey(key, &id, &uid) || !Decode(value, &r)) {
          status = fail("undecodable message record");
          return false;
        }
        auto mailbox = mailboxes.find(id);
        if (mailbox == mailboxes.end()) {
          status = fail("message of a missing mailbox ", id);
          return false;
        }
        Count& c = counts[id];
        ++c.state.messages;
        if ((r.system_flags & kSeen) == 0) ++c.state.unseen;
        if ((r.system_flags & kDeleted) != 0) ++c.state.deleted;
        c.state.size += r.size;
        c.max_uid = std::max(c.max_uid, uid);
        c.max_modseq = std::max(c.max_modseq, r.modseq);
        ++refs[r.hash];
        QuotaRecord& q = usage[mailbox->second.owner];
        q.bytes += r.size;
        ++q.messages;
        live_changes[ChangelogKey(id, r.modseq)] = uid;
        shared_seen[std::string(key)] = (r.system_flags & kSeen) != 0;
        return true;
      },
      nullptr, snapshot));
  MR_RETURN_IF_ERROR(status);

  for (const auto& [id, record] : mailboxes) {
    MR_ASSIGN_OR_RETURN(std::optional<std::string> named,
                        Get(Space::kMailboxNames,
                            MailboxNameKey(record.owner, record.name), nullptr,
                            false, snapshot));
    if (!named.has_value() || ReadU64(*named) != id) {
      return fail("mailbox ", id, " is not reachable by its name");
    }
    MR_ASSIGN_OR_RETURN(std::optional<MailboxState> state,
                        GetRecord<MailboxState>(Space::kMailboxState,
                                                MailboxIdKey(id), nullptr,
                                                false, snapshot));
    if (!state.has_value()) return fail("mailbox ", id, " has no state");
    const Count& c = counts[id];
    if (state->messages != c.state.messages ||
        state->unseen != c.state.unseen ||
        state->deleted != c.state.deleted || state->size != c.state.size) {
      return fail("counters of mailbox ", id, " differ from a recount: stored ",
                  state->messages, "/", state->unseen, "/", state->deleted,
                  "/", state->size, ", counted ", c.state.messages, "/",
                  c.state.unseen, "/", c.state.deleted, "/", c.state.size);
    }
    if (c.max_uid >= state->uidnext || c.max_modseq > state->highestmodseq) {
      return fail("UIDNEXT or HIGHESTMODSEQ of mailbox ", id, " is behind");
    }
    last_modseq[id] = std::max(state->highestmodseq, state->last_modseq);
  }
  MR_RETURN_IF_ERROR(CheckSeen(snapshot, mailboxes, shared_seen, last_modseq));

  size_t live_seen = 0;
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kChangelog, "",
      [&](std::string_view key, std::string_view value) {
        ChangeRecord change;
        if (!Decode(value, &change)) {
          status = fail("undecodable change record");
          return false;
        }
        if (change.expunged) return true;
        auto it = live_changes.find(std::string(key));
        if (it == live_changes.end() || it->second != change.uid) {
          status = fail("stale change log entry for UID ", change.uid);
          return false;
        }
        ++live_seen;
        return true;
      },
      nullptr, snapshot));
  MR_RETURN_IF_ERROR(status);
  if (live_seen != live_changes.size()) {
    return fail("messages missing from the change log");
  }

  size_t ref_keys = 0;
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kBlobRefs, "",
      [&](std::string_view key, std::string_view value) {
        ++ref_keys;
        auto it = refs.find(std::string(key));
        uint64_t stored = value.size() == 8 ? ReadU64(value) : 0;
        if (it == refs.end() || it->second != stored) {
          status = fail("reference count of blob ", HexEncode(key), " is ",
                        stored, ", counted ",
                        it == refs.end() ? 0 : it->second);
          return false;
        }
        return true;
      },
      nullptr, snapshot));
  MR_RETURN_IF_ERROR(status);
  if (ref_keys != refs.size()) return fail("blob without reference count");
  size_t blobs = 0;
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kBlobs, "",
      [&](std::string_view key, std::string_view) {
        ++blobs;
        if (!refs.contains(std::string(key))) {
          status = fail("unreferenced blob ", HexEncode(key));
          return false;
        }
        return true;
      },
      nullptr, snapshot));
  MR_RETURN_IF_ERROR(status);
  if (blobs != refs.size()) return fail("referenced blob missing");

  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kQuota, "",
      [&](std::string_view key, std::string_view value) {
        QuotaRecord stored;
        if (!Decode(value, &stored)) {
          status = fail("undecodable quota record");
          return false;
        }
        QuotaRecord counted = usage[std::string(key)];
        if (stored.bytes != counted.bytes ||
            stored.messages != counted.messages) {
          status = fail("quota usage of ", Av(key), " is ", stored.bytes, "/",
                        stored.messages, ", counted ", counted.bytes, "/",
                        counted.messages);
          return false;
        }
        usage.erase(std::string(key));
        return true;
      },
      nullptr, snapshot));
  MR_RETURN_IF_ERROR(status);
  for (const auto& [owner, q] : usage) {
    if (q.messages != 0) return fail("no quota record for ", owner);
  }
  return absl::OkStatus();
}

absl::Status StoreImpl::CheckSeen(
    engine::Reader* snapshot,
    const std::map<MailboxId, MailboxRecord>& mailboxes,
    const absl::flat_hash_map<std::string, bool>& shared_seen,
    const std::map<MailboxId, ModSeq>& last_modseq) {
  auto fail = [](auto&&... parts) {
    return absl::DataLossError(
        absl::StrCat("inconsistent store: per-user \\Seen: ", parts...));
  };
  struct Entry {
    char tag;
    MailboxId id;
    std::string user;
    std::string rest;  // uid or modseq
    std::string value;
  };
  std::vector<Entry> entries;
  absl::Status status;
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kSeen, "",
      [&](std::string_view key, std::string_view value) {
        size_t end = key.find('\0', 9);
        if (key.size() < 10 || end == std::string_view::npos) {
          status = fail("malformed key");
          return false;
        }
        entries.push_back(Entry{key[0], ReadU64(key.substr(1)),
                                std::string(key.substr(9, end - 9)),
                                std::string(key.substr(end + 1)),
                                std::string(value)});
        return true;
      },
      nullptr, snapshot));
  MR_RETURN_IF_ERROR(status);

  struct View {
    int64_t delta = 0;
    ModSeq max_modseq = 0;
  };
  std::map<std::pair<MailboxId, std::string>, View> views;
  absl::flat_hash_map<std::string, Uid> changes;  // expected change keys
  for (const Entry& e : entries) {
    if (e.tag != kSeenRowTag) continue;
    auto mailbox = mailboxes.find(e.id);
    if (mailbox == mailboxes.end() ||
        mailbox->second.seen_mode != SeenMode::kPerUser) {
      return fail("row in mailbox ", e.id, " which is not per-user");
    }
    SeenRow row;
    if (e.rest.size() != 4 || !Decode(e.value, &row)) {
      return fail("undecodable row");
    }
    Uid uid = ReadU32(e.rest);
    auto shared = shared_seen.find(MessageKey(e.id, uid));
    if (shared == shared_seen.end()) {
      return fail("row of ", e.user, " for missing message ", e.id, "/", uid);
    }
    View& view = views[{e.id, e.user}];
    view.delta += (row.seen ? 1 : 0) - (shared->second ? 1 : 0);
    view.max_modseq = std::max(view.max_modseq, row.modseq);
    auto counter = last_modseq.find(e.id);
    if (counter == last_modseq.end() || row.modseq > counter->second) {
      return fail("row modseq beyond the counter of mailbox ", e.id);
    }
    changes[SeenChangeKey(e.id, e.user, row.modseq)] = uid;
  }
  size_t change_entries = 0;
  for (const Entry& e : entries) {
    if (e.tag != kSeenChangeTag) continue;
    ++change_entries;
    auto it = changes.find(SeenChangeKey(e.id, e.user,
                                         e.rest.size() == 8 ? ReadU64(e.rest) : 0));
    if (it == changes.end() || e.value.size() != 4 ||
        ReadU32(e.value) != it->second) {
      return fail("stale change log entry of ", e.user, " in mailbox ", e.id);
    }
  }
  if (change_entries != changes.size()) {
    return fail("rows missing from a user's change log");
  }
  for (const Entry& e : entries) {
    if (e.tag != kSeenStateTag) continue;
    SeenUserState state;
    if (!Decode(e.value, &state)) return fail("undecodable user state");
    View view;
    if (auto it = views.find({e.id, e.user}); it != views.end()) {
      view = it->second;
      views.erase(it);
    }
    if (state.delta != view.delta || state.highestmodseq < view.max_modseq) {
      return fail("view of ", e.user, " in mailbox ", e.id, " is ",
                  state.delta, "/", state.highestmodseq, ", counted ",
                  view.delta, "/", view.max_modseq);
    }
  }
  if (!views.empty()) return fail("rows without a user state");
  return absl::OkStatus();
}

absl::StatusOr<StoreStats> StoreImpl::GetStats() {
  StoreStats stats;
  MR_RETURN_IF_ERROR(
      ScanPrefix(Space::kBlobs, "", [&](std::string_view, std::string_view value) {
        ++stats.blobs;
        stats.blob_bytes += value.size();
        return true;
      }));
  MR_RETURN_IF_ERROR(ScanPrefix(Space::kIndexQueue, "",
                                [&](std::string_view, std::string_view) {
                                  ++stats.index_queue;
                                  return true;
                                }));
  return stats;
}

}  // namespace mailroom::store::internal
