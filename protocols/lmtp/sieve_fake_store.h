// FakeStore (protocols/pop3/testing) plus what Sieve delivery needs:
// scripts, marks, the outbound queue kept in memory, and Deliver honouring
// DeliveryTarget's as_user/create/flags as the store API documents them.
//
// Thread-safety: thread-safe.
#ifndef MAILROOM_PROTOCOLS_LMTP_SIEVE_FAKE_STORE_H_
#define MAILROOM_PROTOCOLS_LMTP_SIEVE_FAKE_STORE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "protocols/pop3/testing/fake_store.h"

namespace mailroom::testing {

class SieveStore : public FakeStore {
 public:
  struct Filed {
    std::string user, mailbox;
    store::Flags flags;
  };

  void SetScript(const std::string& owner, const std::string& name,
                 const std::string& source, bool active = false) {
    absl::MutexLock lock(&mu_);
    scripts_[owner][name] = source;
    if (active) active_[owner] = name;
  }
  std::vector<store::OutboundMessage> queued() {
    absl::MutexLock lock(&mu_);
    return queued_;
  }
  std::vector<Filed> filed() {
    absl::MutexLock lock(&mu_);
    return filed_;
  }

  absl::StatusOr<std::string> GetSieveScript(const store::Principal&,
                                             std::string_view owner,
                                             std::string_view name) override {
    absl::MutexLock lock(&mu_);
    auto& scripts = scripts_[std::string(owner)];
    auto it = scripts.find(std::string(name));
    if (it == scripts.end()) return absl::NotFoundError("no such script");
    return it->second;
  }
  absl::StatusOr<std::optional<store::SieveScript>> GetActiveSieveScript(
      const store::Principal&, std::string_view owner) override {
    absl::MutexLock lock(&mu_);
    auto it = active_.find(std::string(owner));
    if (it == active_.end()) return std::optional<store::SieveScript>();
    return std::optional<store::SieveScript>(
        store::SieveScript{it->second, scripts_[it->first][it->second]});
  }
  absl::StatusOr<bool> HasSieveMark(const store::Principal&,
                                    std::string_view owner,
                                    std::string_view key,
                                    int64_t now) override {
    absl::MutexLock lock(&mu_);
    auto it = marks_.find(std::string(owner) + "/" + std::string(key));
    return it != marks_.end() && it->second > now;
  }
  absl::StatusOr<bool> TestAndSetSieveMark(const store::Principal&,
                                           std::string_view owner,
                                           std::string_view key, int64_t now,
                                           int64_t expires,
                                           bool extend) override {
    absl::MutexLock lock(&mu_);
    std::string k = std::string(owner) + "/" + std::string(key);
    auto it = marks_.find(k);
    bool was = it != marks_.end() && it->second > now;
    if (!was || extend) marks_[k] = expires;
    return was;
  }
  absl::StatusOr<std::string> QueueOutbound(
      const store::Principal&, const store::OutboundMessage& message) override {
    absl::MutexLock lock(&mu_);
    if (refuse_outbound_) return absl::ResourceExhaustedError("LIMIT queue full");
    queued_.push_back(message);
    return absl::StrCat("q", queued_.size());
  }
  void set_refuse_outbound(bool refuse) {
    absl::MutexLock lock(&mu_);
    refuse_outbound_ = refuse;
  }

  std::vector<absl::StatusOr<store::AppendResult>> Deliver(
      const std::vector<store::DeliveryTarget>& targets,
      std::string_view data) override {
    std::vector<absl::StatusOr<store::AppendResult>> results;
    for (const store::DeliveryTarget& target : targets) {
      if (target.as_user) {
        store::Principal user = UserPrincipal(target.user);
        if (!GetStatus(user, target.mailbox).ok()) {
          if (!target.create) {
            results.push_back(absl::NotFoundError("no such mailbox"));
            continue;
          }
          absl::Status created = CreateMailbox(user, target.mailbox);
          if (!created.ok()) {
            results.push_back(created);
            continue;
          }
        }
      }
      std::vector<absl::StatusOr<store::AppendResult>> one =
          FakeStore::Deliver({target}, data);
      if (one.front().ok()) {
        absl::MutexLock lock(&mu_);
        filed_.push_back({target.user, target.mailbox, target.flags});
      }
      results.push_back(one.front());
    }
    return results;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, std::map<std::string, std::string>> scripts_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> active_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int64_t> marks_ ABSL_GUARDED_BY(mu_);
  std::vector<store::OutboundMessage> queued_ ABSL_GUARDED_BY(mu_);
  std::vector<Filed> filed_ ABSL_GUARDED_BY(mu_);
  bool refuse_outbound_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace mailroom::testing

#endif  // MAILROOM_PROTOCOLS_LMTP_SIEVE_FAKE_STORE_H_
