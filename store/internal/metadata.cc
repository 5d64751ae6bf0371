// Annotations (RFC 5464 METADATA): GetMetadata, SetMetadata and what a
// mailbox's or a user's removal does to them. Key layout: keys.h,
// "metadata".
//
// Every write locks the usage counter of each owner it charges (the user
// for /private entries, the mailbox owner for /shared mailbox entries, ""
// for /shared server entries), so the counters stay exact under concurrent
// writers and limits are checked against them without scanning. The
// mailbox record is read for update so a concurrent DELETE or RENAME is
// either wholly before or wholly after the write.
#include <map>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "store/internal/metadata_names.h"
#include "store/internal/rights.h"
#include "store/internal/store_impl.h"
#include "store/internal/strings.h"

namespace mailroom::store::internal {
namespace {

using Usage = MetadataUsage;

std::string EncodeUsage(const Usage& usage) {
  std::string out;
  AppendU64(&out, static_cast<uint64_t>(usage.entries));
  AppendU64(&out, static_cast<uint64_t>(usage.bytes));
  return out;
}

bool DecodeUsage(std::string_view in, Usage* usage) {
  if (in.size() != 16) return false;
  usage->entries = static_cast<int64_t>(ReadU64(in));
  usage->bytes = static_cast<int64_t>(ReadU64(in.substr(8)));
  return true;
}

// RFC 5464 section 3.3: `l` and one of `r s w i p` on the mailbox for any
// annotation; this store also asks `r` to read and `w` to write /shared
// ones, the rights that govern the mailbox's shared state.
absl::Status CheckMailboxRights(std::string_view rights, bool any_shared,
                                bool write) {
  if (!HasRight(rights, 'l')) return absl::NotFoundError("no such mailbox");
  if (rights.find_first_of("rswip") == std::string_view::npos) {
    return absl::PermissionDeniedError("no access to this mailbox's annotations");
  }
  if (any_shared && !HasRight(rights, write ? 'w' : 'r')) {
    return absl::PermissionDeniedError(
        write ? "missing right 'w' for /shared annotations"
              : "missing right 'r' for /shared annotations");
  }
  return absl::OkStatus();
}

// Who a mailbox row is charged to and its entry name: /private rows name
// their user, /shared ones are the mailbox owner's.
bool ParseMailboxRow(std::string_view key, std::string_view owner,
                            std::string* charged, std::string* entry) {
  if (key.size() < 10) return false;
  std::string_view rest = key.substr(10);
  if (key[9] == 's') {
    *charged = std::string(owner);
    *entry = std::string(rest);
    return true;
  }
  const size_t nul = rest.find('\0');
  if (key[9] != 'p' || nul == std::string_view::npos) return false;
  *charged = std::string(rest.substr(0, nul));
  *entry = std::string(rest.substr(nul + 1));
  return true;
}

}  // namespace

absl::StatusOr<MetadataResult> StoreImpl::GetMetadata(
    const Principal& who, std::string_view mailbox,
    const MetadataQuery& query) {
  std::vector<std::string> names;
  bool any_shared = false;
  for (const std::string& entry : query.entries) {
    MR_ASSIGN_OR_RETURN(std::string name,
                        CanonicalMetadataEntry(entry, /*allow_scope=*/true));
    any_shared = any_shared || !IsPrivateMetadataEntry(name);
    names.push_back(std::move(name));
  }
  MailboxId id = 0;
  if (!mailbox.empty()) {
    MR_ASSIGN_OR_RETURN(Resolved m, ResolveName(who, mailbox, nullptr));
    MR_RETURN_IF_ERROR(CheckMailboxRights(m.rights, any_shared, false));
    id = m.id;
  }
  return RetryAborted([&]() -> absl::StatusOr<MetadataResult> {
    MR_ASSIGN_OR_RETURN(std::unique_ptr<engine::Reader> snapshot,
                        engine_->Snapshot());
    std::map<std::string, std::string> found;
    MetadataResult result;
    auto take = [&](std::string name, std::string_view value) {
      if (query.max_size.has_value() && value.size() > *query.max_size) {
        result.longest_omitted =
            std::max<uint64_t>(result.longest_omitted, value.size());
        return;
      }
      found.emplace(std::move(name), std::string(value));
    };
    for (const std::string& name : names) {
      // A principal without a user name (admin, delivery) has no private
      // annotations.
      if (IsPrivateMetadataEntry(name) && who.user().empty()) continue;
      const std::string key = MetaEntryKey(id, who.user(), name);
      MR_ASSIGN_OR_RETURN(std::optional<std::string> value,
                          Get(Space::kMetadata, key, nullptr, false,
                              snapshot.get()));
      if (value.has_value()) take(name, *value);
      if (query.depth == MetadataDepth::kZero) continue;
      const std::string below = key + "/";
      MR_RETURN_IF_ERROR(ScanPrefix(
          Space::kMetadata, below,
          [&](std::string_view k, std::string_view v) {
            std::string_view rest = k.substr(below.size());
            if (query.depth == MetadataDepth::kOne &&
                rest.find('/') != std::string_view::npos) {
              return true;
            }
            take(absl::StrCat(name, "/", Av(rest)), v);
            return true;
          },
          nullptr, snapshot.get()));
    }
    for (auto& [name, value] : found) {
      result.entries.push_back(MetadataEntry{name, std::move(value)});
    }
    return result;
  });
}

absl::Status StoreImpl::SetMetadata(const Principal& who,
                                    std::string_view mailbox,
                                    const std::vector<MetadataEntry>& entries) {
  std::vector<MetadataEntry> changes;
  bool any_shared = false;
  for (const MetadataEntry& entry : entries) {
    MR_ASSIGN_OR_RETURN(std::string name,
                        CanonicalMetadataEntry(entry.name, false));
    const bool is_private = IsPrivateMetadataEntry(name);
    if (is_private && who.user().empty()) {
      return absl::FailedPreconditionError(
          "METADATA NOPRIVATE: this login has no private annotations");
    }
    if (entry.value.has_value() &&
        entry.value->size() > options_.metadata_max_entry_bytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat("METADATA MAXSIZE ", options_.metadata_max_entry_bytes,
                       ": annotation value too large"));
    }
    any_shared = any_shared || !is_private;
    // A later value of the same entry wins, as if set one after another.
    bool replaced = false;
    for (MetadataEntry& earlier : changes) {
      if (earlier.name == name) {
        earlier.value = entry.value;
        replaced = true;
      }
    }
    if (!replaced) changes.push_back(MetadataEntry{name, entry.value});
  }
  MailboxId id = 0;
  if (mailbox.empty()) {
    if (any_shared && !who.admin()) {
      return absl::PermissionDeniedError(
          "only administrators set /shared server annotations");
    }
  } else {
    MR_ASSIGN_OR_RETURN(Resolved m, ResolveName(who, mailbox, nullptr));
    MR_RETURN_IF_ERROR(CheckMailboxRights(m.rights, any_shared, true));
    id = m.id;
  }
  return RunTxn([&](Txn& txn) -> absl::Status {
    std::string mailbox_owner;
    if (id != 0) {
      MR_ASSIGN_OR_RETURN(std::optional<MailboxRecord> record,
                          GetRecord<MailboxRecord>(Space::kMailboxes,
                                                   MailboxIdKey(id), &txn,
                                                   /*for_update=*/true));
      if (!record.has_value()) return absl::NotFoundError("no such mailbox");
      mailbox_owner = record->owner;
    }
    std::map<std::string, Usage> deltas;  // by owner charged
    std::vector<std::string> changed_private, changed_shared;
    for (const MetadataEntry& change : changes) {
      const bool is_private = IsPrivateMetadataEntry(change.name);
      const std::string key = MetaEntryKey(id, who.user(), change.name);
      MR_ASSIGN_OR_RETURN(std::optional<std::string> old,
                          Get(Space::kMetadata, key, &txn, true));
      if (old == change.value) continue;
      Usage& delta = deltas[is_private ? who.user() : mailbox_owner];
      if (old.has_value()) {
        delta.entries -= 1;
        delta.bytes -= static_cast<int64_t>(change.name.size() + old->size());
      }
      if (change.value.has_value()) {
        delta.entries += 1;
        delta.bytes +=
            static_cast<int64_t>(change.name.size() + change.value->size());
        MR_RETURN_IF_ERROR(Put(txn, Space::kMetadata, key, *change.value));
      } else {
        MR_RETURN_IF_ERROR(Delete(txn, Space::kMetadata, key));
      }
      (is_private ? changed_private : changed_shared).push_back(change.name);
    }
    for (const auto& [owner, delta] : deltas) {
      MR_RETURN_IF_ERROR(ChargeMetadata(txn, owner, delta.entries, delta.bytes,
                                        /*check_limits=*/true));
    }
    if (!changed_shared.empty()) {
      txn.events.push_back(ChangeEvent{.mailbox = id,
                                       .owner = mailbox_owner,
                                       .kind = ChangeEvent::kMetadata,
                                       .entries = std::move(changed_shared)});
    }
    if (!changed_private.empty()) {
      txn.events.push_back(ChangeEvent{.mailbox = id,
                                       .owner = mailbox_owner,
                                       .kind = ChangeEvent::kMetadata,
                                       .user = who.user(),
                                       .entries = std::move(changed_private)});
    }
    return absl::OkStatus();
  });
}

