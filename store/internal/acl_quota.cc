// Access control lists (RFC 4314) and quota (RFC 9208).
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "store/internal/names.h"
#include "store/internal/rights.h"
#include "store/internal/store_impl.h"
#include "store/principal_issuer.h"

namespace mailroom::store::internal {
namespace {

// "anyone", "authenticated", "$group" or a user name, optionally negative.
absl::StatusOr<std::string> CanonicalIdentifier(std::string_view identifier) {
  std::string prefix;
  if (!identifier.empty() && identifier[0] == '-') {
    prefix = "-";
    identifier.remove_prefix(1);
  }
  if (identifier == "anyone" || identifier == "authenticated") {
    return prefix + std::string(identifier);
  }
  if (!identifier.empty() && identifier[0] == '$') {
    MR_ASSIGN_OR_RETURN(std::string group,
                        CanonicalUser(identifier.substr(1)));
    return absl::StrCat(prefix, "$", group);
  }
  absl::StatusOr<std::string> user = CanonicalUser(identifier);
  if (!user.ok()) return absl::InvalidArgumentError("invalid ACL identifier");
  return absl::StrCat(prefix, *user);
}

}  // namespace

absl::StatusOr<std::vector<AclEntry>> StoreImpl::GetAcl(
    const Principal& who, std::string_view mailbox) {
  MR_ASSIGN_OR_RETURN(Resolved m, ResolveName(who, mailbox, nullptr));
  MR_RETURN_IF_ERROR(Require(m, 'a'));
  std::vector<AclEntry> entries;
  if (m.record.owner != kSharedOwner) {
    entries.push_back(AclEntry{m.record.owner, std::string(kAllRights)});
  }
  std::string prefix = AclPrefix(m.id);
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kAcl, prefix, [&](std::string_view key, std::string_view rights) {
        entries.push_back(AclEntry{std::string(key.substr(prefix.size())),
                                   std::string(rights)});
        return true;
      }));
  return entries;
}

absl::Status StoreImpl::SetAcl(const Principal& who, std::string_view mailbox,
                               std::string_view identifier_in,
                               std::string_view rights_in) {
  MR_ASSIGN_OR_RETURN(Resolved m, ResolveName(who, mailbox, nullptr));
  MR_RETURN_IF_ERROR(Require(m, 'a'));
  MR_ASSIGN_OR_RETURN(std::string identifier,
                      CanonicalIdentifier(identifier_in));
  // RFC 4314 SETACL: "+rights" adds, "-rights" removes, otherwise replaces.
  char mode = 0;
  if (!rights_in.empty() && (rights_in[0] == '+' || rights_in[0] == '-')) {
    mode = rights_in[0];
    rights_in.remove_prefix(1);
  }
  MR_ASSIGN_OR_RETURN(std::string rights, CanonicalRights(rights_in));
  bool negative = identifier[0] == '-';
  return RunTxn([&](Txn& txn) -> absl::Status {
    std::string key = AclKey(m.id, identifier);
    MR_ASSIGN_OR_RETURN(std::optional<std::string> current,
                        Get(Space::kAcl, key, &txn, true));
    std::string now = rights;
    if (mode == '+') now = UnionRights(current.value_or(""), rights);
    if (mode == '-') now = SubtractRights(current.value_or(""), rights);
    std::string grantee = AclGranteeKey(identifier, m.id);
    if (now.empty()) {
      MR_RETURN_IF_ERROR(Delete(txn, Space::kAcl, key));
      MR_RETURN_IF_ERROR(Delete(txn, Space::kAcl, grantee));
    } else {
      MR_RETURN_IF_ERROR(Put(txn, Space::kAcl, key, now));
      // Only positive entries can make a mailbox visible.
      if (!negative) MR_RETURN_IF_ERROR(Put(txn, Space::kAcl, grantee, ""));
    }
    txn.events.push_back(
        ChangeEvent{m.id, m.record.owner, 0, ChangeEvent::kMailboxList});
    return absl::OkStatus();
  });
}

absl::StatusOr<std::string> StoreImpl::MyRights(const Principal& who,
                                                std::string_view mailbox) {
  MR_ASSIGN_OR_RETURN(Resolved m, ResolveName(who, mailbox, nullptr));
  return m.rights;
}

absl::StatusOr<QuotaUsage> StoreImpl::GetQuota(const Principal& who,
                                               std::string_view user_in) {
  MR_ASSIGN_OR_RETURN(std::string user, CanonicalUser(user_in));
  // Another user's quota looks missing, as their mailboxes do.
  if (user != who.user() && !who.quota_admin()) {
    return absl::NotFoundError("no such user");
  }
  MR_ASSIGN_OR_RETURN(UserRecord record, GetUser(user, nullptr));
  MR_ASSIGN_OR_RETURN(std::optional<QuotaRecord> usage,
                      GetRecord<QuotaRecord>(Space::kQuota, user));
  QuotaUsage out;
  out.storage_bytes = usage.has_value() ? usage->bytes : 0;
  out.messages = usage.has_value() ? usage->messages : 0;
  out.storage_limit_bytes = record.storage_limit_bytes;
  out.message_limit = record.message_limit;
  return out;
}

absl::StatusOr<QuotaUsage> StoreImpl::RecipientQuota(std::string_view user) {
  return GetQuota(PrincipalIssuer::Admin(), user);
}

absl::Status StoreImpl::SetQuota(const Principal& who, std::string_view user_in,
                                 std::optional<uint64_t> storage_bytes,
                                 std::optional<uint64_t> messages) {
  if (!who.quota_admin()) {
    return absl::PermissionDeniedError("only quota administrators set quotas");
  }
  MR_ASSIGN_OR_RETURN(std::string user, CanonicalUser(user_in));
  return RunTxn([&](Txn& txn) -> absl::Status {
    MR_ASSIGN_OR_RETURN(
        std::optional<UserRecord> record,
        GetRecord<UserRecord>(Space::kUsers, user, &txn, /*for_update=*/true));
    if (!record.has_value()) return absl::NotFoundError("no such user");
    record->storage_limit_bytes = storage_bytes;
    record->message_limit = messages;
    return Put(txn, Space::kUsers, user, Encode(*record));
  });
}

}  // namespace mailroom::store::internal
