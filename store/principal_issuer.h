// Minting principals: the host's authenticator, the admin CLI and tests.
// Plugins cannot depend on this target (Bazel visibility), so a plugin only
// ever holds the principal the host authenticated.
#ifndef MAILROOM_STORE_PRINCIPAL_ISSUER_H_
#define MAILROOM_STORE_PRINCIPAL_ISSUER_H_

#include <string>
#include <string_view>

#include "store/types.h"

namespace mailroom::store {

class PrincipalIssuer {
 public:
  // An authenticated user. REQUIRES: `user` is canonical (lower case).
  static Principal User(std::string_view user, bool quota_admin = false) {
    Principal p;
    p.user_ = std::string(user);
    p.quota_admin_ = quota_admin;
    return p;
  }
  // The host itself (admin CLI, delivery, retention): every right. With a
  // `user`, names resolve in that user's namespace (the admin CLI acting on
  // a user's mailboxes).
  static Principal Admin(std::string_view user = {}) {
    Principal p;
    p.user_ = std::string(user);
    p.admin_ = true;
    return p;
  }
};

}  // namespace mailroom::store

#endif  // MAILROOM_STORE_PRINCIPAL_ISSUER_H_
