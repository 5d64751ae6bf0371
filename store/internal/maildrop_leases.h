// POP3 maildrop locks within this process. On a store shared by several
// nodes the store also takes a lease in the engine (maildrop.cc), which
// lapses when its node dies.
//
// Thread-safety: thread-safe. A Lease may outlive the table.
#ifndef MAILROOM_STORE_INTERNAL_MAILDROP_LEASES_H_
#define MAILROOM_STORE_INTERNAL_MAILDROP_LEASES_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "store/internal/sync.h"
#include "store/store.h"

namespace mailroom::store::internal {

class MaildropLeases : public std::enable_shared_from_this<MaildropLeases> {
 public:
  // kFailedPrecondition "IN-USE ..." when `user` is already held.
  absl::StatusOr<std::unique_ptr<Lease>> Acquire(std::string_view user);

 private:
  friend class MaildropLease;
  void Release(const std::string& user);

  Mutex mu_;
  absl::flat_hash_set<std::string> held_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mailroom::store::internal

#endif  // MAILROOM_STORE_INTERNAL_MAILDROP_LEASES_H_
