// POP3 support: maildrop locks, retrieval times and retention.
#include <ctime>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "store/internal/names.h"
#include "store/internal/store_impl.h"
#include "store/principal_issuer.h"

namespace mailroom::store::internal {
namespace {

// A dead node's POP3 lock lapses after this long.
constexpr int kMaildropLeaseSeconds = 30;

}  // namespace

absl::StatusOr<std::unique_ptr<Lease>> StoreImpl::LockMaildrop(
    const Principal& who) {
  MR_ASSIGN_OR_RETURN(std::string user, CanonicalUser(who.user()));
  MR_ASSIGN_OR_RETURN(std::unique_ptr<Lease> local, leases_->Acquire(user));
  if (!shared_) return local;
  // Other nodes: a lease in the engine that lapses if this node dies.
  absl::StatusOr<std::unique_ptr<engine::EngineLease>> cluster =
      engine_->AcquireLease(absl::StrCat("maildrop/", user),
                            kMaildropLeaseSeconds);
  if (!cluster.ok()) {
    if (cluster.status().code() == absl::StatusCode::kFailedPrecondition) {
      return absl::FailedPreconditionError(
          "IN-USE maildrop is locked by another POP3 session");
    }
    return cluster.status();
  }
  struct Both : Lease {
    std::unique_ptr<Lease> local;
    std::unique_ptr<engine::EngineLease> cluster;
  };
  auto both = std::make_unique<Both>();
  both->local = std::move(local);
  both->cluster = *std::move(cluster);
  return std::unique_ptr<Lease>(std::move(both));
}

absl::Status StoreImpl::MarkRetrieved(const Principal& who, MailboxId mailbox,
                                      const std::vector<Uid>& uids) {
  int64_t now = std::time(nullptr);
  std::string when;
  AppendU64(&when, static_cast<uint64_t>(now));
  return RunTxn([&](Txn& txn) -> absl::Status {
    MR_ASSIGN_OR_RETURN(Resolved m, ResolveId(who, mailbox, &txn));
    MR_RETURN_IF_ERROR(Require(m, 'r'));
    // The state lock keeps a concurrent expunge from leaving a stray time.
    MR_RETURN_IF_ERROR(LockState(txn, mailbox).status());
    for (Uid uid : uids) {
      std::string key = MessageKey(mailbox, uid);
      MR_ASSIGN_OR_RETURN(std::optional<std::string> message,
                          Get(Space::kMessages, key, &txn));
      if (!message.has_value()) continue;
      MR_ASSIGN_OR_RETURN(std::optional<std::string> existing,
                          Get(Space::kRetrieval, key, &txn, true));
      if (!existing.has_value()) {
        MR_RETURN_IF_ERROR(Put(txn, Space::kRetrieval, key, when));
      }
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<uint64_t> StoreImpl::ApplyRetention(
    const RetentionPolicy& policy) {
  if (!policy.delete_after_retrieval_seconds.has_value() &&
      !policy.delete_after_arrival_seconds.has_value()) {
    return 0;
  }
  int64_t now = std::time(nullptr);
  MR_ASSIGN_OR_RETURN(std::vector<std::string> users, ListUsers());
  const Principal admin = PrincipalIssuer::Admin();
  uint64_t total = 0;
  for (const std::string& user : users) {
    MR_ASSIGN_OR_RETURN(std::optional<std::string> raw_id,
                        Get(Space::kMailboxNames, MailboxNameKey(user, kInbox)));
    if (!raw_id.has_value()) continue;
    MailboxId id = ReadU64(*raw_id);
    std::vector<Uid> due;
    absl::Status status;
    MR_RETURN_IF_ERROR(ScanPrefix(
        Space::kMessages, MailboxIdKey(id),
        [&](std::string_view key, std::string_view value) {
          MailboxId mid;
          Uid uid;
          MessageRecord record;
          if (!ParseMessageKey(key, &mid, &uid) || !Decode(value, &record)) {
            return true;
          }
          bool expire = policy.delete_after_arrival_seconds.has_value() &&
                        now - record.internal_date >=
                            *policy.delete_after_arrival_seconds;
          if (!expire && policy.delete_after_retrieval_seconds.has_value()) {
            absl::StatusOr<std::optional<std::string>> when =
                Get(Space::kRetrieval, key);
            if (!when.ok()) {
              status = when.status();
              return false;
            }
            expire = when->has_value() && (*when)->size() == 8 &&
                     now - static_cast<int64_t>(ReadU64(**when)) >=
                         *policy.delete_after_retrieval_seconds;
          }
          if (expire) due.push_back(uid);
          return true;
        }));
    MR_RETURN_IF_ERROR(status);
    if (due.empty()) continue;
    ExpungeRequest request;
    request.only_deleted = false;
    request.uids = due;
    MR_ASSIGN_OR_RETURN(std::vector<Uid> expunged, Expunge(admin, id, request));
    total += expunged.size();
  }
  return total;
}

}  // namespace mailroom::store::internal