absl::Status StoreImpl::ChargeMetadata(Txn& txn, std::string_view owner,
                                       int64_t entries, int64_t bytes,
                                       bool check_limits) {
  if (entries == 0 && bytes == 0) return absl::OkStatus();
  const std::string key = MetaUsageKey(owner);
  MR_ASSIGN_OR_RETURN(std::optional<std::string> raw,
                      Get(Space::kMetadata, key, &txn, true));
  Usage usage;
  if (raw.has_value() && !DecodeUsage(*raw, &usage)) {
    return absl::DataLossError("undecodable annotation usage");
  }
  usage.entries += entries;
  usage.bytes += bytes;
  if (check_limits &&
      ((entries > 0 && static_cast<uint64_t>(usage.entries) >
                           options_.metadata_max_entries) ||
       (bytes > 0 && static_cast<uint64_t>(usage.bytes) >
                         options_.metadata_max_total_bytes))) {
    return absl::ResourceExhaustedError(
        "METADATA TOOMANY: too many annotations");
  }
  if (usage.entries <= 0 && usage.bytes <= 0) {
    return Delete(txn, Space::kMetadata, key);
  }
  return Put(txn, Space::kMetadata, key, EncodeUsage(usage));
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
StoreImpl::MailboxMetadataRows(Txn& txn, MailboxId id) {
  std::vector<std::pair<std::string, std::string>> rows;
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kMetadata, MetaMailboxPrefix(id),
      [&](std::string_view key, std::string_view value) {
        rows.emplace_back(std::string(key), std::string(value));
        return true;
      },
      &txn));
  return rows;
}

