#include "migrate/pop3_migration.h"

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "mime/text.h"
#include "base/status_macros.h"
#include "migrate/pop3_client.h"
#include "migrate/state_file.h"

namespace mailroom::migrate {
namespace {

// POP3 has no internal date: the message's Date header (unfolded) stands
// in for it, the time of copying when there is none.
std::optional<mime::DateTime> HeaderDate(const std::string& message) {
  size_t pos = 0;
  std::string value;
  bool in_date = false;
  while (pos < message.size()) {
    size_t end = message.find('\n', pos);
    if (end == std::string::npos) end = message.size();
    std::string_view line(message.data() + pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of the header
    if (line[0] == ' ' || line[0] == '\t') {
      if (in_date) value.append(line.data(), line.size());
      continue;
    }
    if (in_date) break;
    if (line.size() > 5 && absl::EqualsIgnoreCase(
                               absl::string_view(line.data(), 5), "date:")) {
      in_date = true;
      value.assign(line.data() + 5, line.size() - 5);
    }
  }
  if (!in_date) return std::nullopt;
  return mime::ParseDate(value);
}

}  // namespace

absl::StatusOr<MigrationReport> MigratePop3(store::Store& store,
                                            const store::Principal& who,
                                            const MigrationOptions& options) {
  absl::StatusOr<std::unique_ptr<Pop3Client>> client = Pop3Client::Login(
      options.endpoint, options.remote_user, options.remote_password);
  if (!client.ok()) return client.status();
  absl::StatusOr<std::vector<Pop3Entry>> entries = (*client)->List();
  if (!entries.ok()) return entries.status();

  const std::string state_path =
      StatePath(options.state_dir, "pop3", options.local_user,
                options.endpoint.host,
                options.remote_user);
  // A dry run only reads: it neither takes the lock nor creates files.
  std::unique_ptr<AccountLock> lock;
  if (!options.dry_run) {
    absl::StatusOr<std::unique_ptr<AccountLock>> locked =
        AccountLock::Acquire(state_path);
    if (!locked.ok()) return locked.status();
    lock = *std::move(locked);
  }
  absl::StatusOr<AccountState> loaded = LoadState(state_path);
  if (!loaded.ok()) return loaded.status();
  AccountState state = *std::move(loaded);
  auto save = [&]() -> absl::Status {
    if (options.dry_run) return absl::OkStatus();
    return SaveState(state_path, state);
  };
  const std::string inbox = "INBOX";
  absl::StatusOr<store::MailboxSnapshot> local = store.OpenMailbox(who, inbox);
  if (!local.ok()) return local.status();

  // A batch appended by a run that stopped before recording it.
  if (state.pop3_pending) {
    std::multimap<std::string, std::string> by_hash;
    for (const auto& [uidl, hash] : state.pop3_pending->hashes) {
      by_hash.emplace(hash, uidl);
    }
    for (const store::MessageMeta& m : local->messages) {
      if (m.uid < state.pop3_pending->local_uidnext) continue;
      auto it = by_hash.find(m.blob_id);
      if (it == by_hash.end()) continue;
      state.pop3_copied[it->second] = it->first;
      by_hash.erase(it);
    }
    state.pop3_pending.reset();
    absl::Status status = save();
    if (!status.ok()) return status;
  }

  MigrationReport report;
  FolderReport folder;
  folder.source = "POP3 maildrop";
  folder.local = inbox;
  std::vector<const Pop3Entry*> to_copy;
  for (const Pop3Entry& e : *entries) {
    if (state.pop3_copied.count(e.uidl)) {
      ++folder.present;
    } else {
      to_copy.push_back(&e);
    }
  }

  if (options.dry_run) {
    folder.copied = to_copy.size();
    for (const Pop3Entry* e : to_copy) folder.bytes += e->size;
  } else {
    const std::string label = absl::StrCat(options.local_user, " INBOX (POP3)");
    uint32_t uidnext = local->status.uidnext;
    size_t next = 0;
    while (next < to_copy.size()) {
      if (options.cancelled && options.cancelled()) {
        return absl::CancelledError("migration cancelled");
      }
      std::vector<std::string> bodies;
      std::vector<const Pop3Entry*> batch;
      size_t bytes = 0;  // retrieved in this batch
      while (next < to_copy.size() && batch.size() < options.batch_messages &&
             (batch.empty() || bytes < options.batch_bytes)) {
        absl::StatusOr<std::string> body = (*client)->Retrieve(to_copy[next]->number);
        if (!body.ok()) return body.status();
        bytes += body->size();
        bodies.push_back(*std::move(body));
        batch.push_back(to_copy[next++]);
      }
      std::vector<store::AppendRequest> requests(batch.size());
      std::vector<std::string> hashes(batch.size());
      for (size_t i = 0; i < batch.size(); ++i) {
        requests[i].data = bodies[i];
        if (std::optional<mime::DateTime> date = HeaderDate(bodies[i])) {
          requests[i].internal_date = date->unix_seconds;
          requests[i].internal_tz_minutes = date->tz_minutes;
        }
        hashes[i] = HexSha256(bodies[i]);
      }
      // requests[begin, end) in one transaction, recorded as pending first;
      // false when the store refused it.
      auto append = [&](size_t begin, size_t end) -> absl::StatusOr<bool> {
        PendingBatch pending;
        pending.local_uidnext = uidnext;
        for (size_t i = begin; i < end; ++i) {
          pending.hashes.emplace_back(batch[i]->uidl, hashes[i]);
        }
        state.pop3_pending = pending;
        MR_RETURN_IF_ERROR(save());
        absl::StatusOr<store::AppendResult> appended = store.Append(
            who, inbox,
            std::vector<store::AppendRequest>(requests.begin() + begin,
                                              requests.begin() + end));
        state.pop3_pending.reset();
        if (appended.ok()) {
          for (size_t i = begin; i < end; ++i) {
            state.pop3_copied[batch[i]->uidl] = hashes[i];
            folder.bytes += bodies[i].size();
          }
          for (store::Uid uid : appended->uids) {
            uidnext = std::max(uidnext, uid + 1);
          }
          folder.copied += end - begin;
        } else if (end - begin == 1) {
          ++folder.failed;
          if (folder.notes.size() < 20) {
            folder.notes.push_back(absl::StrCat(
                "message ", batch[begin]->uidl,
                " not copied: ", appended.status().message()));
          }
        }
        MR_RETURN_IF_ERROR(save());
        return appended.ok();
      };
      // One bad message (too big, refused) fails alone.
      absl::StatusOr<bool> whole = append(0, batch.size());
      if (!whole.ok()) return whole.status();
      for (size_t i = 0; !*whole && i < batch.size(); ++i) {
        absl::StatusOr<bool> one = append(i, i + 1);
        if (!one.ok()) return one.status();
      }
      if (options.progress) options.progress(label, next, to_copy.size());
    }
  }

  if (options.delete_after_verify) {
    absl::StatusOr<store::MailboxSnapshot> now = store.OpenMailbox(who, inbox);
    if (!now.ok()) return now.status();
    std::set<std::string> stored;
    for (const store::MessageMeta& m : now->messages) stored.insert(m.blob_id);
    for (const Pop3Entry& e : *entries) {
      auto copied = state.pop3_copied.find(e.uidl);
      if (copied == state.pop3_copied.end() || !stored.count(copied->second)) {
        continue;  // not verified here: stays on the source
      }
      if (!options.dry_run) {
        absl::Status status = (*client)->Delete(e.number);
        if (!status.ok()) return status;
      }
      ++folder.deleted_on_source;
    }
  }
  // Deletions take effect at QUIT.
  absl::Status quit = (*client)->Quit();
  if (!quit.ok() && folder.deleted_on_source > 0 && !options.dry_run) {
    return absl::UnavailableError(absl::StrCat(
        "QUIT failed, the source may not have deleted: ", quit.message()));
  }
  report.folders.push_back(std::move(folder));
  return report;
}

}  // namespace mailroom::migrate
