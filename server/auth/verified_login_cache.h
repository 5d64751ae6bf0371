// Remembers recent successful password checks so that a client opening many
// connections (a helpdesk agent's IMAP client, a POP3 poller every minute)
// pays the slow PBKDF2 hash once per `ttl`, not once per login.
//
// Nothing secret is kept in the clear: an entry holds an HMAC of the
// password under a random key that lives only in this process, plus the
// user's stored key at the time of the check. A hit requires the same
// password and an unchanged stored key, so a password change or a deleted
// user invalidates the entry at once without any hook into the store.
//
// Thread-safety: thread-safe.
#ifndef MAILROOM_SERVER_AUTH_VERIFIED_LOGIN_CACHE_H_
#define MAILROOM_SERVER_AUTH_VERIFIED_LOGIN_CACHE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace mailroom::server::auth {

class VerifiedLoginCache {
 public:
  // A zero `ttl` disables the cache. Past `capacity` users the oldest
  // entries are dropped.
  VerifiedLoginCache(absl::Duration ttl, size_t capacity);

  // True when `password` was verified for `user` less than ttl ago and the
  // user's stored key is still `stored_key`.
  bool Matches(std::string_view user, std::string_view password,
               std::string_view stored_key, absl::Time now) const;
  // Records a successful check.
  void Insert(std::string_view user, std::string_view password,
              std::string_view stored_key, absl::Time now);
  // Forgets `user` (e.g. after a failed check with a different password).
  void Erase(std::string_view user);

  bool enabled() const { return ttl_ > absl::ZeroDuration(); }

 private:
  struct Entry {
    std::string password_mac;  // HMAC-SHA256(key_, password)
    std::string stored_key;
    absl::Time verified_at;
  };
  std::string Mac(std::string_view user, std::string_view password) const;
  void DropOldestLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const absl::Duration ttl_;
  const size_t capacity_;
  const std::string key_;  // random, per process
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mailroom::server::auth

#endif  // MAILROOM_SERVER_AUTH_VERIFIED_LOGIN_CACHE_H_
