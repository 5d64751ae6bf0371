// Mailboxes: create, delete, rename, list, subscriptions, status.
#include <algorithm>
#include <ctime>
#include <set>

#include "absl/container/flat_hash_set.h"
#include "store/internal/strings.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "store/internal/names.h"
#include "store/internal/private_flags.h"
#include "store/internal/rights.h"
#include "store/internal/store_impl.h"

namespace mailroom::store::internal {
namespace {

absl::StatusOr<std::optional<std::string>> CanonicalSpecialUse(
    std::optional<std::string> use) {
  if (!use.has_value()) return use;
  std::string_view u = *use;
  if (!u.empty() && u[0] == '\\') u.remove_prefix(1);
  for (std::string_view known : kSpecialUses) {
    if (EqualsIgnoreCase(u, known)) return std::string(known);
  }
  return absl::InvalidArgumentError("unknown special-use attribute");
}

}  // namespace

absl::StatusOr<uint32_t> StoreImpl::NextUidValidity(Txn& txn) {
  MR_ASSIGN_OR_RETURN(std::optional<std::string> last,
                      Get(Space::kMeta, kNextUidValidityKey, &txn, true));
  uint32_t prev = last.has_value() && last->size() == 4 ? ReadU32(*last) : 0;
  // Time-based when possible, but always beyond every value handed out.
  uint32_t now = static_cast<uint32_t>(std::time(nullptr));
  uint32_t next = std::max(prev + 1, now);
  if (next == 0) next = 1;
  std::string v;
  AppendU32(&v, next);
  MR_RETURN_IF_ERROR(Put(txn, Space::kMeta, kNextUidValidityKey, v));
  return next;
}

absl::Status StoreImpl::SetUidValidity(const Principal& who,
                                      std::string_view mailbox,
                                      uint32_t uidvalidity) {
  if (uidvalidity == 0) {
    return absl::InvalidArgumentError("UIDVALIDITY must not be 0");
  }
  if (!who.admin()) {
    return absl::PermissionDeniedError("only an administrator sets UIDVALIDITY");
  }
  return RunTxn([&](Txn& txn) -> absl::Status {
    MR_ASSIGN_OR_RETURN(Resolved target, ResolveName(who, mailbox, &txn));
    if (target.record.noselect) {
      return absl::FailedPreconditionError("mailbox is \\Noselect");
    }
    MR_ASSIGN_OR_RETURN(MailboxState state, LockState(txn, target.id));
    if (state.uidvalidity == uidvalidity) return absl::OkStatus();
    if (state.uidnext != 1 || state.messages != 0) {
      return absl::FailedPreconditionError(
          "the mailbox has held messages: its UIDVALIDITY stays");
    }
    // Mailboxes created later must not get this value again.
    MR_ASSIGN_OR_RETURN(std::optional<std::string> last,
                        Get(Space::kMeta, kNextUidValidityKey, &txn, true));
    const uint32_t prev =
        last.has_value() && last->size() == 4 ? ReadU32(*last) : 0;
    if (uidvalidity > prev) {
      std::string v;
      AppendU32(&v, uidvalidity);
      MR_RETURN_IF_ERROR(Put(txn, Space::kMeta, kNextUidValidityKey, v));
    }
    state.uidvalidity = uidvalidity;
    MR_RETURN_IF_ERROR(PutState(txn, target.id, state));
    txn.events.push_back(ChangeEvent{target.id, target.record.owner,
                                     state.highestmodseq,
                                     ChangeEvent::kMailboxList});
    return absl::OkStatus();
  });
}

absl::StatusOr<MailboxId> StoreImpl::CreateMailboxInTxn(
    Txn& txn, std::string_view owner, std::string_view name,
    std::optional<std::string> special_use) {
  std::string name_key = MailboxNameKey(owner, name);
  MR_ASSIGN_OR_RETURN(std::optional<std::string> existing,
                      Get(Space::kMailboxNames, name_key, &txn, true));
  MailboxState state;
  MR_ASSIGN_OR_RETURN(state.uidvalidity, NextUidValidity(txn));
  state.highestmodseq = 1;
  // No keywords yet; a former incarnation's list goes.
  state.keywords_loaded = true;
  state.keywords_dirty = true;
  if (existing.has_value()) {
    MailboxId id = ReadU64(*existing);
    MR_ASSIGN_OR_RETURN(
        std::optional<MailboxRecord> record,
        GetRecord<MailboxRecord>(Space::kMailboxes, MailboxIdKey(id), &txn));
    if (!record.has_value() || !record->noselect) {
      return absl::AlreadyExistsError("mailbox already exists");
    }
    // A \Noselect parent becomes a new, selectable incarnation.
    MR_ASSIGN_OR_RETURN(MailboxState old, LockState(txn, id));
    state.last_modseq = std::max(old.highestmodseq, old.last_modseq);
    NextSharedModSeq(state);
    record->noselect = false;
    if (special_use.has_value()) record->special_use = special_use;
    MR_RETURN_IF_ERROR(Put(txn, Space::kMailboxes, MailboxIdKey(id), Encode(*record)));
    MR_RETURN_IF_ERROR(PutState(txn, id, state));
    txn.events.push_back(ChangeEvent{id, std::string(owner), state.highestmodseq,
                                     ChangeEvent::kMailboxList});
    return id;
  }
  MR_ASSIGN_OR_RETURN(std::optional<std::string> last,
                      Get(Space::kMeta, kNextMailboxIdKey, &txn, true));
  MailboxId id = (last.has_value() && last->size() == 8 ? ReadU64(*last) : 0) + 1;
  MR_RETURN_IF_ERROR(Put(txn, Space::kMeta, kNextMailboxIdKey, MailboxIdKey(id)));
  MailboxRecord record{std::string(owner), std::string(name),
                       std::move(special_use), false};
  MR_RETURN_IF_ERROR(Put(txn, Space::kMailboxNames, name_key, MailboxIdKey(id)));
  MR_RETURN_IF_ERROR(Put(txn, Space::kMailboxes, MailboxIdKey(id), Encode(record)));
  MR_RETURN_IF_ERROR(PutState(txn, id, state));
  txn.events.push_back(ChangeEvent{id, std::string(owner), state.highestmodseq,
                                   ChangeEvent::kMailboxList});
  return id;
}

absl::Status StoreImpl::CreateParentsInTxn(Txn& txn, std::string_view owner,
                                           std::string_view name) {
  for (const std::string& parent : ParentNames(name)) {
    MR_ASSIGN_OR_RETURN(
        std::optional<std::string> existing,
        Get(Space::kMailboxNames, MailboxNameKey(owner, parent), &txn, true));
    if (existing.has_value()) continue;
    MR_RETURN_IF_ERROR(
        CreateMailboxInTxn(txn, owner, parent, std::nullopt).status());
  }
  return absl::OkStatus();
}

absl::Status StoreImpl::DeleteContentsInTxn(Txn& txn, MailboxId id,
                                            std::string_view owner,
                                            MailboxState& state) {
  std::vector<std::pair<Uid, MessageRecord>> messages;
  MR_RETURN_IF_ERROR(ForEachMessage(
      id,
      [&](Uid uid, MessageRecord record) {
        messages.emplace_back(uid, std::move(record));
      },
      &txn));
  int64_t bytes = 0;
  for (const auto& [uid, record] : messages) {
    MR_RETURN_IF_ERROR(DropBlobRef(txn, record.hash));
    MR_RETURN_IF_ERROR(Delete(txn, Space::kMessages, MessageKey(id, uid)));
    MR_RETURN_IF_ERROR(Delete(txn, Space::kRetrieval, MessageKey(id, uid)));
    bytes += static_cast<int64_t>(record.size);
  }
  std::vector<std::string> changelog;
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kChangelog, MailboxIdKey(id),
      [&](std::string_view key, std::string_view) {
        changelog.emplace_back(key);
        return true;
      },
      &txn));
  for (const std::string& key : changelog) {
    MR_RETURN_IF_ERROR(Delete(txn, Space::kChangelog, key));
  }
  MR_RETURN_IF_ERROR(ChargeQuota(txn, owner, -bytes,
                                 -static_cast<int64_t>(messages.size())));
  absl::Status status;
  QueueIndex(txn,
             IndexWork{.op = IndexWork::kRemoveMailbox,
                       .owner = std::string(owner),
                       .mailbox = id},
             &status);
  MR_RETURN_IF_ERROR(status);
  MR_RETURN_IF_ERROR(DropAllSeen(txn, id));
  MR_RETURN_IF_ERROR(DeletePrefix(txn, Space::kMailboxView, MailboxIdKey(id)));
  state.messages = state.unseen = state.deleted = 0;
  state.size = 0;
  NextSharedModSeq(state);
  return absl::OkStatus();
}

