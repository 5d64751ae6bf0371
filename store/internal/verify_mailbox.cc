// Store::Verify: the checks of one mailbox (counters, bodies, change log,
// per-user \\Seen). The design is in verifier.h.
#include <algorithm>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "store/internal/password.h"
#include "store/internal/private_flags.h"
#include "store/internal/stored_column.h"
#include "store/internal/verifier.h"

namespace mailroom::store::internal {
namespace {

std::string Counters(const MailboxState& s) {
  return absl::StrCat(s.messages, " messages, ", s.unseen, " unseen, ",
                      s.deleted, " deleted, ", s.size, " bytes");
}

}  // namespace

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
          absl::StrCat("UID ", lost_uid, ": the message body ", ShortHash(hash),
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
  MR_RETURN_IF_ERROR(CheckKeywordList(id, state));
  MR_RETURN_IF_ERROR(CheckIndex(id, record, messages));
  MR_RETURN_IF_ERROR(CheckMessageTable(id, state, messages));
  MR_RETURN_IF_ERROR(CheckSearchColumn(id, state, messages));

  if (!owner_.empty()) {
    // Per user the whole count of a shared body is unknown: only too few
    // references can be seen.
    for (const auto& [hash, count] : own_refs) {
      MR_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                          store_.Get(Space::kBlobRefs, hash, nullptr, false,
                                     global_));
      uint64_t n = stored.has_value() && stored->size() == 8 ? ReadU64(*stored) : 0;
      if (n < count) {
        MailboxProblem(id, absl::StrCat("reference count of body ", ShortHash(hash),
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

// The list may hold keywords no message carries any more (it only grows
// until it is full), but never miss one that a message carries.
absl::Status StoreImpl::Verifier::CheckKeywordList(MailboxId id,
                                                   const MailboxState& state) {
  std::vector<std::string> listed = state.keywords;
  std::string problem;
  if (!state.keywords_loaded) {
    MR_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                        store_.Get(Space::kMailboxState, MailboxKeywordsKey(id),
                                   nullptr, false, mailbox_view_));
    if (stored.has_value() && !DecodeStringList(*stored, &listed)) {
      problem = "keyword list is undecodable";
    } else if (listed.size() != state.keyword_count) {
      problem = absl::StrCat("keyword count is ", state.keyword_count,
                             " but the keyword list holds ", listed.size());
    }
  }
  if (problem.empty()) {
    MR_ASSIGN_OR_RETURN(std::vector<std::string> used,
                        store_.KeywordsInUse(id, nullptr, mailbox_view_));
    std::vector<std::string> missing;
    std::set_difference(used.begin(), used.end(), listed.begin(), listed.end(),
                        std::back_inserter(missing));
    if (!missing.empty()) {
      problem = absl::StrCat("keyword list lacks ", missing.size(),
                             " keyword(s) messages carry, such as ",
                             missing.front());
    }
  }
  if (problem.empty()) return absl::OkStatus();
  MailboxProblem(id, std::move(problem),
                 RepairKey{kFixMailboxCounters, absl::StrCat(id, "/keywords")},
                 [this, id] { return RebuildKeywordList(id); });
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
  const bool per_user = HasPrivateFlags(record.private_flags);

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
        SeenRow narrowed = row;
        if (RestrictRow(record.private_flags, &narrowed) ||
            RowIsEmpty(narrowed)) {
          MailboxProblem(id,
                         absl::StrCat("per-user row of ", user, " for UID ",
                                      uid,
                                      " overrides no private flag or one "
                                      "that is not private"),
                         key, fix);
        }
        View& view = views[user];
        view.delta += SeenDelta(row, message->second.seen);
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

absl::Status StoreImpl::Verifier::CheckMessageTable(
    MailboxId id, const MailboxState& state,
    const absl::flat_hash_map<Uid, Message>& messages) {
  std::vector<std::string> pieces;
  MR_RETURN_IF_ERROR(store_.Scan(
      Space::kMailboxView, MailboxViewKey(id, 0), MailboxColumnKey(id, 0),
      [&](std::string_view, std::string_view value) {
        pieces.emplace_back(value);
        return true;
      },
      nullptr, mailbox_view_));
  if (pieces.empty()) return absl::OkStatus();
  absl::StatusOr<TableCheckpoint> table = DecodeTableCheckpoint(pieces);
  std::string problem;
  if (!table.ok()) {
    problem = std::string(table.status().message());
  } else if (table->uidvalidity != state.uidvalidity) {
    problem = "message table is of another UIDVALIDITY";
  } else if (table->modseq > state.highestmodseq) {
    problem = "message table is ahead of HIGHESTMODSEQ";
  } else {
    absl::flat_hash_map<Uid, ModSeq> listed;
    for (const CompactMessage& m : table->table.messages) {
      listed.emplace(m.uid, m.modseq);
    }
    for (const auto& [uid, message] : messages) {
      if (message.modseq > table->modseq) continue;  // changed since
      auto it = listed.find(uid);
      if (it == listed.end() || it->second != message.modseq) {
        problem = absl::StrCat("message table disagrees with UID ", uid);
        break;
      }
    }
  }
  if (!problem.empty()) {
    MailboxProblem(id, problem + " (a cache: dropped, rebuilt at next open)",
                   RepairKey{kFixOrphanRows, absl::StrCat("table ", id)},
                   [this, id] { return DropMessageTable(id); });
  }
  return absl::OkStatus();
}

absl::Status StoreImpl::Verifier::CheckSearchColumn(
    MailboxId id, const MailboxState& state,
    const absl::flat_hash_map<Uid, Message>& messages) {
  std::vector<std::string> pieces;
  MR_RETURN_IF_ERROR(store_.Scan(
      Space::kMailboxView, MailboxColumnKey(id, 0), PrefixEnd(MailboxIdKey(id)),
      [&](std::string_view, std::string_view value) {
        pieces.emplace_back(value);
        return true;
      },
      nullptr, mailbox_view_));
  if (pieces.empty()) return absl::OkStatus();
  absl::StatusOr<std::shared_ptr<const Column>> column =
      DecodeStoredColumn(pieces);
  std::string problem;
  if (!column.ok()) {
    problem = std::string(column.status().message());
  } else if ((*column)->uidvalidity != state.uidvalidity) {
    return absl::OkStatus();  // stale: ignored by searches, replaced later
  } else if ((*column)->covered > state.uidnext) {
    problem = "search column is ahead of UIDNEXT";
  } else {
    absl::flat_hash_map<Uid, uint64_t> sizes;
    for (const auto& piece : (*column)->pieces) {
      for (const ColumnEntry& e : *piece) sizes.emplace(e.uid, e.size);
    }
    for (const auto& [uid, message] : messages) {
      if (uid >= (*column)->covered) continue;  // appended since
      auto it = sizes.find(uid);
      if (it == sizes.end() || it->second != message.size) {
        problem = absl::StrCat("search column disagrees with UID ", uid);
        break;
      }
    }
  }
  if (!problem.empty()) {
    MailboxProblem(id, problem + " (a cache: dropped, rebuilt at next search)",
                   RepairKey{kFixOrphanRows, absl::StrCat("column ", id)},
                   [this, id] { return DropSearchColumn(id); });
  }
  return absl::OkStatus();
}

}  // namespace mailroom::store::internal
