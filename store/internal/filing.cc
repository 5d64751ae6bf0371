// Delivery into a mailbox named as its user sees it (Sieve fileinto and
// keep: DeliveryTarget::as_user). The script's owner files the message, so
// the owner's rights decide, exactly as for an APPEND by that user.
#include "base/status_macros.h"
#include "store/internal/names.h"
#include "store/internal/rights.h"
#include "store/internal/store_impl.h"
#include "store/principal_issuer.h"

namespace mailroom::store::internal {

absl::StatusOr<StoreImpl::Resolved> StoreImpl::ResolveFilingTarget(
    Txn& txn, std::string_view user, const DeliveryTarget& target) {
  const Principal who = PrincipalIssuer::User(user);
  // `p` (RFC 4314: post) and `i` both let the user file here; either makes
  // a drop box visible to this lookup.
  absl::StatusOr<Resolved> found =
      ResolveName(who, target.mailbox, &txn, /*also_visible=*/"ip");
  const bool missing =
      (!found.ok() && found.status().code() == absl::StatusCode::kNotFound) ||
      (found.ok() && found->record.noselect);
  if (missing && target.create) {
    MR_ASSIGN_OR_RETURN(OwnedName owned,
                        ResolveVisibleName(who.user(), target.mailbox));
    if (owned.owner != who.user()) {
      // As CREATE: in another namespace the parent must exist and grant `k`.
      std::vector<std::string> parents = ParentNames(owned.name);
      absl::StatusOr<Resolved> parent =
          parents.empty()
              ? absl::NotFoundError("no parent")
              : ResolveName(who,
                            VisibleName(who.user(), owned.owner,
                                        parents.back()),
                            &txn);
      if (!parent.ok() || !HasRight(parent->rights, 'k')) {
        return absl::PermissionDeniedError("no permission to create mailbox");
      }
    }
    absl::Status created =
        CreateInheritingInTxn(txn, owned.owner, owned.name, std::nullopt);
    // A mailbox there that the user cannot see stays unseen.
    if (created.code() == absl::StatusCode::kAlreadyExists) {
      return absl::NotFoundError("no such mailbox");
    }
    MR_RETURN_IF_ERROR(created);
    found = ResolveName(who, target.mailbox, &txn, "ip");
  }
  if (!found.ok()) return found.status();
  if (found->record.noselect) {
    return absl::NotFoundError("mailbox is \\Noselect");
  }
  if (!HasRight(found->rights, 'p') && !HasRight(found->rights, 'i')) {
    return absl::PermissionDeniedError("missing right 'p'");
  }
  return found;
}

}  // namespace mailroom::store::internal