absl::Status StoreImpl::RemoveMailboxInTxn(Txn& txn, MailboxId id,
                                           const MailboxRecord& record) {
  MR_ASSIGN_OR_RETURN(MailboxState state, LockState(txn, id));
  MR_RETURN_IF_ERROR(DeleteContentsInTxn(txn, id, record.owner, state));
  MR_RETURN_IF_ERROR(DropMailboxMetadataInTxn(txn, id, record.owner));
  MR_RETURN_IF_ERROR(Delete(txn, Space::kMailboxState, MailboxIdKey(id)));
  MR_RETURN_IF_ERROR(
      Delete(txn, Space::kMailboxState, MailboxKeywordsKey(id)));
  MR_RETURN_IF_ERROR(Delete(txn, Space::kMailboxes, MailboxIdKey(id)));
  MR_RETURN_IF_ERROR(
      Delete(txn, Space::kMailboxNames, MailboxNameKey(record.owner, record.name)));
  std::vector<std::string> identifiers;
  std::string prefix = AclPrefix(id);
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kAcl, prefix,
      [&](std::string_view key, std::string_view) {
        identifiers.emplace_back(key.substr(prefix.size()));
        return true;
      },
      &txn));
  for (const std::string& identifier : identifiers) {
    MR_RETURN_IF_ERROR(Delete(txn, Space::kAcl, AclKey(id, identifier)));
    MR_RETURN_IF_ERROR(Delete(txn, Space::kAcl, AclGranteeKey(identifier, id)));
  }
  txn.events.push_back(ChangeEvent{id, record.owner, state.highestmodseq,
                                   ChangeEvent::kMailboxList});
  return absl::OkStatus();
}

