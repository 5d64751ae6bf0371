// An in-memory store::Store with just what the POP3 and LMTP sessions use:
// users, named mailboxes, append/deliver, read, flags, expunge, the POP3
// lease, retrieval marks and quotas. Everything else is kUnimplemented.
//
// Thread-safety: thread-safe; one mutex guards all state.
#ifndef MAILROOM_PROTOCOLS_POP3_TESTING_FAKE_STORE_H_
#define MAILROOM_PROTOCOLS_POP3_TESTING_FAKE_STORE_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "store/principal_issuer.h"
#include "store/store.h"

namespace mailroom::testing {

class FakeStore : public store::Store {
 public:
  // Principals for tests beside plugin code, which may not mint their own.
  static store::Principal UserPrincipal(std::string_view user) {
    return store::PrincipalIssuer::User(user);
  }

  struct StoredMessage {
    std::string data;
    store::Flags flags;
    bool retrieved = false;
  };

  // Test inspection and fault injection.
  std::map<store::Uid, StoredMessage> Messages(const std::string& user,
                                               const std::string& mailbox);
  uint32_t UidValidity(const std::string& user, const std::string& mailbox);
  // Removes a message as another (IMAP) session would.
  void ExpungeBehindTheScenes(const std::string& user, store::Uid uid);
  void set_storage_limit(const std::string& user, uint64_t bytes);
  int deliver_calls() const;
  int expunge_calls() const;
  int read_calls() const;
  // The UIDs ReadMessage was asked for, in call order.
  std::vector<store::Uid> read_uids() const;
  // Off: messages look stored before CRLF sizes were recorded
  // (MessageMeta::crlf_size 0), as in an older store.
  void set_records_crlf_sizes(bool on);
  // Every Deliver's data, in order.
  std::vector<std::string> delivered_bodies() const;

