// The checks of Store::Verify (the design is in verifier.h).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "store/internal/names.h"
#include "store/internal/password.h"
#include "store/internal/strings.h"
#include "store/internal/verifier.h"

namespace mailroom::store::internal {
namespace {

std::string Counters(const MailboxState& s) {
  return absl::StrCat(s.messages, " messages, ", s.unseen, " unseen, ",
                      s.deleted, " deleted, ", s.size, " bytes");
}

// A store several nodes share has no snapshot of all of it at one instant:
// a message moved between two mailboxes while they were scanned may be
// missed, so a count found too high is not trusted to lower (and perhaps
// free) a body.
constexpr char kNotLowered[] =
    " (not repaired: on a store shared by several nodes a recount that "
    "finds fewer references is not exact while nodes serve)";

// There a body is written before the rows that reference it are locked, so
// one that looks unreferenced may belong to a delivery in flight.
constexpr char kNotFreed[] =
    " (not repaired: on a store shared by several nodes an unreferenced "
    "body may belong to a delivery in flight; it only costs space)";

std::string Short(const std::string& hash) {
  return HexEncode(hash).substr(0, 16);
}

}  // namespace

absl::StatusOr<VerifyReport> StoreImpl::Verify(
    std::string_view user, bool repair,
    const std::function<void(uint64_t, uint64_t)>& progress) {
  std::string owner;
  if (!user.empty()) {
    MR_ASSIGN_OR_RETURN(owner, CanonicalUser(user));
    MR_ASSIGN_OR_RETURN(std::optional<std::string> account,
                        Get(Space::kUsers, owner));
    bool has_mailboxes = false;
    MR_RETURN_IF_ERROR(ScanPrefix(
        Space::kMailboxNames, MailboxNamePrefix(owner),
        [&](std::string_view, std::string_view) {
          has_mailboxes = true;
          return false;
        }));
    if (!account.has_value() && !has_mailboxes) {
      return absl::NotFoundError(absl::StrCat("no such user: ", owner));
    }
  }
  Verifier verifier(*this, std::move(owner), repair, progress);
  return verifier.Run();
}

absl::StatusOr<VerifyReport> StoreImpl::Verifier::Run() {
  MR_RETURN_IF_ERROR(RetryAborted([&] { return Check(); }));
  if (repair_) ApplyRepairs();
  return std::move(report_);
}

void StoreImpl::Verifier::Problem(std::string user, std::string mailbox,
                                  std::string problem,
                                  std::optional<RepairKey> key, RepairFn fn) {
  report_.problems.push_back(VerifyProblem{std::move(user), std::move(mailbox),
                                           std::move(problem), ""});
  if (key.has_value() && fn != nullptr) repairs_.emplace(*key, std::move(fn));
  problem_repairs_.push_back(fn != nullptr || (key.has_value() &&
                                               repairs_.contains(*key))
                                 ? key
                                 : std::nullopt);
}

void StoreImpl::Verifier::MailboxProblem(MailboxId id, std::string problem,
                                         std::optional<RepairKey> key,
                                         RepairFn fn) {
  const MailboxRecord& record = mailboxes_[id];
  Problem(record.owner, record.name, std::move(problem), std::move(key),
          std::move(fn));
}

absl::Status StoreImpl::Verifier::Check() {
  report_ = VerifyReport();
  problem_repairs_.clear();
  repairs_.clear();
  mailboxes_.clear();
  blobs_.clear();
  refs_.clear();
  usage_.clear();
  index_owners_.clear();
  MR_ASSIGN_OR_RETURN(snapshot_, store_.engine_->Snapshot());
  // A shared engine keeps no old state: a snapshot of everything would be
  // aborted by any commit while verify runs. It reads each mailbox at a
  // snapshot of its own and the rest at the newest state.
  global_ = store_.shared_ ? nullptr : snapshot_.get();

  if (owner_.empty()) {
    MR_RETURN_IF_ERROR(store_.ScanPrefix(
        Space::kUsers, "",
        [&](std::string_view, std::string_view) {
          ++report_.users;
          return true;
        },
        nullptr, global_));
    // Bodies first, so that each message can be checked against them.
    MR_RETURN_IF_ERROR(store_.ScanPrefix(
        Space::kBlobs, "",
        [&](std::string_view key, std::string_view) {
          blobs_.emplace(key);
          return true;
        },
        nullptr, global_));
  } else {
    report_.users = 1;
  }
  MR_RETURN_IF_ERROR(ListMailboxes());
  MR_RETURN_IF_ERROR(CheckNames());
  report_.mailboxes = mailboxes_.size();
  uint64_t done = 0;
  if (progress_) progress_(0, mailboxes_.size());
  for (const auto& [id, record] : mailboxes_) {
    if (!store_.shared_) {
      mailbox_view_ = snapshot_.get();
      MR_RETURN_IF_ERROR(CheckMailbox(id, record));
    } else {
      const size_t problems = report_.problems.size();
      const uint64_t messages = report_.messages;
      MR_RETURN_IF_ERROR(RetryAborted([&]() -> absl::Status {
        report_.problems.resize(problems);
        problem_repairs_.resize(problems);
        report_.messages = messages;
        MR_ASSIGN_OR_RETURN(mailbox_snapshot_, store_.engine_->Snapshot());
        mailbox_view_ = mailbox_snapshot_.get();
        return CheckMailbox(id, record);
      }));
    }
    if (progress_) progress_(++done, mailboxes_.size());
  }
  MR_RETURN_IF_ERROR(CheckQuota());
  MR_RETURN_IF_ERROR(CheckBlobs());
  if (owner_.empty()) MR_RETURN_IF_ERROR(CheckOrphans());
  return absl::OkStatus();
}

absl::Status StoreImpl::Verifier::ListMailboxes() {
  auto add = [&](MailboxId id, std::string_view value) {
    MailboxRecord record;
    if (!Decode(value, &record)) {
      Problem(owner_, "", absl::StrCat("mailbox record ", id,
                                       " is undecodable"));
      return;
    }
    mailboxes_[id] = std::move(record);
  };
  if (!owner_.empty()) {
    std::vector<MailboxId> ids;
    MR_RETURN_IF_ERROR(store_.ScanPrefix(
        Space::kMailboxNames, MailboxNamePrefix(owner_),
        [&](std::string_view, std::string_view value) {
          if (value.size() == 8) ids.push_back(ReadU64(value));
          return true;
        },
        nullptr, global_));
    for (MailboxId id : ids) {
      MR_ASSIGN_OR_RETURN(std::optional<std::string> value,
                          store_.Get(Space::kMailboxes, MailboxIdKey(id),
                                     nullptr, false, global_));
      if (value.has_value()) add(id, *value);
    }
    return absl::OkStatus();
  }
  return store_.ScanPrefix(
      Space::kMailboxes, "",
      [&](std::string_view key, std::string_view value) {
        if (key.size() != 8) {
          Problem("", "", "malformed mailbox key");
          return true;
        }
        add(ReadU64(key), value);
        return true;
      },
      nullptr, global_);
}

// Every mailbox is reachable by its name, and every name leads to a
// mailbox of that name.
absl::Status StoreImpl::Verifier::CheckNames() {
  for (const auto& [id, record] : mailboxes_) {
    MR_ASSIGN_OR_RETURN(
        std::optional<std::string> named,
        store_.Get(Space::kMailboxNames, MailboxNameKey(record.owner, record.name),
                   nullptr, false, global_));
    if (named.has_value() && named->size() == 8 && ReadU64(*named) == id) {
      continue;
    }
    MailboxId mailbox = id;
    MailboxRecord copy = record;
    Problem(record.owner, record.name,
            absl::StrCat("mailbox ", id, " is not reachable by its name"),
            RepairKey{kFixNames, absl::StrCat("record ", id)},
            [this, mailbox, copy] { return RestoreName(mailbox, copy); });
  }
  return store_.ScanPrefix(
      Space::kMailboxNames, owner_.empty() ? "" : MailboxNamePrefix(owner_),
      [&](std::string_view key, std::string_view value) {
        size_t end = key.find('\0');
        std::string owner(key.substr(0, end));
        std::string name(end == std::string_view::npos ? ""
                                                       : key.substr(end + 1));
        if (value.size() != 8) {
          Problem(owner, name, "undecodable mailbox name entry");
          return true;
        }
        MailboxId id = ReadU64(value);
        auto it = mailboxes_.find(id);
        if (it == mailboxes_.end()) {
          std::string name_key(key);
          Problem(owner, name,
                  absl::StrCat("the name leads to mailbox ", id,
                               ", which does not exist"),
                  RepairKey{kFixNames, absl::StrCat("name ", HexEncode(key))},
                  [this, name_key, id] { return DropDanglingName(name_key, id); });
        } else if (it->second.owner != owner || it->second.name != name) {
          Problem(owner, name,
                  absl::StrCat("the name leads to mailbox ", id, ", which is ",
                               it->second.owner, "/", it->second.name));
        }
        return true;
      },
      nullptr, global_);
}

absl::Status StoreImpl::Verifier::CheckMailbox(MailboxId id,
                                               const MailboxRecord& record) {
  MR_ASSIGN_OR_RETURN(std::optional<std::string> raw_state,
                      store_.Get(Space::kMailboxState, MailboxIdKey(id),
                                 nullptr, false, mailbox_view_));
  MailboxState state;
  if (!raw_state.has_value() || !Decode(*raw_state, &state)) {
    MailboxProblem(id, raw_state.has_value() ? "mailbox state is undecodable"
                                             : "mailbox has no state");
    return absl::OkStatus();
  }

  absl::flat_hash_map<Uid, Message> messages;
  MailboxState counted;
  Uid max_uid = 0;
  ModSeq max_modseq = 0;
  // Merged into usage_ and refs_ once the whole mailbox was read (a
  // mailbox read again after kAborted must not count twice).
  QuotaRecord usage;
  absl::flat_hash_map<std::string, uint64_t> own_refs;
  std::vector<std::pair<Uid, std::string>> bodies_to_check;
  MR_RETURN_IF_ERROR(store_.ScanPrefix(
      Space::kMessages, MailboxIdKey(id),
      [&](std::string_view key, std::string_view value) {
        MailboxId mid;
        Uid uid;
        MessageRecord r;
        if (!ParseMessageKey(key, &mid, &uid) || !Decode(value, &r)) {
          MailboxProblem(id, "undecodable message record");
          return true;
        }
        ++report_.messages;
        ++counted.messages;
        if ((r.system_flags & kSeen) == 0) ++counted.unseen;
        if ((r.system_flags & kDeleted) != 0) ++counted.deleted;
        counted.size += r.size;
        max_uid = std::max(max_uid, uid);
        max_modseq = std::max(max_modseq, r.modseq);
        usage.bytes += r.size;
        ++usage.messages;
        if (++own_refs[r.hash] == 1 && !owner_.empty()) {
          bodies_to_check.emplace_back(uid, r.hash);
        } else if (owner_.empty() && !blobs_.contains(r.hash)) {
          bodies_to_check.emplace_back(uid, r.hash);
        }
        messages.emplace(uid, Message{r.modseq, (r.system_flags & kSeen) != 0,
                                      r.size, r.hash});
        return true;
      },
      nullptr, mailbox_view_));

  // Bodies: store-wide they were compared with the blob scan, per user they
  // are read now; either way a missing one is confirmed at the newest state.
  for (const auto& [uid, hash] : bodies_to_check) {
    MR_ASSIGN_OR_RETURN(bool missing, BodyStillMissing(id, uid, hash));
    if (!missing) continue;
    // Per user each body was read once: every message with it is lost.
    std::vector<Uid> lost = {uid};
    if (!owner_.empty()) {
      lost.clear();
      for (const auto& [other, m] : messages) {
        if (m.hash == hash) lost.push_back(other);
      }
      std::sort(lost.begin(), lost.end());
    }
    for (Uid lost_uid : lost) {
      std::string body = hash;
      MailboxProblem(
          id,
          absl::StrCat("UID ", lost_uid, ": the message body ", Short(hash),
                       " is missing"),
          RepairKey{kFixLostMessage, absl::StrCat(id, "/", lost_uid)},
          [this, id, lost_uid, body] {
            return RemoveLostMessage(id, lost_uid, body);
          });
    }
  }

  if (state.messages != counted.messages || state.unseen != counted.unseen ||
      state.deleted != counted.deleted || state.size != counted.size) {
    MailboxProblem(id,
                   absl::StrCat("counters are ", Counters(state),
                                "; counted ", Counters(counted)),
                   RepairKey{kFixMailboxCounters, absl::StrCat(id)},
                   [this, id] { return RecountMailbox(id); });
  }
  ModSeq max_change = 0;
  MR_RETURN_IF_ERROR(
      CheckChangelog(id, record, state, messages, &max_change));
  if (max_uid >= state.uidnext) {
    MailboxProblem(id,
                   absl::StrCat("UIDNEXT ", state.uidnext,
                                " is not above the highest UID ", max_uid),
                   RepairKey{kFixMailboxCounters, absl::StrCat(id)},
                   [this, id] { return RecountMailbox(id); });
  }
  if (std::max(max_modseq, max_change) > state.highestmodseq) {
    MailboxProblem(id,
                   absl::StrCat("HIGHESTMODSEQ ", state.highestmodseq,
                                " is behind modseq ",
                                std::max(max_modseq, max_change)),
                   RepairKey{kFixMailboxCounters, absl::StrCat(id)},
                   [this, id] { return RecountMailbox(id); });
  }
  MR_RETURN_IF_ERROR(CheckSeen(id, record, state, messages));
  MR_RETURN_IF_ERROR(CheckIndex(id, record, messages));

  if (!owner_.empty()) {
    // Per user the whole count of a shared body is unknown: only too few
    // references can be seen.
    for (const auto& [hash, count] : own_refs) {
      MR_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                          store_.Get(Space::kBlobRefs, hash, nullptr, false,
                                     global_));
      uint64_t n = stored.has_value() && stored->size() == 8 ? ReadU64(*stored) : 0;
      if (n < count) {
        MailboxProblem(id, absl::StrCat("reference count of body ", Short(hash),
                                        " is ", n, ", below the ", count,
                                        " references of this mailbox (repair "
                                        "it with a store-wide repair)"));
      }
    }
  }
  QuotaRecord& total = usage_[record.owner];
  total.bytes += usage.bytes;
  total.messages += usage.messages;
  if (owner_.empty()) {
    for (const auto& [hash, count] : own_refs) refs_[hash] += count;
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> StoreImpl::Verifier::BodyStillMissing(
    MailboxId id, Uid uid, const std::string& hash) {
  absl::StatusOr<std::string> body =
      store_.engine_->ReadRange(Space::kBlobs, hash, 0, 1);
  if (body.ok()) return false;
  if (!absl::IsNotFound(body.status())) return body.status();
  MR_ASSIGN_OR_RETURN(std::optional<MessageRecord> now,
                      store_.GetRecord<MessageRecord>(Space::kMessages,
                                                      MessageKey(id, uid)));
  return now.has_value() && now->hash == hash;
}

// A live message has exactly one live change log entry, at its modseq.
absl::Status StoreImpl::Verifier::CheckChangelog(
    MailboxId id, const MailboxRecord& record, const MailboxState& state,
    const absl::flat_hash_map<Uid, Message>& messages, ModSeq* max_change) {
  RepairKey key{kFixChangelog, absl::StrCat(id)};
  auto fix = [this, id] { return RewriteChangelog(id); };
  absl::flat_hash_set<Uid> listed;
  MR_RETURN_IF_ERROR(store_.ScanPrefix(
      Space::kChangelog, MailboxIdKey(id),
      [&](std::string_view k, std::string_view value) {
        ChangeRecord change;
        if (k.size() != 16 || !Decode(value, &change)) {
          MailboxProblem(id, "undecodable change log entry", key, fix);
          return true;
        }
        ModSeq modseq = ReadU64(k.substr(8));
        *max_change = std::max(*max_change, modseq);
        if (change.expunged) return true;
        auto it = messages.find(change.uid);
        if (it == messages.end() || it->second.modseq != modseq) {
          MailboxProblem(id,
                         absl::StrCat("stale change log entry for UID ",
                                      change.uid, " at modseq ", modseq),
                         key, fix);
          return true;
        }
        listed.insert(change.uid);
        return true;
      },
      nullptr, mailbox_view_));
  for (const auto& [uid, m] : messages) {
    if (listed.contains(uid)) continue;
    MailboxProblem(id,
                   absl::StrCat("UID ", uid, " is missing from the change log"),
                   key, fix);
  }
  (void)record;
  (void)state;
  return absl::OkStatus();
}

absl::Status StoreImpl::Verifier::CheckSeen(
    MailboxId id, const MailboxRecord& record, const MailboxState& state,
    const absl::flat_hash_map<Uid, Message>& messages) {
  RepairKey key{kFixSeen, absl::StrCat(id)};
  auto fix = [this, id] { return RewriteSeen(id); };
  const ModSeq counter = std::max(state.highestmodseq, state.last_modseq);
  const bool per_user = record.seen_mode == SeenMode::kPerUser;

  struct View {
    int64_t delta = 0;
    ModSeq max_modseq = 0;
    bool has_state = false;
    SeenUserState state;
  };
  std::map<std::string, View> views;
  absl::flat_hash_map<std::string, Uid> expected;  // change key -> uid
  size_t foreign = 0;
  auto parse = [](std::string_view key, std::string* user,
                  std::string_view* rest) {
    size_t end = key.find('\0', 9);
    if (key.size() < 10 || end == std::string_view::npos) return false;
    *user = std::string(key.substr(9, end - 9));
    *rest = key.substr(end + 1);
    return true;
  };
  MR_RETURN_IF_ERROR(store_.ScanPrefix(
      Space::kSeen, SeenPrefix(kSeenRowTag, id),
      [&](std::string_view k, std::string_view value) {
        std::string user;
        std::string_view rest;
        SeenRow row;
        if (!per_user) {
          ++foreign;
          return true;
        }
        if (!parse(k, &user, &rest) || rest.size() != 4 ||
            !Decode(value, &row)) {
          MailboxProblem(id, "undecodable per-user \\Seen row", key, fix);
          return true;
        }
        Uid uid = ReadU32(rest);
        auto message = messages.find(uid);
        if (message == messages.end()) {
          MailboxProblem(id,
                         absl::StrCat("per-user \\Seen row of ", user,
                                      " for missing UID ", uid),
                         key, fix);
          return true;
        }
        if (row.modseq > counter) {
          MailboxProblem(id,
                         absl::StrCat("per-user \\Seen row of ", user,
                                      " for UID ", uid, " has modseq ",
                                      row.modseq, " beyond the counter ",
                                      counter),
                         key, fix);
        }
        View& view = views[user];
        view.delta += (row.seen ? 1 : 0) - (message->second.seen ? 1 : 0);
        view.max_modseq = std::max(view.max_modseq, row.modseq);
        expected[SeenChangeKey(id, user, row.modseq)] = uid;
        return true;
      },
      nullptr, mailbox_view_));
  size_t matched = 0;
  MR_RETURN_IF_ERROR(store_.ScanPrefix(
      Space::kSeen, SeenPrefix(kSeenChangeTag, id),
      [&](std::string_view k, std::string_view value) {
        if (!per_user) {
          ++foreign;
          return true;
        }
        std::string user;
        std::string_view rest;
        parse(k, &user, &rest);
        auto it = expected.find(std::string(k));
        if (it == expected.end() || value.size() != 4 ||
            ReadU32(value) != it->second) {
          MailboxProblem(
              id,
              absl::StrCat("stale per-user \\Seen change log entry of ", user,
                           rest.size() == 8
                               ? absl::StrCat(" at modseq ", ReadU64(rest))
                               : std::string()),
              key, fix);
          return true;
        }
        ++matched;
        return true;
      },
      nullptr, mailbox_view_));
  if (matched != expected.size()) {
    MailboxProblem(id,
                   absl::StrCat(expected.size() - matched,
                                " per-user \\Seen rows are missing from their "
                                "user's change log"),
                   key, fix);
  }
  MR_RETURN_IF_ERROR(store_.ScanPrefix(
      Space::kSeen, SeenPrefix(kSeenStateTag, id),
      [&](std::string_view k, std::string_view value) {
        if (!per_user) {
          ++foreign;
          return true;
        }
        std::string user;
        std::string_view rest;
        SeenUserState user_state;
        if (!parse(k, &user, &rest) || !Decode(value, &user_state)) {
          MailboxProblem(id, "undecodable per-user \\Seen state", key, fix);
          return true;
        }
        View& view = views[user];
        view.has_state = true;
        view.state = user_state;
        return true;
      },
      nullptr, mailbox_view_));
  for (const auto& [user, view] : views) {
    if (!view.has_state) {
      MailboxProblem(id,
                     absl::StrCat("per-user \\Seen rows of ", user,
                                  " have no view state"),
                     key, fix);
    } else if (view.state.delta != view.delta ||
               view.state.highestmodseq < view.max_modseq) {
      MailboxProblem(id,
                     absl::StrCat("per-user \\Seen view of ", user, " is ",
                                  view.state.delta, "/",
                                  view.state.highestmodseq, ", counted ",
                                  view.delta, "/", view.max_modseq),
                     key, fix);
    }
  }
  if (foreign > 0) {
    MailboxProblem(id,
                   absl::StrCat(foreign,
                                " per-user \\Seen keys in a mailbox whose "
                                "\\Seen is shared"),
                   key, fix);
  }
  return absl::OkStatus();
}

// The index holds a document for each message of the mailbox. Work still
// queued (or applied while this runs) explains a difference; only what
// remains after that is a problem.
absl::Status StoreImpl::Verifier::CheckIndex(
    MailboxId id, const MailboxRecord& record,
    const absl::flat_hash_map<Uid, Message>& messages) {
  TextIndex* index = store_.options_.text_index.get();
  if (index == nullptr || !index_listable_ ||
      index_owners_.contains(record.owner)) {
    return absl::OkStatus();
  }
  const std::string& owner = record.owner;
  auto requeue = [&](std::string problem) {
    index_owners_.insert(owner);
    MailboxProblem(id, std::move(problem), RepairKey{kFixIndex, owner},
                   [this, owner] { return RequeueIndex(owner); });
  };
  if (store_.shared_) {
    // This node's index is a cache caught up from the change log.
    absl::Status caught_up = store_.CatchUpMailboxIndex(owner, id);
    if (absl::IsUnimplemented(caught_up)) {
      index_listable_ = false;
      return absl::OkStatus();
    }
    if (absl::IsDataLoss(caught_up)) {
      requeue(absl::StrCat("full-text index: ", caught_up.message()));
      return absl::OkStatus();
    }
    MR_RETURN_IF_ERROR(caught_up);
  }
  absl::StatusOr<std::vector<Uid>> docs = index->ListDocuments(owner, id);
  if (absl::IsUnimplemented(docs.status())) {
    index_listable_ = false;
    return absl::OkStatus();
  }
  if (absl::IsDataLoss(docs.status())) {
    requeue(absl::StrCat("full-text index: ", docs.status().message()));
    return absl::OkStatus();
  }
  if (!docs.ok()) return docs.status();
  absl::flat_hash_set<Uid> indexed(docs->begin(), docs->end());
  std::vector<Uid> unindexed, stale;
  for (const auto& [uid, m] : messages) {
    if (!indexed.contains(uid)) unindexed.push_back(uid);
  }
  for (Uid uid : indexed) {
    if (!messages.contains(uid)) stale.push_back(uid);
  }
  if (unindexed.empty() && stale.empty()) return absl::OkStatus();

  // Explanations: queued work of this mailbox, then the index and the
  // messages as they are now.
  absl::flat_hash_set<Uid> queued;
  bool queued_all = false;
  absl::Status decode;
  if (!store_.shared_) {
    MR_RETURN_IF_ERROR(store_.ScanPrefix(
        Space::kIndexQueue, "", [&](std::string_view, std::string_view value) {
          IndexWork work;
          if (!Decode(value, &work) || work.owner != owner) return true;
          if (work.op == IndexWork::kRemoveOwner ||
              (work.op == IndexWork::kRemoveMailbox && work.mailbox == id)) {
            queued_all = true;
          } else if (work.mailbox == id) {
            queued.insert(work.uid);
          }
          return true;
        }));
  } else {
    MR_RETURN_IF_ERROR(store_.CatchUpMailboxIndex(owner, id));
  }
  if (queued_all) return absl::OkStatus();
  MR_ASSIGN_OR_RETURN(std::vector<Uid> now_docs, index->ListDocuments(owner, id));
  absl::flat_hash_set<Uid> now_indexed(now_docs.begin(), now_docs.end());
  auto exists_now = [&](Uid uid) -> absl::StatusOr<bool> {
    MR_ASSIGN_OR_RETURN(std::optional<std::string> v,
                        store_.Get(Space::kMessages, MessageKey(id, uid)));
    return v.has_value();
  };
  size_t missing = 0, extra = 0;
  for (Uid uid : unindexed) {
    if (queued.contains(uid) || now_indexed.contains(uid)) continue;
    MR_ASSIGN_OR_RETURN(bool exists, exists_now(uid));
    if (exists) ++missing;
  }
  for (Uid uid : stale) {
    if (queued.contains(uid) || !now_indexed.contains(uid)) continue;
    MR_ASSIGN_OR_RETURN(bool exists, exists_now(uid));
    if (!exists) ++extra;
  }
  if (missing > 0 || extra > 0) {
    requeue(absl::StrCat("full-text index lacks ", missing,
                         " messages and holds ", extra,
                         " expunged ones"));
  }
  return absl::OkStatus();
}

absl::Status StoreImpl::Verifier::CheckQuota() {
  auto compare = [&](const std::string& owner, const QuotaRecord& stored) {
    QuotaRecord counted;
    if (auto it = usage_.find(owner); it != usage_.end()) counted = it->second;
    if (stored.bytes == counted.bytes && stored.messages == counted.messages) {
      return;
    }
    Problem(owner, "",
            absl::StrCat("quota usage is ", stored.bytes, " bytes, ",
                         stored.messages, " messages; counted ", counted.bytes,
                         " bytes, ", counted.messages, " messages"),
            RepairKey{kFixQuota, owner},
            [this, owner]() -> absl::StatusOr<std::string> {
              return RecountQuota(owner);
            });
  };
  if (!owner_.empty()) {
    MR_ASSIGN_OR_RETURN(std::optional<std::string> raw,
                        store_.Get(Space::kQuota, owner_, nullptr, false,
                                   global_));
    QuotaRecord stored;
    if (raw.has_value() && !Decode(*raw, &stored)) {
      Problem(owner_, "", "undecodable quota record", RepairKey{kFixQuota, owner_},
              [this] { return RecountQuota(owner_); });
      return absl::OkStatus();
    }
    compare(owner_, stored);
    return absl::OkStatus();
  }
  std::set<std::string> seen;
  MR_RETURN_IF_ERROR(store_.ScanPrefix(
      Space::kQuota, "",
      [&](std::string_view key, std::string_view value) {
        std::string owner(key);
        seen.insert(owner);
        QuotaRecord stored;
        if (!Decode(value, &stored)) {
          Problem(owner, "", "undecodable quota record", RepairKey{kFixQuota, owner},
                  [this, owner] { return RecountQuota(owner); });
          return true;
        }
        compare(owner, stored);
        return true;
      },
      nullptr, global_));
  for (const auto& [owner, counted] : usage_) {
    if (!seen.contains(owner) && counted.messages != 0) {
      compare(owner, QuotaRecord());
    }
  }
  return absl::OkStatus();
}

// Store-wide: each reference count equals the messages that name the body,
// and each stored body is referenced.
absl::Status StoreImpl::Verifier::CheckBlobs() {
  if (!owner_.empty()) return absl::OkStatus();
  absl::flat_hash_set<std::string> counted_rows;
  MR_RETURN_IF_ERROR(store_.ScanPrefix(
      Space::kBlobRefs, "",
      [&](std::string_view key, std::string_view value) {
        std::string hash(key);
        counted_rows.insert(hash);
        uint64_t stored = value.size() == 8 ? ReadU64(value) : 0;
        auto it = refs_.find(hash);
        uint64_t counted = it == refs_.end() ? 0 : it->second;
        if (counted == 0) {
          if (blobs_.contains(hash)) return true;  // an unreferenced blob
          if (store_.shared_) {
            Problem("", "",
                    absl::StrCat("reference count ", stored, " of body ",
                                 Short(hash),
                                 ", which is neither stored nor referenced",
                                 kNotFreed));
            return true;
          }
          Problem("", "",
                  absl::StrCat("reference count ", stored, " of body ",
                               Short(hash),
                               ", which is neither stored nor referenced"),
                  RepairKey{kFixUnreferencedBlob, hash},
                  [this, hash, stored] {
                    return DropUnreferencedBlob(hash, stored);
                  });
        } else if (stored > counted && store_.shared_) {
          Problem("", "",
                  absl::StrCat("reference count of body ", Short(hash), " is ",
                               stored, "; counted ", counted, kNotLowered));
        } else if (stored != counted) {
          Problem("", "",
                  absl::StrCat("reference count of body ", Short(hash), " is ",
                               stored, "; counted ", counted),
                  RepairKey{kFixRefCount, hash}, [this, hash, stored, counted] {
                    return FixRefCount(hash, stored, counted);
                  });
        }
        return true;
      },
      nullptr, global_));
  for (const auto& [hash, counted] : refs_) {
    if (counted_rows.contains(hash)) continue;
    std::string h = hash;
    uint64_t n = counted;
    Problem("", "",
            absl::StrCat("body ", Short(hash), " has no reference count; counted ",
                         counted),
            RepairKey{kFixRefCount, hash},
            [this, h, n] { return FixRefCount(h, 0, n); });
  }
  for (const std::string& hash : blobs_) {
    if (refs_.contains(hash)) continue;
    std::optional<uint64_t> stored;
    if (counted_rows.contains(hash)) {
      MR_ASSIGN_OR_RETURN(std::optional<std::string> raw,
                          store_.Get(Space::kBlobRefs, hash, nullptr, false,
                                     global_));
      if (raw.has_value() && raw->size() == 8) stored = ReadU64(*raw);
    }
    std::string h = hash;
    if (store_.shared_) {
      Problem("", "",
              absl::StrCat("body ", Short(hash),
                           " is stored but no message refers to it",
                           kNotFreed));
      continue;
    }
    Problem("", "",
            absl::StrCat("body ", Short(hash), " is stored but no message "
                         "refers to it"),
            RepairKey{kFixUnreferencedBlob, hash},
            [this, h, stored] { return DropUnreferencedBlob(h, stored); });
  }
  return absl::OkStatus();
}

absl::Status StoreImpl::Verifier::ForEachIdWithKeys(
    Space space, const std::string& prefix,
    const std::function<absl::Status(MailboxId)>& fn) {
  std::string begin = prefix;
  const std::string end = PrefixEnd(prefix);
  while (true) {
    std::optional<MailboxId> found;
    MR_RETURN_IF_ERROR(store_.Scan(
        space, begin, end,
        [&](std::string_view key, std::string_view) {
          if (key.size() >= prefix.size() + 8) {
            found = ReadU64(key.substr(prefix.size()));
          }
          return false;
        },
        nullptr, global_));
    if (!found.has_value()) return absl::OkStatus();
    MR_RETURN_IF_ERROR(fn(*found));
    begin = PrefixEnd(prefix + MailboxIdKey(*found));
    if (begin >= end) return absl::OkStatus();
  }
}

// Keys of mailboxes that no longer exist.
absl::Status StoreImpl::Verifier::CheckOrphans() {
  std::set<MailboxId> messages_of, rows_of;
  MR_RETURN_IF_ERROR(ForEachIdWithKeys(Space::kMessages, "", [&](MailboxId id) {
    if (!mailboxes_.contains(id)) messages_of.insert(id);
    return absl::OkStatus();
  }));
  for (MailboxId id : messages_of) {
    Problem("", "", absl::StrCat("messages of mailbox ", id,
                                 ", which does not exist (not repaired: "
                                 "their owner is unknown)"));
  }
  auto rows = [&](Space space, const std::string& prefix) {
    return ForEachIdWithKeys(space, prefix, [&](MailboxId id) {
      if (!mailboxes_.contains(id) && !messages_of.contains(id)) {
        rows_of.insert(id);
      }
      return absl::OkStatus();
    });
  };
  MR_RETURN_IF_ERROR(rows(Space::kChangelog, ""));
  MR_RETURN_IF_ERROR(rows(Space::kMailboxState, ""));
  for (char tag : {kSeenStateTag, kSeenRowTag, kSeenChangeTag}) {
    MR_RETURN_IF_ERROR(rows(Space::kSeen, std::string(1, tag)));
  }
  for (MailboxId id : rows_of) {
    Problem("", "",
            absl::StrCat("state, change log or \\Seen rows of mailbox ", id,
                         ", which does not exist"),
            RepairKey{kFixOrphanRows, absl::StrCat(id)},
            [this, id] { return DropOrphanRows(id); });
  }
  return absl::OkStatus();
}

void StoreImpl::Verifier::ApplyRepairs() {
  // Only repairs a reported problem names (a mailbox read again after
  // kAborted may have registered some that its final reading dropped).
  std::set<RepairKey> wanted;
  for (const auto& key : problem_repairs_) {
    if (key.has_value()) wanted.insert(*key);
  }
  std::map<RepairKey, absl::StatusOr<std::string>> done;
  for (auto& [key, fn] : repairs_) {
    if (wanted.contains(key)) done.emplace(key, fn());
  }
  for (size_t i = 0; i < report_.problems.size(); ++i) {
    if (!problem_repairs_[i].has_value()) continue;
    const absl::StatusOr<std::string>& result = done.at(*problem_repairs_[i]);
    VerifyProblem& problem = report_.problems[i];
    if (result.ok()) {
      problem.repair = result->empty() ? "nothing left to do (fixed meanwhile)"
                                       : *result;
    } else {
      absl::StrAppend(&problem.problem, " (repair failed: ",
                      result.status().ToString(), ")");
    }
  }
}

}  // namespace mailroom::store::internal