absl::StatusOr<std::vector<MailboxInfo>> StoreImpl::ListMailboxes(
    const Principal& who) {
  struct Found {
    MailboxId id;
    MailboxRecord record;
    uint32_t uidvalidity;
  };
  std::map<std::string, Found> visible;  // by visible name, sorted
  auto add = [&](MailboxId id, MailboxRecord record) -> absl::Status {
    MR_ASSIGN_OR_RETURN(std::optional<MailboxState> state,
                        GetRecord<MailboxState>(Space::kMailboxState,
                                                MailboxIdKey(id)));
    std::string name = VisibleName(who.user(), record.owner, record.name);
    visible[name] = Found{id, std::move(record),
                          state.has_value() ? state->uidvalidity : 0};
    return absl::OkStatus();
  };

  std::vector<MailboxId> own;
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kMailboxNames, MailboxNamePrefix(who.user()),
      [&](std::string_view, std::string_view value) {
        if (value.size() == 8) own.push_back(ReadU64(value));
        return true;
      }));
  for (MailboxId id : own) {
    MR_ASSIGN_OR_RETURN(std::optional<MailboxRecord> record,
                        GetRecord<MailboxRecord>(Space::kMailboxes, MailboxIdKey(id)));
    if (record.has_value()) MR_RETURN_IF_ERROR(add(id, *std::move(record)));
  }

  std::vector<std::string> identifiers = {who.user(), "anyone", "authenticated"};
  for (const std::string& group : GroupsOf(who.user())) {
    identifiers.push_back(absl::StrCat("$", group));
  }
  absl::flat_hash_set<MailboxId> granted;
  for (const std::string& identifier : identifiers) {
    std::string prefix = AclGranteePrefix(identifier);
    MR_RETURN_IF_ERROR(ScanPrefix(
        Space::kAcl, prefix, [&](std::string_view key, std::string_view) {
          if (key.size() == prefix.size() + 8) {
            granted.insert(ReadU64(key.substr(prefix.size())));
          }
          return true;
        }));
  }
  for (MailboxId id : granted) {
    MR_ASSIGN_OR_RETURN(std::optional<MailboxRecord> record,
                        GetRecord<MailboxRecord>(Space::kMailboxes, MailboxIdKey(id)));
    if (!record.has_value() || record->owner == who.user()) continue;
    MR_ASSIGN_OR_RETURN(std::string rights, RightsOf(who, id, *record, nullptr));
    if (HasRight(rights, 'l')) MR_RETURN_IF_ERROR(add(id, *std::move(record)));
  }

  absl::flat_hash_set<std::string> subscribed;
  MR_ASSIGN_OR_RETURN(std::vector<std::string> subs, ListSubscriptions(who));
  subscribed.insert(subs.begin(), subs.end());

  std::vector<MailboxInfo> out;
  for (auto it = visible.begin(); it != visible.end(); ++it) {
    const auto& [name, found] = *it;
    MailboxInfo info;
    info.id = found.id;
    info.name = name;
    info.owner = found.record.owner;
    info.uidvalidity = found.uidvalidity;
    info.noselect = found.record.noselect;
    auto next = visible.lower_bound(name + "/");
    info.has_children = next != visible.end() &&
                        next->first.starts_with(name + "/");
    info.subscribed = subscribed.contains(name);
    if (found.record.owner == who.user()) info.special_use = found.record.special_use;
    info.seen_mode = SeenModeOf(found.record.private_flags);
    out.push_back(std::move(info));
  }
  return out;
}

