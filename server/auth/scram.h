// SCRAM-SHA-256 (RFC 5802, RFC 7677), server side, as a pure state machine
// (no I/O, no store). Channel binding is not offered: the gs2 header must be
// "n,," or "y,," (optionally with an authzid equal to the user name).
// User names and passwords are used as sent (no SASLprep).
#ifndef MAILROOM_SERVER_AUTH_SCRAM_H_
#define MAILROOM_SERVER_AUTH_SCRAM_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "base/crypto.h"
#include "store/store.h"

namespace mailroom::server::auth {

// Crypto helpers (OpenSSL).
using crypto::HmacSha256;
using crypto::Pbkdf2Sha256;
using crypto::Sha256;
std::string RandomBytes(size_t n);
// Credentials for `password` as the store keeps them.
store::ScramCredentials DeriveScramCredentials(std::string_view password,
                                               std::string_view salt,
                                               uint32_t iterations);

// One exchange. Not thread-safe.
class ScramServer {
 public:
  // Parses client-first-message; returns the user name to look up.
  absl::StatusOr<std::string> ReceiveClientFirst(std::string_view message);
  // Builds server-first-message for the user's credentials. `server_nonce`
  // is random printable text (tests pass a fixed one).
  std::string MakeServerFirst(const store::ScramCredentials& credentials,
                              std::string server_nonce);
  // Verifies client-final-message; on success returns server-final-message
  // ("v=..."). kPermissionDenied for a wrong proof.
  absl::StatusOr<std::string> ReceiveClientFinal(std::string_view message);

  const std::string& user() const { return user_; }

 private:
  std::string gs2_header_;
  std::string client_first_bare_;
  std::string client_nonce_;
  std::string nonce_;  // client + server
  std::string server_first_;
  std::string user_;
  store::ScramCredentials credentials_;
};

// Base64 of 18 random bytes: a server nonce.
std::string MakeServerNonce();

}  // namespace mailroom::server::auth

#endif  // MAILROOM_SERVER_AUTH_SCRAM_H_
