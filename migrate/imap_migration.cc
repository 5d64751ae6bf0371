#include "migrate/imap_migration.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "migrate/imap_client.h"
#include "migrate/imap_source.h"
#include "migrate/state_file.h"

namespace mailroom::migrate {
namespace {

std::string FlagsKey(const store::Flags& f) {
  return absl::StrCat(f.system, " ", absl::StrJoin(f.keywords, " "));
}

// Maps the local messages of a batch appended by a run that stopped before
// saving its mapping: those at or above the batch's UIDNEXT whose blob id
// is the hash of a batch message (the same UID first, for identical
// messages). Clears `fs.pending`.
void AdoptPendingBatch(const store::MailboxSnapshot& local, FolderState& fs) {
  std::multimap<std::string, uint32_t> by_hash;
  for (const auto& [key, hash] : fs.pending->hashes) {
    uint32_t src = 0;
    if (absl::SimpleAtoi(key, &src)) by_hash.emplace(hash, src);
  }
  for (const store::MessageMeta& m : local.messages) {
    if (m.uid < fs.pending->local_uidnext) continue;
    auto [first, last] = by_hash.equal_range(m.blob_id);
    if (first == last) continue;
    auto chosen = first;
    for (auto it = first; it != last; ++it) {
      if (it->second == m.uid) chosen = it;
    }
    fs.uid_map[chosen->second] = m.uid;
    by_hash.erase(chosen);
  }
  fs.pending.reset();
}

class FolderSync {
 public:
  FolderSync(store::Store& store, const store::Principal& who,
             const MigrationOptions& options, ImapClient& client,
             AccountState& state, const std::string& state_path)
      : store_(store),
        who_(who),
        options_(options),
        client_(client),
        state_(state),
        state_path_(state_path) {}

  // Errors that end the whole run (the connection, cancellation) are
  // returned; others land in `report`.
  absl::Status Run(const SourceFolder& folder,
                   const std::map<std::string, store::MailboxInfo>& local_boxes,
                   FolderReport* report);

 private:
  absl::Status Save() {
    if (options_.dry_run || state_path_.empty()) return absl::OkStatus();
    return SaveState(state_path_, state_);
  }
  bool Cancelled() const { return options_.cancelled && options_.cancelled(); }
  absl::Status EnsureMailbox(const SourceFolder& folder,
                             const store::MailboxInfo* existing,
                             FolderReport* report);
  // Appends requests[begin, end) in one transaction, recording the batch
  // as pending first and the mapping after. False when the store refused
  // it (a single message's refusal is counted in `report` with its
  // reason); an error when the state could not be written.
  absl::StatusOr<bool> AppendBatch(
      const SourceFolder& folder, const std::vector<SourceMessage>& messages,
      const std::vector<store::AppendRequest>& requests, size_t begin,
      size_t end, FolderState& fs, FolderReport* report,
      uint32_t* local_uidnext);
  absl::Status Copy(const SourceFolder& folder,
                    const std::vector<const SourceMessage*>& to_copy,
                    uint32_t local_uidnext,
                    bool keep_uids, FolderState& fs, FolderReport* report);