absl::Status StoreImpl::CreateMailbox(const Principal& who,
                                      std::string_view name,
                                      std::optional<std::string> special_use) {
  MR_ASSIGN_OR_RETURN(OwnedName owned, ResolveVisibleName(who.user(), name));
  MR_ASSIGN_OR_RETURN(std::optional<std::string> use,
                      CanonicalSpecialUse(std::move(special_use)));
  if (owned.owner != who.user() && !who.admin()) {
    // In another namespace the parent must exist and grant `k`.
    std::vector<std::string> parents = ParentNames(owned.name);
    if (parents.empty()) {
      return absl::PermissionDeniedError("no permission to create mailbox");
    }
    absl::StatusOr<Resolved> parent = ResolveName(
        who, VisibleName(who.user(), owned.owner, parents.back()), nullptr);
    if (!parent.ok() || !HasRight(parent->rights, 'k')) {
      return absl::PermissionDeniedError("no permission to create mailbox");
    }
  }
  return RunTxn([&](Txn& txn) -> absl::Status {
    return CreateInheritingInTxn(txn, owned.owner, owned.name, use);
  });
}

absl::Status StoreImpl::CreateInheritingInTxn(
    Txn& txn, std::string_view owner, std::string_view name,
    std::optional<std::string> special_use) {
  std::vector<std::string> chain = ParentNames(name);
  chain.emplace_back(name);
  std::optional<MailboxId> ancestor;
  for (size_t i = 0; i < chain.size(); ++i) {
    const bool last = i + 1 == chain.size();
    MR_ASSIGN_OR_RETURN(
        std::optional<std::string> existing,
        Get(Space::kMailboxNames, MailboxNameKey(owner, chain[i]), &txn, true));
    if (existing.has_value() && !last) {
      ancestor = ReadU64(*existing);
      continue;
    }
    MR_ASSIGN_OR_RETURN(
        MailboxId id,
        CreateMailboxInTxn(txn, owner, chain[i],
                           last ? std::move(special_use) : std::nullopt));
    // A \Noselect mailbox made selectable again keeps its own ACL.
    if (!existing.has_value() && ancestor.has_value()) {
      MR_RETURN_IF_ERROR(CopyAclInTxn(txn, *ancestor, id));
    }
    ancestor = id;
  }
  return absl::OkStatus();
}

absl::Status StoreImpl::CopyAclInTxn(Txn& txn, MailboxId from, MailboxId to) {
  std::vector<std::pair<std::string, std::string>> entries;
  const std::string prefix = AclPrefix(from);
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kAcl, prefix,
      [&](std::string_view key, std::string_view rights) {
        entries.emplace_back(key.substr(prefix.size()), rights);
        return true;
      },
      &txn));
  for (const auto& [identifier, rights] : entries) {
    MR_RETURN_IF_ERROR(Put(txn, Space::kAcl, AclKey(to, identifier), rights));
    // Only positive entries can make a mailbox visible (as in SetAcl).
    if (identifier[0] != '-') {
      MR_RETURN_IF_ERROR(
          Put(txn, Space::kAcl, AclGranteeKey(identifier, to), ""));
    }
  }
  return absl::OkStatus();
}