absl::Status StoreImpl::DropMailboxMetadataInTxn(Txn& txn, MailboxId id,
                                                 std::string_view owner) {
  MR_ASSIGN_OR_RETURN(auto rows, MailboxMetadataRows(txn, id));
  std::map<std::string, Usage> deltas;
  for (const auto& [key, value] : rows) {
    std::string charged, entry;
    if (ParseMailboxRow(key, owner, &charged, &entry)) {
      Usage& delta = deltas[charged];
      delta.entries -= 1;
      delta.bytes -= static_cast<int64_t>(entry.size() + value.size());
    }
    MR_RETURN_IF_ERROR(Delete(txn, Space::kMetadata, key));
  }
  for (const auto& [charged, delta] : deltas) {
    MR_RETURN_IF_ERROR(
        ChargeMetadata(txn, charged, delta.entries, delta.bytes, false));
  }
  return absl::OkStatus();
}

absl::Status StoreImpl::CopyMailboxMetadataInTxn(Txn& txn, MailboxId from,
                                                 MailboxId to,
                                                 std::string_view owner) {
  MR_ASSIGN_OR_RETURN(auto rows, MailboxMetadataRows(txn, from));
  const std::string from_prefix = MetaMailboxPrefix(from);
  const std::string to_prefix = MetaMailboxPrefix(to);
  std::map<std::string, Usage> deltas;
  for (const auto& [key, value] : rows) {
    std::string charged, entry;
    if (!ParseMailboxRow(key, owner, &charged, &entry)) continue;
    Usage& delta = deltas[charged];
    delta.entries += 1;
    delta.bytes += static_cast<int64_t>(entry.size() + value.size());
    MR_RETURN_IF_ERROR(
        Put(txn, Space::kMetadata,
            to_prefix + key.substr(from_prefix.size()), value));
  }
  // A copy made by RENAME INBOX is not refused for the owner's limits: the
  // annotations existed before.
  for (const auto& [charged, delta] : deltas) {
    MR_RETURN_IF_ERROR(
        ChargeMetadata(txn, charged, delta.entries, delta.bytes, false));
  }
  return absl::OkStatus();
}