  store::Store& store_;
  const store::Principal& who_;
  const MigrationOptions& options_;
  ImapClient& client_;
  AccountState& state_;
  const std::string& state_path_;
};

absl::Status FolderSync::EnsureMailbox(const SourceFolder& folder,
                                       const store::MailboxInfo* existing,
                                       FolderReport* report) {
  if (existing != nullptr) {
    if (folder.special_use && existing->special_use != folder.special_use) {
      report->notes.push_back(absl::StrCat(
          "special-use \\", *folder.special_use,
          " not set: the mailbox already existed here"));
    }
  } else if (!options_.dry_run) {
    absl::Status status =
        store_.CreateMailbox(who_, folder.local_name, folder.special_use);
    if (!status.ok() && !absl::IsAlreadyExists(status) && folder.special_use) {
      report->notes.push_back(absl::StrCat("special-use \\", *folder.special_use,
                                           " not set: ", status.message()));
      status = store_.CreateMailbox(who_, folder.local_name, std::nullopt);
    }
    if (!status.ok() && !absl::IsAlreadyExists(status)) return status;
  }
  // The subscription follows the source's, either way.
  const bool subscribed_here = existing != nullptr && existing->subscribed;
  if (folder.subscribed != subscribed_here && !options_.dry_run) {
    absl::Status status =
        store_.SetSubscribed(who_, folder.local_name, folder.subscribed);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status FolderSync::Run(
    const SourceFolder& folder,
    const std::map<std::string, store::MailboxInfo>& local_boxes,
    FolderReport* report) {
  auto found = local_boxes.find(folder.local_name);
  const store::MailboxInfo* existing =
      found == local_boxes.end() ? nullptr : &found->second;
  if (existing != nullptr && existing->noselect) existing = nullptr;
  absl::Status status = EnsureMailbox(folder, existing, report);
  if (!status.ok()) {
    report->notes.push_back(absl::StrCat("cannot create: ", status.message()));
    ++report->failed;
    return absl::OkStatus();
  }

  absl::StatusOr<SelectedFolder> selected =
      ExamineFolder(client_, folder.source_name);
  if (!selected.ok()) return selected.status();
  std::vector<SourceMessage> source;
  if (selected->exists > 0) {
    absl::StatusOr<std::vector<SourceMessage>> list = FetchMessageList(client_);
    if (!list.ok()) return list.status();
    source = *std::move(list);
  }

  // The mapping of this folder; a dry run works on a copy. `stale`: local
  // copies of an earlier incarnation of the source folder.
  std::vector<store::Uid> stale;
  FolderState dry_copy;
  FolderState& fs = options_.dry_run
                        ? (dry_copy = state_.folders[folder.source_name])
                        : state_.folders[folder.source_name];
  if (fs.source_uidvalidity != 0 &&
      fs.source_uidvalidity != selected->uidvalidity) {
    report->notes.push_back(absl::StrCat(
        "the source UIDVALIDITY changed (", fs.source_uidvalidity, " -> ",
        selected->uidvalidity,
        "): the copies of its old messages are expunged here and the folder "
        "is copied over again"));
    for (const auto& [src, here] : fs.uid_map) stale.push_back(here);
    fs.uid_map.clear();
    fs.pending.reset();
  }
  fs.source_uidvalidity = selected->uidvalidity;
  fs.local_name = folder.local_name;

  store::MailboxSnapshot local;
  if (existing != nullptr || !options_.dry_run) {
    absl::StatusOr<store::MailboxSnapshot> snap =
        store_.OpenMailbox(who_, folder.local_name);
    if (!snap.ok()) {
      report->notes.push_back(absl::StrCat("cannot open: ", snap.status().message()));
      ++report->failed;
      return absl::OkStatus();
    }
    local = *std::move(snap);
  }
  std::unordered_map<uint32_t, const store::MessageMeta*> local_by_uid;
  for (const store::MessageMeta& m : local.messages) local_by_uid[m.uid] = &m;
  std::unordered_map<uint32_t, const SourceMessage*> source_by_uid;
  for (const SourceMessage& m : source) source_by_uid[m.uid] = &m;

  // UIDs are kept in a mailbox that never held a message (it takes the
  // source's UIDVALIDITY) and, later, in one that did so from the start.
  // An equal UIDVALIDITY alone proves nothing: the store's own values may
  // meet the source's by chance.
  const bool same_validity =
      local.status.uidvalidity == selected->uidvalidity;
  bool keep_uids = false;
  if (local.status.uidnext == 1) {
    keep_uids = same_validity || options_.dry_run;
    if (!keep_uids) {
      absl::Status set =
          store_.SetUidValidity(who_, folder.local_name, selected->uidvalidity);
      if (set.ok()) {
        keep_uids = true;
        local.status.uidvalidity = selected->uidvalidity;
      } else {
        report->notes.push_back(absl::StrCat("UIDs not kept: ", set.message()));
      }
    }
  } else if (same_validity && fs.uids_kept) {
    keep_uids = true;
  } else if (same_validity && fs.uid_map.empty() && !fs.pending) {
    // No state (lost, or another node's): a message here is the source's
    // copy under its own UID when size and internal date agree too; UIDs
    // count as kept only if every message here is such a copy.
    keep_uids = true;
    for (const store::MessageMeta& m : local.messages) {
      auto src = source_by_uid.find(m.uid);
      if (src != source_by_uid.end() && src->second->size == m.size &&
          src->second->internal_date == m.internal_date) {
        fs.uid_map[m.uid] = m.uid;
      } else {
        keep_uids = false;
      }
    }
  }
  fs.uids_kept = keep_uids;
  if (fs.pending) {
    AdoptPendingBatch(local, fs);
    MR_RETURN_IF_ERROR(Save());
  }

  // Expunged on the source: expunge here too.
  std::vector<store::Uid> expunge;
  for (store::Uid uid : stale) {
    if (local_by_uid.count(uid)) expunge.push_back(uid);
  }
  for (auto it = fs.uid_map.begin(); it != fs.uid_map.end();) {
    if (source_by_uid.count(it->first)) {
      ++it;
      continue;
    }
    if (local_by_uid.count(it->second)) expunge.push_back(it->second);
    it = fs.uid_map.erase(it);
  }
  if (!expunge.empty() && !options_.dry_run) {
    store::ExpungeRequest request;
    request.only_deleted = false;
    request.uids = expunge;
    absl::StatusOr<std::vector<store::Uid>> gone =
        store_.Expunge(who_, local.status.id, request);
    if (!gone.ok()) return gone.status();
    status = Save();
    if (!status.ok()) return status;
  }
  report->expunged = expunge.size();

  // Flags of the messages on both sides follow the source; one StoreFlags
  // per distinct set of flags.
  std::map<std::string, std::pair<store::Flags, std::vector<store::Uid>>> changes;
  std::vector<const SourceMessage*> to_copy;
  for (const SourceMessage& m : source) {
    auto mapped = fs.uid_map.find(m.uid);
    if (mapped == fs.uid_map.end()) {
      to_copy.push_back(&m);
      continue;
    }
    if (mapped->first != mapped->second) keep_uids = false;
    auto here = local_by_uid.find(mapped->second);
    if (here == local_by_uid.end()) continue;  // deleted here: left deleted
    ++report->present;
    if (here->second->flags == m.flags) continue;
    auto& change = changes[FlagsKey(m.flags)];
    change.first = m.flags;
    change.second.push_back(mapped->second);
  }
  for (auto& [key, change] : changes) {
    report->flags_updated += change.second.size();
    if (options_.dry_run) continue;
    store::StoreFlagsRequest request;
    request.uids = change.second;
    request.op = store::FlagOp::kReplace;
    request.flags = change.first;
    absl::StatusOr<store::StoreFlagsResult> stored =
        store_.StoreFlags(who_, local.status.id, request);
    if (!stored.ok()) return stored.status();
  }
  fs.uids_kept = keep_uids;
  report->uids_kept = keep_uids;
  if (options_.dry_run) {
    report->copied = to_copy.size();
    for (const SourceMessage* m : to_copy) report->bytes += m->size;
    return absl::OkStatus();
  }
  return Copy(folder, to_copy, local.status.uidnext,
              keep_uids, fs, report);
}

absl::StatusOr<bool> FolderSync::AppendBatch(
    const SourceFolder& folder, const std::vector<SourceMessage>& messages,
    const std::vector<store::AppendRequest>& requests, size_t begin,
    size_t end, FolderState& fs, FolderReport* report,
    uint32_t* local_uidnext) {
  PendingBatch pending;
  pending.local_uidnext = *local_uidnext;
  uint64_t bytes = 0;
  for (size_t k = begin; k < end; ++k) {
    pending.hashes.emplace_back(absl::StrCat(messages[k].uid),
                                HexSha256(messages[k].body));
    bytes += messages[k].body.size();
  }
  fs.pending = std::move(pending);
  MR_RETURN_IF_ERROR(Save());
  const std::vector<store::AppendRequest> part(requests.begin() + begin,
                                               requests.begin() + end);
  absl::StatusOr<store::AppendResult> appended =
      store_.Append(who_, folder.local_name, part);
  fs.pending.reset();
  if (!appended.ok()) {
    MR_RETURN_IF_ERROR(Save());
    if (end - begin == 1) {
      ++report->failed;
      constexpr size_t kMaxNotes = 20;
      if (report->notes.size() < kMaxNotes) {
        report->notes.push_back(absl::StrCat("message UID ", messages[begin].uid,
                                             " not copied: ",
                                             appended.status().message()));
      }
    }
    return false;
  }
  for (size_t k = begin; k < end && k - begin < appended->uids.size(); ++k) {
    const store::Uid uid = appended->uids[k - begin];
    fs.uid_map[messages[k].uid] = uid;
    if (messages[k].uid != uid) report->uids_kept = false;
    *local_uidnext = std::max(*local_uidnext, uid + 1);
  }
  MR_RETURN_IF_ERROR(Save());
  report->copied += end - begin;
  report->bytes += bytes;
  return true;
}

absl::Status FolderSync::Copy(const SourceFolder& folder,
                              const std::vector<const SourceMessage*>& to_copy,
                              uint32_t local_uidnext,
                              bool keep_uids, FolderState& fs,
                              FolderReport* report) {
  // Batches bounded by count and size.
  std::vector<std::vector<uint32_t>> batches;
  size_t bytes = 0;
  for (const SourceMessage* m : to_copy) {
    if (batches.empty() || batches.back().size() >= options_.batch_messages ||
        bytes + m->size > options_.batch_bytes) {
      batches.emplace_back();
      bytes = 0;
    }
    batches.back().push_back(m->uid);
    bytes += m->size;
  }
  const std::string label = absl::StrCat(options_.local_user, " ", folder.local_name);
  uint64_t done = 0;
  if (options_.progress && !to_copy.empty()) {
    options_.progress(label, 0, to_copy.size());
  }
  // The next batch's FETCH goes out before this batch is stored, so the
  // server streams while the store writes.
  std::optional<std::string> in_flight;
  if (!batches.empty()) {
    absl::StatusOr<std::string> tag = SendBodyFetch(client_, batches[0]);
    if (!tag.ok()) return tag.status();
    in_flight = *tag;
  }
  for (size_t i = 0; i < batches.size(); ++i) {
    absl::StatusOr<std::vector<SourceMessage>> messages =
        ReceiveBodyFetch(client_, *in_flight);
    if (!messages.ok()) return messages.status();
    in_flight.reset();
    if (Cancelled()) return absl::CancelledError("migration cancelled");
    if (i + 1 < batches.size()) {
      absl::StatusOr<std::string> tag = SendBodyFetch(client_, batches[i + 1]);
      if (!tag.ok()) return tag.status();
      in_flight = *tag;
    }
    if (messages->empty()) continue;  // expunged meanwhile

    std::vector<store::AppendRequest> requests;
    requests.reserve(messages->size());
    uint32_t next = local_uidnext;
    for (const SourceMessage& m : *messages) {
      store::AppendRequest request;
      request.data = m.body;
      request.flags = m.flags;
      request.internal_date = m.internal_date;
      request.internal_tz_minutes = m.tz_minutes;
      if (keep_uids && m.uid >= next) {
        request.uid = m.uid;
        next = m.uid + 1;
      } else {
        ++next;
      }
      requests.push_back(request);
    }
    // One transaction for the batch; if it fails, each message alone, so
    // that one bad message (too big, refused) fails alone.
    absl::StatusOr<bool> whole = AppendBatch(folder, *messages, requests, 0,
                                             requests.size(), fs, report,
                                             &local_uidnext);
    if (!whole.ok()) return whole.status();
    if (!*whole) {
      for (size_t k = 0; k < requests.size(); ++k) {
        absl::StatusOr<bool> one = AppendBatch(folder, *messages, requests, k,
                                               k + 1, fs, report,
                                               &local_uidnext);
        if (!one.ok()) return one.status();
      }
    }
    done += batches[i].size();
    if (options_.progress) options_.progress(label, done, to_copy.size());
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<MigrationReport> MigrateImap(store::Store& store,
                                            const store::Principal& who,
                                            const MigrationOptions& options) {
  absl::StatusOr<std::unique_ptr<ImapClient>> client = ImapClient::Login(
      options.endpoint, options.remote_user, options.remote_password);
  if (!client.ok()) return client.status();
  absl::StatusOr<SourceListing> listing = ListSourceFolders(**client);
  if (!listing.ok()) return listing.status();
  MigrationReport report;
  report.notes = listing->notes;

  const std::string state_path =
      options.state_dir.empty()
          ? ""
          : StatePath(options.state_dir, "imap", options.local_user,
                      options.endpoint.host,
                      options.remote_user);
  AccountState state;
  std::unique_ptr<AccountLock> lock;
  if (!state_path.empty()) {
    // A dry run only reads: it neither takes the lock nor creates files.
    if (!options.dry_run) {
      absl::StatusOr<std::unique_ptr<AccountLock>> locked =
          AccountLock::Acquire(state_path);
      if (!locked.ok()) return locked.status();
      lock = *std::move(locked);
    }
    absl::StatusOr<AccountState> loaded = LoadState(state_path);
    if (!loaded.ok()) return loaded.status();
    state = *std::move(loaded);
  }

  absl::StatusOr<std::vector<store::MailboxInfo>> boxes = store.ListMailboxes(who);
  if (!boxes.ok()) return boxes.status();
  std::map<std::string, store::MailboxInfo> local_boxes;
  for (store::MailboxInfo& box : *boxes) {
    if (!box.owner.empty() && box.owner != who.user()) continue;
    local_boxes.emplace(box.name, std::move(box));
  }

  FolderSync sync(store, who, options, **client, state, state_path);
  for (const SourceFolder& folder : listing->folders) {
    if (options.cancelled && options.cancelled()) {
      return absl::CancelledError("migration cancelled");
    }
    if (!folder.selectable) continue;  // a parent only: made with its children
    FolderReport folder_report;
    folder_report.source = folder.source_name;
    folder_report.local = folder.local_name;
    absl::Status status = sync.Run(folder, local_boxes, &folder_report);
    if (!status.ok()) {
      if (absl::IsCancelled(status) || absl::IsUnavailable(status)) {
        return status;
      }
      folder_report.notes.push_back(std::string(status.message()));
      ++folder_report.failed;
    }
    report.folders.push_back(std::move(folder_report));
  }
  (*client)->Logout();
  return report;
}

}  // namespace mailroom::migrate
