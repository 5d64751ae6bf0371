#include "store/internal/maildrop_leases.h"

#include "absl/status/status.h"

namespace mailroom::store::internal {

class MaildropLease : public Lease {
 public:
  MaildropLease(std::weak_ptr<MaildropLeases> table, std::string user)
      : table_(std::move(table)), user_(std::move(user)) {}
  ~MaildropLease() override {
    if (std::shared_ptr<MaildropLeases> t = table_.lock()) t->Release(user_);
  }

 private:
  std::weak_ptr<MaildropLeases> table_;
  std::string user_;
};

absl::StatusOr<std::unique_ptr<Lease>> MaildropLeases::Acquire(
    std::string_view user) {
  MutexLock lock(&mu_);
  if (!held_.emplace(user).second) {
    return absl::FailedPreconditionError(
        "IN-USE maildrop is locked by another session");
  }
  return std::make_unique<MaildropLease>(weak_from_this(), std::string(user));
}

void MaildropLeases::Release(const std::string& user) {
  MutexLock lock(&mu_);
  held_.erase(user);
}

}  // namespace mailroom::store::internal
