#include "store/internal/password.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "absl/strings/escaping.h"
#include "absl/status/status.h"

namespace mailroom::store::internal {

absl::Status HashPassword(std::string_view password, uint32_t iterations,
                          UserRecord* record) {
  if (iterations == 0) return absl::InvalidArgumentError("zero iterations");
  std::string salt(16, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()),
                 static_cast<int>(salt.size())) != 1) {
    return absl::UnavailableError("no randomness for a password salt");
  }
  std::string salted = SaltedPassword(password, salt, iterations);
  record->salt = salt;
  record->iterations = iterations;
  record->stored_key = Sha256(HmacSha256(salted, "Client Key"));
  record->server_key = HmacSha256(salted, "Server Key");
  return absl::OkStatus();
}

bool VerifyPassword(std::string_view password, const UserRecord& record) {
  std::string salted =
      SaltedPassword(password, record.salt, record.iterations);
  std::string stored = Sha256(HmacSha256(salted, "Client Key"));
  return stored.size() == record.stored_key.size() &&
         CRYPTO_memcmp(stored.data(), record.stored_key.data(),
                       stored.size()) == 0;
}

std::string HexEncode(std::string_view raw) {
  return absl::BytesToHexString(absl::string_view(raw.data(), raw.size()));
}

bool HexDecode(std::string_view hex, std::string* raw) {
  if (hex.size() % 2 != 0) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  raw->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    raw->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

}  // namespace mailroom::store::internal
