// Password hashing: PBKDF2-HMAC-SHA256 salted passwords kept only as the
// SCRAM-SHA-256 StoredKey and ServerKey (RFC 5802), so the same record serves
// PLAIN and SCRAM authentication.
//
// Thread-safety: free functions; safe to call concurrently.
#ifndef MAILROOM_STORE_INTERNAL_PASSWORD_H_
#define MAILROOM_STORE_INTERNAL_PASSWORD_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "base/crypto.h"
#include "store/internal/records.h"

namespace mailroom::store::internal {

// Fills salt, iterations, stored_key and server_key of `record` for
// `password` with a fresh random 16-byte salt.
absl::Status HashPassword(std::string_view password, uint32_t iterations,
                          UserRecord* record);

// Recomputes StoredKey from `password` and compares in constant time.
bool VerifyPassword(std::string_view password, const UserRecord& record);

// SaltedPassword = PBKDF2-HMAC-SHA256(password, salt, iterations), 32 bytes.
inline std::string SaltedPassword(std::string_view password,
                                  std::string_view salt, uint32_t iterations) {
  return crypto::Pbkdf2Sha256(password, salt, iterations);
}
using crypto::HmacSha256;
using crypto::Sha256;
std::string HexEncode(std::string_view raw);
// Returns false unless `hex` is exactly 2*N lower- or upper-case hex digits.
bool HexDecode(std::string_view hex, std::string* raw);

}  // namespace mailroom::store::internal

#endif  // MAILROOM_STORE_INTERNAL_PASSWORD_H_