absl::Status StoreImpl::DropMetadataOfUser(Txn& txn, std::string_view user) {
  std::string server_prefix(1, kMetaServerPrivateTag);
  server_prefix.append(user);
  server_prefix.push_back('\0');
  MR_RETURN_IF_ERROR(DeletePrefix(txn, Space::kMetadata, server_prefix));
  // The user's private rows on other owners' mailboxes: deleting a user is
  // rare, so one pass over the mailbox rows.
  std::vector<std::string> keys;
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kMetadata, std::string(1, kMetaMailboxTag),
      [&](std::string_view key, std::string_view) {
        if (key.size() > 10 + user.size() && key[9] == 'p' &&
            key.substr(10, user.size()) == user &&
            key[10 + user.size()] == '\0') {
          keys.emplace_back(key);
        }
        return true;
      },
      &txn));
  for (const std::string& key : keys) {
    MR_RETURN_IF_ERROR(Delete(txn, Space::kMetadata, key));
  }
  return Delete(txn, Space::kMetadata, MetaUsageKey(user));
}

absl::StatusOr<std::map<std::string, MetadataUsage>>
StoreImpl::CountMetadataUsage(Txn* txn, engine::Reader* snapshot,
                              std::set<MailboxId>* orphans) {
  std::map<std::string, MetadataUsage> usage;
  std::map<MailboxId, std::optional<std::string>> owners;  // by mailbox
  std::vector<std::pair<std::string, uint64_t>> rows;  // key, value size
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kMetadata, "",
      [&](std::string_view key, std::string_view value) {
        if (!key.empty() && key[0] != kMetaUsageTag) {
          rows.emplace_back(std::string(key), value.size());
        }
        return true;
      },
      txn, snapshot));
  for (const auto& [key, size] : rows) {
    std::string charged, entry;
    if (key[0] == kMetaServerSharedTag) {
      entry = key.substr(1);
    } else if (key[0] == kMetaServerPrivateTag) {
      const size_t nul = key.find('\0');
      if (nul == std::string::npos) continue;
      charged = key.substr(1, nul - 1);
      entry = key.substr(nul + 1);
    } else if (key[0] == kMetaMailboxTag && key.size() > 9) {
      const MailboxId id = ReadU64(std::string_view(key).substr(1));
      auto found = owners.find(id);
      if (found == owners.end()) {
        MR_ASSIGN_OR_RETURN(std::optional<MailboxRecord> record,
                            GetRecord<MailboxRecord>(Space::kMailboxes,
                                                     MailboxIdKey(id), txn,
                                                     false, snapshot));
        found = owners
                    .emplace(id, record.has_value()
                                     ? std::optional<std::string>(record->owner)
                                     : std::nullopt)
                    .first;
      }
      if (!found->second.has_value()) {
        if (orphans != nullptr) orphans->insert(id);
        continue;
      }
      if (!ParseMailboxRow(key, *found->second, &charged, &entry)) continue;
    } else {
      continue;
    }
    MetadataUsage& u = usage[charged];
    u.entries += 1;
    u.bytes += static_cast<int64_t>(entry.size() + size);
  }
  return usage;
}

absl::StatusOr<std::map<std::string, MetadataUsage>>
StoreImpl::StoredMetadataUsage(Txn* txn, engine::Reader* snapshot) {
  std::map<std::string, MetadataUsage> usage;
  bool bad = false;
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kMetadata, std::string(1, kMetaUsageTag),
      [&](std::string_view key, std::string_view value) {
        std::string owner(key.substr(1, key.size() - 2));
        if (!DecodeUsage(value, &usage[owner])) bad = true;
        return true;
      },
      txn, snapshot));
  if (bad) return absl::DataLossError("undecodable annotation usage");
  return usage;
}

}  // namespace mailroom::store::internal