absl::Status StoreImpl::DeleteMailbox(const Principal& who,
                                      std::string_view name) {
  MR_ASSIGN_OR_RETURN(Resolved mailbox, ResolveName(who, name, nullptr));
  MR_RETURN_IF_ERROR(Require(mailbox, 'x'));
  if (mailbox.record.name == kInbox) {
    return absl::FailedPreconditionError("INBOX cannot be deleted");
  }
  return RunTxn([&](Txn& txn) -> absl::Status {
    MR_ASSIGN_OR_RETURN(std::optional<MailboxRecord> record,
                        GetRecord<MailboxRecord>(
                            Space::kMailboxes, MailboxIdKey(mailbox.id), &txn));
    if (!record.has_value()) return absl::NotFoundError("no such mailbox");
    bool has_children = false;
    MR_RETURN_IF_ERROR(ScanPrefix(
        Space::kMailboxNames,
        MailboxNameKey(record->owner, record->name + "/"),
        [&](std::string_view, std::string_view) {
          has_children = true;
          return false;
        },
        &txn));
    if (!has_children) return RemoveMailboxInTxn(txn, mailbox.id, *record);
    if (record->noselect) {
      return absl::FailedPreconditionError(
          "mailbox has children and is already \\Noselect");
    }
    MR_ASSIGN_OR_RETURN(MailboxState state, LockState(txn, mailbox.id));
    MR_RETURN_IF_ERROR(
        DeleteContentsInTxn(txn, mailbox.id, record->owner, state));
    record->noselect = true;
    MR_RETURN_IF_ERROR(
        Put(txn, Space::kMailboxes, MailboxIdKey(mailbox.id), Encode(*record)));
    MR_RETURN_IF_ERROR(PutState(txn, mailbox.id, state));
    txn.events.push_back(ChangeEvent{mailbox.id, record->owner,
                                     state.highestmodseq,
                                     ChangeEvent::kMailboxList});
    return absl::OkStatus();
  });
}

