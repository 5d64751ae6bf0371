// JSON Web Key Sets (RFC 7517) of the public keys that sign OAuth access
// tokens, loaded from files an administrator keeps up to date.
//
// Only signature keys of three types are taken: RSA (kty "RSA", at least
// 2048 bits), EC P-256 (kty "EC", crv "P-256") and Ed25519 (kty "OKP", crv
// "Ed25519"). Keys of other types, or marked "use" other than "sig", are
// skipped rather than refused, so a set shared with other services loads;
// a set with no usable key is an error.
#ifndef MAILROOM_SERVER_AUTH_JWKS_H_
#define MAILROOM_SERVER_AUTH_JWKS_H_

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace mailroom::server::auth {

// One public key. Immutable once built; safe to share between threads.
struct Jwk {
  enum class Type { kRsa, kEcP256, kEd25519 };
  std::string kid;  // may be empty
  Type type = Type::kRsa;
  std::string alg;  // the JWK's "alg" when given: the only one it verifies
  std::shared_ptr<EVP_PKEY> key;
};

// An immutable key set.
class Jwks {
 public:
  // Parses a JWKS document ({"keys": [...]}) or a single JWK object.
  static absl::StatusOr<Jwks> Parse(std::string_view json);

  // The keys that may verify a token whose header names `kid` (empty: no
  // kid in the header, which only a set of exactly one key answers).
  std::vector<const Jwk*> Candidates(std::string_view kid) const;
  size_t size() const { return keys_.size(); }

 private:
  std::vector<Jwk> keys_;
};

// A JWKS file, re-read when it changes (key rotation without a restart):
// at most every `check_interval` its inode, size and modification time are
// compared with the loaded version. A changed file that does not parse
// leaves the previous keys in place. Thread-safe.
class JwksFile {
 public:
  JwksFile(std::string path, absl::Duration check_interval,
           std::function<absl::Time()> clock = absl::Now);

  // The current keys. Fails only while no version of the file ever loaded.
  absl::StatusOr<std::shared_ptr<const Jwks>> Current();
  const std::string& path() const { return path_; }

 private:
  struct Version {
    ino_t inode = 0;
    off_t size = -1;
    int64_t mtime_ns = -1;
    bool operator==(const Version&) const = default;
  };

  const std::string path_;
  const absl::Duration check_interval_;
  const std::function<absl::Time()> clock_;
  absl::Mutex mu_;
  std::shared_ptr<const Jwks> keys_ ABSL_GUARDED_BY(mu_);
  absl::Status last_error_ ABSL_GUARDED_BY(mu_);
  Version loaded_ ABSL_GUARDED_BY(mu_);
  absl::Time next_check_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

// RFC 4648 §5 base64url without padding, as JOSE uses it; fails on padding,
// other characters or impossible lengths.
bool Base64UrlDecode(std::string_view in, std::string* out);

}  // namespace mailroom::server::auth

#endif  // MAILROOM_SERVER_AUTH_JWKS_H_
