// Users, passwords and groups.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "store/internal/names.h"
#include "store/internal/password.h"
#include "store/internal/store_impl.h"
#include "store/principal_issuer.h"

namespace mailroom::store::internal {

absl::StatusOr<UserRecord> StoreImpl::GetUser(std::string_view user,
                                              Txn* txn) {
  MR_ASSIGN_OR_RETURN(std::optional<UserRecord> record,
                      GetRecord<UserRecord>(Space::kUsers, user, txn));
  if (!record.has_value()) return absl::NotFoundError("no such user");
  return *std::move(record);
}

absl::Status StoreImpl::CreateUser(std::string_view user_in,
                                   std::string_view password) {
  MR_ASSIGN_OR_RETURN(std::string user, CanonicalNewUser(user_in));
  UserRecord record;
  MR_RETURN_IF_ERROR(
      HashPassword(password, options_.password_iterations, &record));
  record.storage_limit_bytes = options_.default_storage_quota_bytes;
  record.message_limit = options_.default_message_quota;
  return RunTxn([&](Txn& txn) -> absl::Status {
    MR_ASSIGN_OR_RETURN(std::optional<std::string> existing,
                        Get(Space::kUsers, user, &txn, /*for_update=*/true));
    if (existing.has_value()) {
      return absl::AlreadyExistsError("user already exists");
    }
    MR_RETURN_IF_ERROR(Put(txn, Space::kUsers, user, Encode(record)));
    MR_RETURN_IF_ERROR(Put(txn, Space::kQuota, user, Encode(QuotaRecord())));
    MR_RETURN_IF_ERROR(
        CreateMailboxInTxn(txn, user, kInbox, std::nullopt).status());
    MR_RETURN_IF_ERROR(Put(txn, Space::kSubscriptions, SubscriptionKey(user, kInbox),
                           ""));
    for (std::string_view use : kSpecialUses) {
      MR_RETURN_IF_ERROR(
          CreateMailboxInTxn(txn, user, use, std::string(use)).status());
      MR_RETURN_IF_ERROR(
          Put(txn, Space::kSubscriptions, SubscriptionKey(user, use), ""));
    }
    return absl::OkStatus();
  });
}

absl::Status StoreImpl::DeleteUser(std::string_view user_in) {
  MR_ASSIGN_OR_RETURN(std::string user, CanonicalUser(user_in));
  absl::Status deleted = RunTxn([&](Txn& txn) -> absl::Status {
    MR_ASSIGN_OR_RETURN(std::optional<std::string> existing,
                        Get(Space::kUsers, user, &txn, /*for_update=*/true));
    if (!existing.has_value()) return absl::NotFoundError("no such user");
    std::vector<MailboxId> ids;
    MR_RETURN_IF_ERROR(ScanPrefix(
        Space::kMailboxNames, MailboxNamePrefix(user),
        [&](std::string_view, std::string_view value) {
          if (value.size() == 8) ids.push_back(ReadU64(value));
          return true;
        },
        &txn));
    for (MailboxId id : ids) {
      MR_ASSIGN_OR_RETURN(
          std::optional<MailboxRecord> record,
          GetRecord<MailboxRecord>(Space::kMailboxes, MailboxIdKey(id), &txn));
      if (record.has_value()) {
        MR_RETURN_IF_ERROR(RemoveMailboxInTxn(txn, id, *record));
      }
    }
    MR_RETURN_IF_ERROR(DropSeenOfUser(txn, user));
    MR_RETURN_IF_ERROR(DropMetadataOfUser(txn, user));
    MR_RETURN_IF_ERROR(DropSieveOfOwner(txn, user));
    // The user's ACL entries on other owners' mailboxes.
    std::vector<std::string> grants;
    MR_RETURN_IF_ERROR(ScanPrefix(
        Space::kAcl, AclGranteePrefix(user),
        [&](std::string_view key, std::string_view) {
          grants.emplace_back(key);
          return true;
        },
        &txn));
    for (const std::string& key : grants) {
      MailboxId id = ReadU64(std::string_view(key).substr(key.size() - 8));
      MR_RETURN_IF_ERROR(Delete(txn, Space::kAcl, key));
      MR_RETURN_IF_ERROR(Delete(txn, Space::kAcl, AclKey(id, user)));
    }
    std::vector<std::string> subscriptions;
    MR_RETURN_IF_ERROR(ScanPrefix(
        Space::kSubscriptions, SubscriptionPrefix(user),
        [&](std::string_view key, std::string_view) {
          subscriptions.emplace_back(key);
          return true;
        },
        &txn));
    for (const std::string& key : subscriptions) {
      MR_RETURN_IF_ERROR(Delete(txn, Space::kSubscriptions, key));
    }
    absl::Status status;
    QueueIndex(txn, IndexWork{.op = IndexWork::kRemoveOwner, .owner = user},
               &status);
    MR_RETURN_IF_ERROR(status);
    MR_RETURN_IF_ERROR(Delete(txn, Space::kQuota, user));
    MR_RETURN_IF_ERROR(Delete(txn, Space::kUsers, user));
    txn.events.push_back(ChangeEvent{.mailbox = 0,
                                     .owner = user,
                                     .modseq = 0,
                                     .kind = ChangeEvent::kMailboxList});
    return absl::OkStatus();
  });
  ForgetSieveOwner(user);
  return deleted;
}

absl::Status StoreImpl::SetPassword(std::string_view user_in,
                                    std::string_view password) {
  MR_ASSIGN_OR_RETURN(std::string user, CanonicalNewUser(user_in));
  UserRecord fresh;
  MR_RETURN_IF_ERROR(
      HashPassword(password, options_.password_iterations, &fresh));
  return RunTxn([&](Txn& txn) -> absl::Status {
    MR_ASSIGN_OR_RETURN(
        std::optional<UserRecord> record,
        GetRecord<UserRecord>(Space::kUsers, user, &txn, /*for_update=*/true));
    if (!record.has_value()) return absl::NotFoundError("no such user");
    record->salt = fresh.salt;
    record->iterations = fresh.iterations;
    record->stored_key = fresh.stored_key;
    record->server_key = fresh.server_key;
    return Put(txn, Space::kUsers, user, Encode(*record));
  });
}

absl::StatusOr<std::vector<std::string>> StoreImpl::ListUsers() {
  std::vector<std::string> users;
  MR_RETURN_IF_ERROR(
      ScanPrefix(Space::kUsers, "", [&](std::string_view key, std::string_view) {
        users.emplace_back(key);
        return true;
      }));
  return users;
}

absl::StatusOr<Principal> StoreImpl::Authenticate(std::string_view user_in,
                                                  std::string_view password) {
  const absl::Status denied =
      absl::PermissionDeniedError("authentication failed");
  absl::StatusOr<std::string> user = CanonicalUser(user_in);
  absl::StatusOr<UserRecord> record =
      user.ok() ? GetUser(*user, nullptr) : user.status();
  if (!record.ok()) {
    if (record.status().code() != absl::StatusCode::kNotFound &&
        record.status().code() != absl::StatusCode::kInvalidArgument) {
      return record.status();
    }
    // Spend the same work on unknown users so timing does not tell.
    UserRecord dummy;
    dummy.salt = std::string(16, 'x');
    dummy.iterations = options_.password_iterations;
    dummy.stored_key = std::string(32, '\0');
    VerifyPassword(password, dummy);
    return denied;
  }
  if (!VerifyPassword(password, *record)) return denied;
  return PrincipalIssuer::User(*user);
}

absl::StatusOr<ScramCredentials> StoreImpl::GetScramCredentials(
    std::string_view user_in) {
  MR_ASSIGN_OR_RETURN(std::string user, CanonicalUser(user_in));
  MR_ASSIGN_OR_RETURN(UserRecord record, GetUser(user, nullptr));
  return ScramCredentials{.salt = record.salt,
                          .iterations = record.iterations,
                          .stored_key = record.stored_key,
                          .server_key = record.server_key};
}

absl::Status StoreImpl::SetGroupMembers(std::string_view group,
                                        const std::vector<std::string>& users) {
  if (!group.empty() && group[0] == '$') group.remove_prefix(1);
  MR_ASSIGN_OR_RETURN(std::string name, CanonicalUser(group));
  std::vector<std::string> members;
  for (const std::string& u : users) {
    MR_ASSIGN_OR_RETURN(std::string member, CanonicalUser(u));
    members.push_back(std::move(member));
  }
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  return RunTxn([&](Txn& txn) -> absl::Status {
    if (members.empty()) return Delete(txn, Space::kGroups, name);
    return Put(txn, Space::kGroups, name, EncodeStringList(members));
  });
}

}  // namespace mailroom::store::internal