absl::Status StoreImpl::RenameMailbox(const Principal& who,
                                      std::string_view from,
                                      std::string_view to) {
  MR_ASSIGN_OR_RETURN(Resolved source, ResolveName(who, from, nullptr));
  MR_RETURN_IF_ERROR(Require(source, 'x'));
  MR_ASSIGN_OR_RETURN(OwnedName target, ResolveVisibleName(who.user(), to));
  const std::string& owner = source.record.owner;
  if (target.owner != owner) {
    return absl::InvalidArgumentError(
        "cannot rename a mailbox into another namespace");
  }
  if (owner != who.user() && !who.admin()) {
    // RFC 4314 section 4: `k` on the new parent, which must exist (as for
    // CREATE in another namespace).
    std::vector<std::string> parents = ParentNames(target.name);
    if (parents.empty()) {
      return absl::PermissionDeniedError("no permission to create mailbox");
    }
    absl::StatusOr<Resolved> parent = ResolveName(
        who, VisibleName(who.user(), owner, parents.back()), nullptr);
    if (!parent.ok() || !HasRight(parent->rights, 'k')) {
      return absl::PermissionDeniedError("no permission to create mailbox");
    }
  }
  const std::string old_name = source.record.name;
  if (target.name == old_name) {
    return absl::AlreadyExistsError("mailbox already exists");
  }
  if (old_name != kInbox && target.name.starts_with(old_name + "/")) {
    return absl::InvalidArgumentError("cannot rename a mailbox into itself");
  }
  return RunTxn([&](Txn& txn) -> absl::Status {
    MR_ASSIGN_OR_RETURN(
        std::optional<std::string> target_id,
        Get(Space::kMailboxNames, MailboxNameKey(owner, target.name), &txn, true));
    if (target_id.has_value()) {
      return absl::AlreadyExistsError("mailbox already exists");
    }
    MR_ASSIGN_OR_RETURN(
        std::optional<std::string> source_id,
        Get(Space::kMailboxNames, MailboxNameKey(owner, old_name), &txn, true));
    if (!source_id.has_value() || ReadU64(*source_id) != source.id) {
      return absl::NotFoundError("no such mailbox");
    }
    MR_RETURN_IF_ERROR(CreateParentsInTxn(txn, owner, target.name));

    if (old_name == kInbox) {
      // RFC 3501: INBOX's messages move to the new mailbox; INBOX stays,
      // empty, and its children do not move.
      MR_ASSIGN_OR_RETURN(MailboxId new_id,
                          CreateMailboxInTxn(txn, owner, target.name,
                                             std::nullopt));
      MR_ASSIGN_OR_RETURN(MailboxState inbox_state, LockState(txn, source.id));
      MR_ASSIGN_OR_RETURN(MailboxState new_state, LockState(txn, new_id));
      MR_RETURN_IF_ERROR(MoveAllInTxn(who, txn, source.id, inbox_state, new_id,
                                      new_state, owner));
      MR_RETURN_IF_ERROR(
          CopyMailboxMetadataInTxn(txn, source.id, new_id, owner));
      MR_RETURN_IF_ERROR(PutState(txn, source.id, inbox_state));
      return PutState(txn, new_id, new_state);
    }

    std::vector<std::pair<std::string, MailboxId>> moving;
    moving.emplace_back(old_name, source.id);
    MR_RETURN_IF_ERROR(ScanPrefix(
        Space::kMailboxNames, MailboxNameKey(owner, old_name + "/"),
        [&](std::string_view key, std::string_view value) {
          moving.emplace_back(key.substr(owner.size() + 1), ReadU64(value));
          return true;
        },
        &txn));
    for (const auto& [name, id] : moving) {
      std::string new_name =
          target.name + name.substr(old_name.size());
      MR_RETURN_IF_ERROR(CanonicalMailboxName(new_name).status());
      MR_ASSIGN_OR_RETURN(
          std::optional<std::string> clash,
          Get(Space::kMailboxNames, MailboxNameKey(owner, new_name), &txn, true));
      if (clash.has_value()) {
        return absl::AlreadyExistsError("mailbox already exists");
      }
      MR_ASSIGN_OR_RETURN(
          std::optional<MailboxRecord> record,
          GetRecord<MailboxRecord>(Space::kMailboxes, MailboxIdKey(id), &txn, true));
      if (!record.has_value()) return absl::DataLossError("dangling mailbox name");
      record->name = new_name;
      MR_RETURN_IF_ERROR(
          Delete(txn, Space::kMailboxNames, MailboxNameKey(owner, name)));
      MR_RETURN_IF_ERROR(Put(txn, Space::kMailboxNames,
                             MailboxNameKey(owner, new_name), MailboxIdKey(id)));
      MR_RETURN_IF_ERROR(
          Put(txn, Space::kMailboxes, MailboxIdKey(id), Encode(*record)));
      txn.events.push_back(
          ChangeEvent{id, owner, 0, ChangeEvent::kMailboxList});
    }
    return absl::OkStatus();
  });
}