  absl::Status CreateUser(std::string_view user,
                          std::string_view password) override;
  absl::Status DeleteUser(std::string_view user) override;
  absl::Status SetPassword(std::string_view user,
                           std::string_view password) override;
  absl::StatusOr<std::vector<std::string>> ListUsers() override;
  absl::StatusOr<store::Principal> Authenticate(
      std::string_view user, std::string_view password) override;
  absl::StatusOr<store::ScramCredentials> GetScramCredentials(
      std::string_view user) override;
  absl::Status SetGroupMembers(std::string_view group,
                               const std::vector<std::string>& users) override;
  absl::StatusOr<std::vector<store::MailboxInfo>> ListMailboxes(
      const store::Principal& who) override;
  absl::Status CreateMailbox(
      const store::Principal& who, std::string_view name,
      std::optional<std::string> special_use = std::nullopt) override;
  absl::Status DeleteMailbox(const store::Principal& who,
                             std::string_view name) override;
  absl::Status RenameMailbox(const store::Principal& who,
                             std::string_view from,
                             std::string_view to) override;
  absl::Status SetSubscribed(const store::Principal& who,
                             std::string_view name, bool subscribed) override;
  absl::StatusOr<std::vector<std::string>> ListSubscriptions(
      const store::Principal& who) override;
  absl::StatusOr<store::MailboxStatus> GetStatus(
      const store::Principal& who, std::string_view name) override;
  absl::StatusOr<store::MailboxSnapshot> OpenMailbox(
      const store::Principal& who, std::string_view name) override;
  absl::StatusOr<store::AppendResult> Append(
      const store::Principal& who, std::string_view mailbox,
      const std::vector<store::AppendRequest>& messages) override;
  std::vector<absl::StatusOr<store::AppendResult>> Deliver(
      const std::vector<store::DeliveryTarget>& targets,
      std::string_view data) override;
  absl::StatusOr<std::vector<store::MessageMeta>> GetMessages(
      const store::Principal& who, store::MailboxId mailbox,
      const std::vector<store::Uid>& uids) override;
  absl::StatusOr<std::shared_ptr<const std::string>> ReadMessage(
      const store::Principal& who, store::MailboxId mailbox,
      store::Uid uid) override;
  absl::StatusOr<std::string> ReadMessageRange(const store::Principal& who,
                                               store::MailboxId mailbox,
                                               store::Uid uid, uint64_t offset,
                                               uint64_t length) override;
  absl::StatusOr<std::shared_ptr<const mime::Message>> GetStructure(
      const store::Principal& who, store::MailboxId mailbox,
      store::Uid uid) override;
  absl::StatusOr<std::vector<store::MessageStructure>> GetStructures(
      const store::Principal& who, store::MailboxId mailbox,
      const std::vector<store::Uid>& uids) override;
  absl::StatusOr<store::StoreFlagsResult> StoreFlags(
      const store::Principal& who, store::MailboxId mailbox,
      const store::StoreFlagsRequest& request) override;
  absl::StatusOr<std::vector<store::Uid>> Expunge(
      const store::Principal& who, store::MailboxId mailbox,
      const store::ExpungeRequest& request) override;
  absl::StatusOr<store::CopyResult> Copy(const store::Principal& who,
                                         store::MailboxId source,
                                         const std::vector<store::Uid>& uids,
                                         std::string_view dest) override;
  absl::StatusOr<store::CopyResult> Move(const store::Principal& who,
                                         store::MailboxId source,
                                         const std::vector<store::Uid>& uids,
                                         std::string_view dest) override;
  absl::StatusOr<std::vector<store::Uid>> Search(
      const store::Principal& who, store::MailboxId mailbox,
      const store::SearchKey& key) override;
  absl::StatusOr<store::Changes> ChangesSince(const store::Principal& who,
                                              store::MailboxId mailbox,
                                              store::ModSeq since) override;
  absl::StatusOr<std::vector<store::AclEntry>> GetAcl(
      const store::Principal& who, std::string_view mailbox) override;
  absl::Status SetAcl(const store::Principal& who, std::string_view mailbox,
                      std::string_view identifier,
                      std::string_view rights) override;
  absl::StatusOr<std::string> MyRights(const store::Principal& who,
                                       std::string_view mailbox) override;
  absl::StatusOr<store::QuotaUsage> RecipientQuota(
      std::string_view user) override {
    return GetQuota(store::PrincipalIssuer::Admin(), user);
  }
  absl::StatusOr<store::QuotaUsage> GetQuota(const store::Principal& who,
                                             std::string_view user) override;
  absl::Status SetQuota(const store::Principal& who, std::string_view user,
                        std::optional<uint64_t> storage_bytes,
                        std::optional<uint64_t> messages) override;
  absl::StatusOr<std::unique_ptr<store::Lease>> LockMaildrop(
      const store::Principal& who) override;
  absl::Status MarkRetrieved(const store::Principal& who,
                             store::MailboxId mailbox,
                             const std::vector<store::Uid>& uids) override;
  absl::StatusOr<uint64_t> ApplyRetention(
      const store::RetentionPolicy& policy) override;
  absl::StatusOr<std::vector<std::pair<std::string, uint64_t>>> IndexBacklog()
      override;
  absl::Status Reindex(std::string_view user) override;
  std::unique_ptr<store::Watch> WatchChanges(
      std::optional<store::MailboxId> mailbox,
      std::function<void(const store::ChangeEvent&)> callback) override;
  // The fake keeps nothing derived, so there is nothing to recount.
  absl::Status CheckConsistency() override { return absl::OkStatus(); }
  absl::StatusOr<store::StoreStats> GetStats() override {
    return store::StoreStats{};
  }
  absl::Status CatchUpIndex() override { return absl::OkStatus(); }

 private:
  struct Mailbox {
    store::MailboxId id = 0;
    uint32_t uidvalidity = 0;
    store::Uid uidnext = 1;
    std::map<store::Uid, StoredMessage> messages;
  };
  struct User {
    std::string password;
    std::map<std::string, Mailbox> mailboxes;  // by name
    std::optional<uint64_t> storage_limit;
  };
  class FakeLease;
  class FakeWatch;

  // Calls every watcher of `mailbox` (change notifications).
  void Notify(store::MailboxId mailbox) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // The mailbox `id` of `user`, or nullptr.
  Mailbox* FindById(User& user, store::MailboxId id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint64_t UsageOf(const User& user) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AddMailbox(User& user, const std::string& name)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, User> users_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> locked_ ABSL_GUARDED_BY(mu_);
  store::MailboxId next_mailbox_id_ ABSL_GUARDED_BY(mu_) = 1;
  int deliver_calls_ ABSL_GUARDED_BY(mu_) = 0;
  int expunge_calls_ ABSL_GUARDED_BY(mu_) = 0;
  int read_calls_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<store::Uid> read_uids_ ABSL_GUARDED_BY(mu_);
  bool records_crlf_sizes_ ABSL_GUARDED_BY(mu_) = true;
  std::vector<std::string> delivered_ ABSL_GUARDED_BY(mu_);
  struct Watcher {
    std::optional<store::MailboxId> mailbox;
    std::function<void(const store::ChangeEvent&)> callback;
  };
  std::map<int, Watcher> watchers_ ABSL_GUARDED_BY(mu_);
  int next_watcher_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace mailroom::testing

#endif  // MAILROOM_PROTOCOLS_POP3_TESTING_FAKE_STORE_H_
