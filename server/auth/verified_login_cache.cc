#include "server/auth/verified_login_cache.h"

#include <openssl/crypto.h>

#include "base/crypto.h"
#include "server/auth/scram.h"

namespace mailroom::server::auth {

VerifiedLoginCache::VerifiedLoginCache(absl::Duration ttl, size_t capacity)
    : ttl_(ttl), capacity_(capacity), key_(RandomBytes(32)) {}

std::string VerifiedLoginCache::Mac(std::string_view user,
                                    std::string_view password) const {
  // The user name is part of the MAC input so that equal passwords of two
  // users never give equal entries.
  std::string input(user);
  input.push_back('\0');
  input.append(password);
  return HmacSha256(key_, input);
}

bool VerifiedLoginCache::Matches(std::string_view user,
                                 std::string_view password,
                                 std::string_view stored_key,
                                 absl::Time now) const {
  if (!enabled()) return false;
  const std::string mac = Mac(user, password);
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(std::string(user));
  if (it == entries_.end()) return false;
  const Entry& entry = it->second;
  if (now - entry.verified_at >= ttl_ || now < entry.verified_at) return false;
  if (entry.stored_key != stored_key) return false;
  return entry.password_mac.size() == mac.size() &&
         CRYPTO_memcmp(entry.password_mac.data(), mac.data(), mac.size()) == 0;
}

void VerifiedLoginCache::Insert(std::string_view user,
                                std::string_view password,
                                std::string_view stored_key, absl::Time now) {
  if (!enabled() || capacity_ == 0) return;
  Entry entry{Mac(user, password), std::string(stored_key), now};
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(std::string(user));
  if (it != entries_.end()) {
    it->second = std::move(entry);
    return;
  }
  if (entries_.size() >= capacity_) DropOldestLocked();
  entries_.emplace(std::string(user), std::move(entry));
}

void VerifiedLoginCache::Erase(std::string_view user) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(std::string(user));
  if (it != entries_.end()) entries_.erase(it);
}

void VerifiedLoginCache::DropOldestLocked() {
  // Linear, but only when full; capacity is a few thousand users at most
  // and a full cache means logins are already paying the slow hash.
  auto oldest = entries_.begin();
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->second.verified_at < oldest->second.verified_at) oldest = it;
  }
  if (oldest != entries_.end()) entries_.erase(oldest);
}

}  // namespace mailroom::server::auth