absl::Status StoreImpl::SetSubscribed(const Principal& who,
                                      std::string_view name, bool subscribed) {
  MR_ASSIGN_OR_RETURN(OwnedName owned, ResolveVisibleName(who.user(), name));
  std::string visible = VisibleName(who.user(), owned.owner, owned.name);
  return RunTxn([&](Txn& txn) -> absl::Status {
    std::string key = SubscriptionKey(who.user(), visible);
    MR_RETURN_IF_ERROR(subscribed ? Put(txn, Space::kSubscriptions, key, "")
                                  : Delete(txn, Space::kSubscriptions, key));
    txn.events.push_back(
        ChangeEvent{0, who.user(), 0, ChangeEvent::kSubscriptions});
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<std::string>> StoreImpl::ListSubscriptions(
    const Principal& who) {
  std::vector<std::string> names;
  std::string prefix = SubscriptionPrefix(who.user());
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kSubscriptions, prefix, [&](std::string_view key, std::string_view) {
        names.emplace_back(key.substr(prefix.size()));
        return true;
      }));
  return names;
}

absl::StatusOr<MailboxStatus> StoreImpl::GetStatus(const Principal& who,
                                                   std::string_view name) {
  MR_ASSIGN_OR_RETURN(Resolved mailbox, ResolveName(who, name, nullptr));
  MR_RETURN_IF_ERROR(Require(mailbox, 'r'));
  MR_ASSIGN_OR_RETURN(std::optional<MailboxState> state,
                      GetRecord<MailboxState>(Space::kMailboxState,
                                              MailboxIdKey(mailbox.id)));
  if (!state.has_value()) return absl::NotFoundError("no such mailbox");
  MR_ASSIGN_OR_RETURN(MailboxStatus status,
                      ViewStatus(who, mailbox.id, mailbox.record, *state, nullptr));
  MR_ASSIGN_OR_RETURN(status.recent,
                      CountUnclaimedRecent(mailbox.id, *state, nullptr));
  return status;
}

absl::StatusOr<MailboxSnapshot> StoreImpl::OpenMailbox(const Principal& who,
                                                       std::string_view name) {
  return RetryAborted([&] { return OpenMailboxOnce(who, name, true); });
}

absl::StatusOr<MailboxSnapshot> StoreImpl::OpenMailboxHeader(
    const Principal& who, std::string_view name) {
  return RetryAborted([&] { return OpenMailboxOnce(who, name, false); });
}

absl::StatusOr<StoreImpl::OpenedMailbox> StoreImpl::ReadMailboxForOpen(
    const Principal& who, std::string_view name) {
  OpenedMailbox out;
  MR_ASSIGN_OR_RETURN(out.mailbox, ResolveName(who, name, nullptr));
  MR_RETURN_IF_ERROR(Require(out.mailbox, 'r'));
  if (out.mailbox.record.noselect) {
    return absl::FailedPreconditionError("mailbox is \\Noselect");
  }
  MR_ASSIGN_OR_RETURN(out.snapshot, engine_->Snapshot());
  const MailboxId id = out.mailbox.id;
  MR_ASSIGN_OR_RETURN(
      std::optional<MailboxState> state,
      GetRecord<MailboxState>(Space::kMailboxState, MailboxIdKey(id), nullptr,
                              false, out.snapshot.get()));
  if (!state.has_value()) return absl::NotFoundError("no such mailbox");
  out.state = *std::move(state);
  MR_ASSIGN_OR_RETURN(
      std::optional<MailboxRecord> record,
      GetRecord<MailboxRecord>(Space::kMailboxes, MailboxIdKey(id), nullptr,
                               false, out.snapshot.get()));
  if (!record.has_value()) return absl::NotFoundError("no such mailbox");
  out.record = *std::move(record);
  MailboxSnapshot& snap = out.header;
  MR_ASSIGN_OR_RETURN(snap.status, ViewStatus(who, id, out.record, out.state,
                                              out.snapshot.get()));
  snap.name = VisibleName(who.user(), out.mailbox.record.owner,
                          out.mailbox.record.name);
  snap.rights = out.mailbox.rights;
  snap.read_only = !GrantsReadWrite(out.mailbox.rights);
  snap.recent_claimed = out.state.recent_claimed;
  snap.private_view = PrivateView(out.record, who);
  return out;
}

absl::StatusOr<MailboxSnapshot> StoreImpl::OpenMailboxOnce(
    const Principal& who, std::string_view name, bool with_messages) {
  MR_ASSIGN_OR_RETURN(OpenedMailbox opened, ReadMailboxForOpen(who, name));
  engine::Reader* snapshot = opened.snapshot.get();
  const MailboxId id = opened.mailbox.id;
  const MailboxState& state = opened.state;
  MailboxSnapshot snap = std::move(opened.header);
  if (!with_messages) {
    MR_ASSIGN_OR_RETURN(snap.status.recent,
                        CountUnclaimedRecent(id, state, snapshot));
    return snap;
  }
  absl::flat_hash_map<Uid, SeenRow> rows;
  if (snap.private_view) {
    MR_ASSIGN_OR_RETURN(rows, SeenRows(id, who.user(), 0,
                                       std::numeric_limits<Uid>::max(),
                                       nullptr, snapshot));
  }
  snap.messages.reserve(state.messages);
  MR_RETURN_IF_ERROR(ForEachMessage(
      id,
      [&](Uid uid, MessageRecord message) {
        snap.messages.push_back(ToMeta(uid, message));
        if (uid > snap.recent_claimed) ++snap.status.recent;
        if (auto row = rows.find(uid); row != rows.end()) {
          ApplySeenRow(row->second, &snap.messages.back());
        }
      },
      nullptr, snapshot));
  return snap;
}

}  // namespace mailroom::store::internal
