// SHA-256, HMAC-SHA256 and PBKDF2-HMAC-SHA256 over OpenSSL, shared by the
// store's password records and the host's SCRAM exchange (they must derive
// the very same keys).
//
// Thread-safety: free functions; safe to call concurrently.
#ifndef MAILROOM_BASE_CRYPTO_H_
#define MAILROOM_BASE_CRYPTO_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace mailroom::crypto {

// Raw 32-byte digests.
std::string Sha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);
// PBKDF2-HMAC-SHA256(password, salt, iterations), 32 bytes (SCRAM's
// SaltedPassword).
std::string Pbkdf2Sha256(std::string_view password, std::string_view salt,
                         uint32_t iterations);

}  // namespace mailroom::crypto

#endif  // MAILROOM_BASE_CRYPTO_H_
