#include "protocols/pop3/testing/fake_store.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "mime/line_ends.h"
#include "store/principal_issuer.h"

namespace mailroom::testing {
namespace {

absl::Status Unimplemented() {
  return absl::UnimplementedError("not in FakeStore");
}

std::string CanonicalName(std::string_view name) {
  if (absl::EqualsIgnoreCase(absl::string_view(name.data(), name.size()),
                             "INBOX")) {
    return "INBOX";
  }
  return std::string(name);
}

}  // namespace

class FakeStore::FakeLease : public store::Lease {
 public:
  FakeLease(FakeStore* store, std::string user)
      : store_(store), user_(std::move(user)) {}
  ~FakeLease() override {
    absl::MutexLock lock(&store_->mu_);
    store_->locked_.erase(user_);
  }

 private:
  FakeStore* store_;
  std::string user_;
};

class FakeStore::FakeWatch : public store::Watch {
 public:
  FakeWatch(FakeStore* store, int id) : store_(store), id_(id) {}
  ~FakeWatch() override {
    absl::MutexLock lock(&store_->mu_);
    store_->watchers_.erase(id_);
  }

 private:
  FakeStore* store_;
  int id_;
};

void FakeStore::Notify(store::MailboxId mailbox) {
  store::ChangeEvent event;
  event.mailbox = mailbox;
  for (auto& [id, watcher] : watchers_) {
    if (!watcher.mailbox.has_value() || *watcher.mailbox == mailbox) {
      watcher.callback(event);
    }
  }
}

std::map<store::Uid, FakeStore::StoredMessage> FakeStore::Messages(
    const std::string& user, const std::string& mailbox) {
  absl::MutexLock lock(&mu_);
  return users_[user].mailboxes[CanonicalName(mailbox)].messages;
}

uint32_t FakeStore::UidValidity(const std::string& user,
                                const std::string& mailbox) {
  absl::MutexLock lock(&mu_);
  return users_[user].mailboxes[CanonicalName(mailbox)].uidvalidity;
}

void FakeStore::ExpungeBehindTheScenes(const std::string& user,
                                       store::Uid uid) {
  absl::MutexLock lock(&mu_);
  Mailbox& inbox = users_[user].mailboxes["INBOX"];
  inbox.messages.erase(uid);
  Notify(inbox.id);
}

void FakeStore::set_storage_limit(const std::string& user, uint64_t bytes) {
  absl::MutexLock lock(&mu_);
  users_[user].storage_limit = bytes;
}

int FakeStore::deliver_calls() const {
  absl::MutexLock lock(&mu_);
  return deliver_calls_;
}

int FakeStore::expunge_calls() const {
  absl::MutexLock lock(&mu_);
  return expunge_calls_;
}

int FakeStore::read_calls() const {
  absl::MutexLock lock(&mu_);
  return read_calls_;
}

std::vector<store::Uid> FakeStore::read_uids() const {
  absl::MutexLock lock(&mu_);
  return read_uids_;
}

void FakeStore::set_records_crlf_sizes(bool on) {
  absl::MutexLock lock(&mu_);
  records_crlf_sizes_ = on;
}

std::vector<std::string> FakeStore::delivered_bodies() const {
  absl::MutexLock lock(&mu_);
  return delivered_;
}

FakeStore::Mailbox* FakeStore::FindById(User& user, store::MailboxId id) {
  for (auto& [name, mailbox] : user.mailboxes) {
    if (mailbox.id == id) return &mailbox;
  }
  return nullptr;
}

uint64_t FakeStore::UsageOf(const User& user) const {
  uint64_t total = 0;
  for (const auto& [name, mailbox] : user.mailboxes) {
    for (const auto& [uid, message] : mailbox.messages) {
      total += message.data.size();
    }
  }
  return total;
}

void FakeStore::AddMailbox(User& user, const std::string& name) {
  Mailbox& mailbox = user.mailboxes[name];
  mailbox.id = next_mailbox_id_++;
  mailbox.uidvalidity = 1000 + static_cast<uint32_t>(mailbox.id);
}

absl::Status FakeStore::CreateUser(std::string_view user,
                                   std::string_view password) {
  absl::MutexLock lock(&mu_);
  std::string name = absl::AsciiStrToLower(std::string(user));
  if (users_.count(name)) return absl::AlreadyExistsError("user exists");
  User& record = users_[name];
  record.password = std::string(password);
  AddMailbox(record, "INBOX");
  return absl::OkStatus();
}

absl::Status FakeStore::DeleteUser(std::string_view) { return Unimplemented(); }
absl::Status FakeStore::SetPassword(std::string_view, std::string_view) {
  return Unimplemented();
}
absl::StatusOr<std::vector<std::string>> FakeStore::ListUsers() {
  return Unimplemented();
}

absl::StatusOr<store::Principal> FakeStore::Authenticate(
    std::string_view user, std::string_view password) {
  absl::MutexLock lock(&mu_);
  auto it = users_.find(absl::AsciiStrToLower(std::string(user)));
  if (it == users_.end() || it->second.password != password) {
    return absl::PermissionDeniedError("authentication failed");
  }
  return store::PrincipalIssuer::User(it->first);
}

absl::StatusOr<store::ScramCredentials> FakeStore::GetScramCredentials(
    std::string_view) {
  return Unimplemented();
}
absl::Status FakeStore::SetGroupMembers(std::string_view,
                                        const std::vector<std::string>&) {
  return Unimplemented();
}
absl::StatusOr<std::vector<store::MailboxInfo>> FakeStore::ListMailboxes(
    const store::Principal&) {
  return Unimplemented();
}

absl::Status FakeStore::CreateMailbox(const store::Principal& who,
                                      std::string_view name,
                                      std::optional<std::string>) {
  absl::MutexLock lock(&mu_);
  auto it = users_.find(who.user());
  if (it == users_.end()) return absl::NotFoundError("no such user");
  std::string canonical = CanonicalName(name);
  if (it->second.mailboxes.count(canonical)) {
    return absl::AlreadyExistsError("mailbox exists");
  }
  AddMailbox(it->second, canonical);
  return absl::OkStatus();
}

absl::Status FakeStore::DeleteMailbox(const store::Principal&,
                                      std::string_view) {
  return Unimplemented();
}
absl::Status FakeStore::RenameMailbox(const store::Principal&,
                                      std::string_view, std::string_view) {
  return Unimplemented();
}
absl::Status FakeStore::SetSubscribed(const store::Principal&,
                                      std::string_view, bool) {
  return Unimplemented();
}
absl::StatusOr<std::vector<std::string>> FakeStore::ListSubscriptions(
    const store::Principal&) {
  return Unimplemented();
}

absl::StatusOr<store::MailboxStatus> FakeStore::GetStatus(
    const store::Principal& who, std::string_view name) {
  absl::MutexLock lock(&mu_);
  auto user = users_.find(who.user());
  if (user == users_.end()) return absl::NotFoundError("no such mailbox");
  auto it = user->second.mailboxes.find(CanonicalName(name));
  if (it == user->second.mailboxes.end()) {
    return absl::NotFoundError("no such mailbox");
  }
  store::MailboxStatus status;
  status.id = it->second.id;
  status.messages = static_cast<uint32_t>(it->second.messages.size());
  status.uidnext = it->second.uidnext;
  status.uidvalidity = it->second.uidvalidity;
  return status;
}

absl::StatusOr<store::MailboxSnapshot> FakeStore::OpenMailbox(
    const store::Principal& who, std::string_view name) {
  absl::MutexLock lock(&mu_);
  auto user = users_.find(who.user());
  if (user == users_.end()) return absl::NotFoundError("no such mailbox");
  auto it = user->second.mailboxes.find(CanonicalName(name));
  if (it == user->second.mailboxes.end()) {
    return absl::NotFoundError("no such mailbox");
  }
  store::MailboxSnapshot snapshot;
  snapshot.name = it->first;
  snapshot.status.id = it->second.id;
  snapshot.status.uidvalidity = it->second.uidvalidity;
  snapshot.status.uidnext = it->second.uidnext;
  snapshot.status.messages =
      static_cast<uint32_t>(it->second.messages.size());
  for (const auto& [uid, message] : it->second.messages) {
    store::MessageMeta meta;
    meta.uid = uid;
    meta.flags = message.flags;
    meta.size = message.data.size();
    if (records_crlf_sizes_) meta.crlf_size = mime::CrlfSize(message.data);
    // A content hash, unique to this store so tests do not share bodies.
    meta.blob_id = std::to_string(reinterpret_cast<uintptr_t>(this)) + ":" +
                   std::to_string(std::hash<std::string>()(message.data));
    snapshot.messages.push_back(meta);
  }
  return snapshot;
}

absl::StatusOr<store::AppendResult> FakeStore::Append(
    const store::Principal& who, std::string_view mailbox,
    const std::vector<store::AppendRequest>& messages) {
  absl::MutexLock lock(&mu_);
  auto user = users_.find(who.user());
  if (user == users_.end()) return absl::NotFoundError("no such mailbox");
  auto it = user->second.mailboxes.find(CanonicalName(mailbox));
  if (it == user->second.mailboxes.end()) {
    return absl::NotFoundError("no such mailbox");
  }
  store::AppendResult result;
  result.uidvalidity = it->second.uidvalidity;
  for (const store::AppendRequest& request : messages) {
    store::Uid uid = it->second.uidnext++;
    it->second.messages[uid] = {std::string(request.data), request.flags,
                                false};
    result.uids.push_back(uid);
  }
  Notify(it->second.id);
  return result;
}

std::vector<absl::StatusOr<store::AppendResult>> FakeStore::Deliver(
    const std::vector<store::DeliveryTarget>& targets, std::string_view data) {
  absl::MutexLock lock(&mu_);
  ++deliver_calls_;
  delivered_.emplace_back(data);
  std::vector<absl::StatusOr<store::AppendResult>> results;
  for (const store::DeliveryTarget& target : targets) {
    auto user = users_.find(target.user);
    if (user == users_.end()) {
      results.push_back(absl::NotFoundError("no such user"));
      continue;
    }
    if (user->second.storage_limit.has_value() &&
        UsageOf(user->second) + data.size() > *user->second.storage_limit) {
      results.push_back(absl::ResourceExhaustedError("OVERQUOTA storage"));
      continue;
    }
    auto it = user->second.mailboxes.find(CanonicalName(target.mailbox));
    if (it == user->second.mailboxes.end()) {
      it = user->second.mailboxes.find("INBOX");
    }
    store::Uid uid = it->second.uidnext++;
    it->second.messages[uid] = {std::string(data), {}, false};
    Notify(it->second.id);
    results.push_back(store::AppendResult{it->second.uidvalidity, {uid}});
  }
  return results;
}

absl::StatusOr<std::vector<store::MessageMeta>> FakeStore::GetMessages(
    const store::Principal&, store::MailboxId, const std::vector<store::Uid>&) {
  return Unimplemented();
}

absl::StatusOr<std::string> FakeStore::ReadMessageRange(
    const store::Principal& who, store::MailboxId mailbox, store::Uid uid,
    uint64_t offset, uint64_t length) {
  absl::StatusOr<std::shared_ptr<const std::string>> whole =
      ReadMessage(who, mailbox, uid);
  if (!whole.ok()) return whole.status();
  if (offset >= (*whole)->size()) return std::string();
  return (*whole)->substr(offset, length);
}

absl::StatusOr<std::shared_ptr<const std::string>> FakeStore::ReadMessage(
    const store::Principal& who, store::MailboxId mailbox, store::Uid uid) {
  absl::MutexLock lock(&mu_);
  ++read_calls_;
  read_uids_.push_back(uid);
  auto user = users_.find(who.user());
  if (user == users_.end()) return absl::NotFoundError("no such message");
  Mailbox* box = FindById(user->second, mailbox);
  if (box == nullptr || !box->messages.count(uid)) {
    return absl::NotFoundError("no such message");
  }
  return std::make_shared<const std::string>(box->messages[uid].data);
}

absl::StatusOr<std::shared_ptr<const mime::Message>> FakeStore::GetStructure(
    const store::Principal&, store::MailboxId, store::Uid) {
  return Unimplemented();
}

absl::StatusOr<std::vector<store::MessageStructure>> FakeStore::GetStructures(
    const store::Principal&, store::MailboxId, const std::vector<store::Uid>&) {
  return Unimplemented();
}

absl::StatusOr<store::StoreFlagsResult> FakeStore::StoreFlags(
    const store::Principal& who, store::MailboxId mailbox,
    const store::StoreFlagsRequest& request) {
  absl::MutexLock lock(&mu_);
  auto user = users_.find(who.user());
  if (user == users_.end()) return absl::NotFoundError("no such mailbox");
  Mailbox* box = FindById(user->second, mailbox);
  if (box == nullptr) return absl::NotFoundError("no such mailbox");
  store::StoreFlagsResult result;
  for (store::Uid uid : request.uids) {
    auto it = box->messages.find(uid);
    if (it == box->messages.end()) continue;
    uint32_t& bits = it->second.flags.system;
    const uint32_t was = bits;
    switch (request.op) {
      case store::FlagOp::kAdd:
        bits |= request.flags.system;
        break;
      case store::FlagOp::kRemove:
        bits &= ~request.flags.system;
        break;
      case store::FlagOp::kReplace:
        bits = request.flags.system;
        break;
    }
    if (bits != was) {
      store::MessageMeta changed;
      changed.uid = uid;
      changed.flags.system = bits;
      result.changed.push_back(std::move(changed));
    }
  }
  Notify(mailbox);
  return result;
}

absl::StatusOr<std::vector<store::Uid>> FakeStore::Expunge(
    const store::Principal& who, store::MailboxId mailbox,
    const store::ExpungeRequest& request) {
  absl::MutexLock lock(&mu_);
  ++expunge_calls_;
  auto user = users_.find(who.user());
  if (user == users_.end()) return absl::NotFoundError("no such mailbox");
  Mailbox* box = FindById(user->second, mailbox);
  if (box == nullptr) return absl::NotFoundError("no such mailbox");
  std::vector<store::Uid> expunged;
  for (auto it = box->messages.begin(); it != box->messages.end();) {
    bool chosen =
        (!request.only_deleted || (it->second.flags.system & store::kDeleted)) &&
        (!request.uids.has_value() ||
         std::find(request.uids->begin(), request.uids->end(), it->first) !=
             request.uids->end());
    if (chosen) {
      expunged.push_back(it->first);
      it = box->messages.erase(it);
    } else {
      ++it;
    }
  }
  Notify(mailbox);
  return expunged;
}

absl::StatusOr<store::CopyResult> FakeStore::Copy(
    const store::Principal&, store::MailboxId, const std::vector<store::Uid>&,
    std::string_view) {
  return Unimplemented();
}
absl::StatusOr<store::CopyResult> FakeStore::Move(
    const store::Principal&, store::MailboxId, const std::vector<store::Uid>&,
    std::string_view) {
  return Unimplemented();
}
absl::StatusOr<std::vector<store::Uid>> FakeStore::Search(
    const store::Principal&, store::MailboxId, const store::SearchKey&) {
  return Unimplemented();
}
absl::StatusOr<store::Changes> FakeStore::ChangesSince(const store::Principal&,
                                                       store::MailboxId,
                                                       store::ModSeq) {
  return Unimplemented();
}
absl::StatusOr<std::vector<store::AclEntry>> FakeStore::GetAcl(
    const store::Principal&, std::string_view) {
  return Unimplemented();
}
absl::Status FakeStore::SetAcl(const store::Principal&, std::string_view,
                               std::string_view, std::string_view) {
  return Unimplemented();
}
absl::StatusOr<std::string> FakeStore::MyRights(const store::Principal&,
                                                std::string_view) {
  return Unimplemented();
}

absl::StatusOr<store::QuotaUsage> FakeStore::GetQuota(
    const store::Principal& who, std::string_view user) {
  if (who.user() != user && !who.quota_admin()) {
    return absl::NotFoundError("no such user");
  }
  absl::MutexLock lock(&mu_);
  auto it = users_.find(std::string(user));
  if (it == users_.end()) return absl::NotFoundError("no such user");
  store::QuotaUsage usage;
  usage.storage_bytes = UsageOf(it->second);
  usage.storage_limit_bytes = it->second.storage_limit;
  return usage;
}

absl::Status FakeStore::SetQuota(const store::Principal&, std::string_view,
                                 std::optional<uint64_t>,
                                 std::optional<uint64_t>) {
  return Unimplemented();
}

absl::StatusOr<std::unique_ptr<store::Lease>> FakeStore::LockMaildrop(
    const store::Principal& who) {
  absl::MutexLock lock(&mu_);
  if (!locked_.insert(who.user()).second) {
    return absl::FailedPreconditionError("IN-USE");
  }
  return std::unique_ptr<store::Lease>(new FakeLease(this, who.user()));
}

absl::Status FakeStore::MarkRetrieved(const store::Principal& who,
                                      store::MailboxId mailbox,
                                      const std::vector<store::Uid>& uids) {
  absl::MutexLock lock(&mu_);
  auto user = users_.find(who.user());
  if (user == users_.end()) return absl::NotFoundError("no such mailbox");
  Mailbox* box = FindById(user->second, mailbox);
  if (box == nullptr) return absl::NotFoundError("no such mailbox");
  for (store::Uid uid : uids) {
    auto it = box->messages.find(uid);
    if (it != box->messages.end()) it->second.retrieved = true;
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> FakeStore::ApplyRetention(
    const store::RetentionPolicy&) {
  return Unimplemented();
}
absl::StatusOr<std::vector<std::pair<std::string, uint64_t>>>
FakeStore::IndexBacklog() {
  return Unimplemented();
}
absl::Status FakeStore::Reindex(std::string_view) { return Unimplemented(); }

std::unique_ptr<store::Watch> FakeStore::WatchChanges(
    std::optional<store::MailboxId> mailbox,
    std::function<void(const store::ChangeEvent&)> callback) {
  absl::MutexLock lock(&mu_);
  int id = next_watcher_++;
  watchers_[id] = {mailbox, std::move(callback)};
  return std::make_unique<FakeWatch>(this, id);
}

}  // namespace mailroom::testing
