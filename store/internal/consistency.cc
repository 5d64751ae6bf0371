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
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  struct Release {
    rocksdb::TransactionDB* db;
    const rocksdb::Snapshot* s;
    ~Release() { db->ReleaseSnapshot(s); }
  } release{db_.get(), snapshot};
  auto fail = [](auto&&... parts) {
    return absl::DataLossError(absl::StrCat("inconsistent store: ", parts...));
  };

  std::map<MailboxId, MailboxRecord> mailboxes;
  absl::Status status;
  MR_RETURN_IF_ERROR(ScanPrefix(
      kMailboxesCf, "",
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
  absl::flat_hash_map<std::string, uint64_t> refs;
  std::map<std::string, QuotaRecord> usage;
  absl::flat_hash_map<std::string, Uid> live_changes;  // changelog key -> uid
  MR_RETURN_IF_ERROR(ScanPrefix(
      kMessagesCf, "",
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
        return true;
      },
      nullptr, snapshot));
  MR_RETURN_IF_ERROR(status);

  for (const auto& [id, record] : mailboxes) {
    MR_ASSIGN_OR_RETURN(std::optional<std::string> named,
                        Get(kMailboxNamesCf,
                            MailboxNameKey(record.owner, record.name), nullptr,
                            false, snapshot));
    if (!named.has_value() || ReadU64(*named) != id) {
      return fail("mailbox ", id, " is not reachable by its name");
    }
    MR_ASSIGN_OR_RETURN(std::optional<MailboxState> state,
                        GetRecord<MailboxState>(kMailboxStateCf,
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
  }

  size_t live_seen = 0;
  MR_RETURN_IF_ERROR(ScanPrefix(
      kChangelogCf, "",
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
      kBlobRefsCf, "",
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
      kBlobsCf, "",
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
      kQuotaCf, "",
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

absl::StatusOr<StoreImpl::Stats> StoreImpl::GetStats() {
  Stats stats;
  MR_RETURN_IF_ERROR(
      ScanPrefix(kBlobsCf, "", [&](std::string_view, std::string_view value) {
        ++stats.blobs;
        stats.blob_bytes += value.size();
        return true;
      }));
  MR_RETURN_IF_ERROR(ScanPrefix(kIndexQueueCf, "",
                                [&](std::string_view, std::string_view) {
                                  ++stats.index_queue;
                                  return true;
                                }));
  return stats;
}

}  // namespace mailroom::store::internal
