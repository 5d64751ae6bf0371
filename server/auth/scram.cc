#include "server/auth/scram.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <vector>

#include "absl/status/status.h"
#include "server/absl_view.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mailroom::server::auth {
namespace {

absl::Status Malformed() {
  return absl::InvalidArgumentError("malformed SCRAM message");
}

// saslname: "=2C" is ',' and "=3D" is '='; any other '=' is invalid.
absl::StatusOr<std::string> DecodeSaslName(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '=') {
      out.push_back(s[i]);
    } else if (s.substr(i, 3) == "=2C") {
      out.push_back(',');
      i += 2;
    } else if (s.substr(i, 3) == "=3D") {
      out.push_back('=');
      i += 2;
    } else {
      return Malformed();
    }
  }
  return out;
}

std::string XorBytes(std::string_view a, std::string_view b) {
  std::string out(a);
  for (size_t i = 0; i < out.size() && i < b.size(); ++i) out[i] ^= b[i];
  return out;
}

}  // namespace

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(out.data()),
             static_cast<int>(n));
  return out;
}

store::ScramCredentials DeriveScramCredentials(std::string_view password,
                                               std::string_view salt,
                                               uint32_t iterations) {
  const std::string salted = Pbkdf2Sha256(password, salt, iterations);
  store::ScramCredentials c;
  c.salt = std::string(salt);
  c.iterations = iterations;
  c.stored_key = Sha256(HmacSha256(salted, "Client Key"));
  c.server_key = HmacSha256(salted, "Server Key");
  return c;
}

std::string MakeServerNonce() { return absl::Base64Escape(RandomBytes(18)); }

absl::StatusOr<std::string> ScramServer::ReceiveClientFirst(
    std::string_view message) {
  // gs2-header: cbind-flag "," [authzid] ","
  const size_t first_comma = message.find(',');
  if (first_comma == std::string_view::npos) return Malformed();
  const std::string_view flag = message.substr(0, first_comma);
  if (flag != "n" && flag != "y") {
    // "p=..." asks for channel binding, which is not offered.
    return absl::InvalidArgumentError("channel binding is not supported");
  }
  const size_t second_comma = message.find(',', first_comma + 1);
  if (second_comma == std::string_view::npos) return Malformed();
  const std::string_view authzid_field =
      message.substr(first_comma + 1, second_comma - first_comma - 1);
  gs2_header_ = std::string(message.substr(0, second_comma + 1));
  client_first_bare_ = std::string(message.substr(second_comma + 1));

  std::vector<absl::string_view> fields =
      absl::StrSplit(client_first_bare_, ',');
  if (fields.size() < 2 || !absl::StartsWith(fields[0], "n=") ||
      !absl::StartsWith(fields[1], "r=")) {
    // Also rejects the reserved "m=" extension, as RFC 5802 requires.
    return Malformed();
  }
  absl::StatusOr<std::string> user = DecodeSaslName(Sv(fields[0].substr(2)));
  if (!user.ok()) return user.status();
  client_nonce_ = std::string(fields[1].substr(2));
  if (user->empty() || client_nonce_.empty()) return Malformed();
  if (!authzid_field.empty()) {
    if (!absl::StartsWith(Av(authzid_field), "a=")) return Malformed();
    absl::StatusOr<std::string> authzid =
        DecodeSaslName(authzid_field.substr(2));
    if (!authzid.ok()) return authzid.status();
    if (!absl::EqualsIgnoreCase(*authzid, *user)) {
      return absl::PermissionDeniedError("authorization identity not allowed");
    }
  }
  user_ = *std::move(user);
  return user_;
}

std::string ScramServer::MakeServerFirst(
    const store::ScramCredentials& credentials, std::string server_nonce) {
  credentials_ = credentials;
  nonce_ = absl::StrCat(client_nonce_, server_nonce);
  server_first_ = absl::StrCat("r=", nonce_, ",s=",
                               absl::Base64Escape(credentials.salt),
                               ",i=", credentials.iterations);
  return server_first_;
}

absl::StatusOr<std::string> ScramServer::ReceiveClientFinal(
    std::string_view message) {
  const size_t proof_at = message.rfind(",p=");
  if (proof_at == std::string_view::npos) return Malformed();
  const std::string_view without_proof = message.substr(0, proof_at);
  std::string proof;
  if (!absl::Base64Unescape(Av(message.substr(proof_at + 3)), &proof) ||
      proof.size() != 32) {
    return Malformed();
  }
  std::vector<absl::string_view> fields =
      absl::StrSplit(Av(without_proof), ',');
  if (fields.size() < 2 || !absl::StartsWith(fields[0], "c=") ||
      !absl::StartsWith(fields[1], "r=")) {
    return Malformed();
  }
  std::string binding;
  if (!absl::Base64Unescape(fields[0].substr(2), &binding) ||
      binding != gs2_header_) {
    return absl::PermissionDeniedError("channel binding mismatch");
  }
  if (fields[1].substr(2) != nonce_) {
    return absl::PermissionDeniedError("nonce mismatch");
  }
  const std::string auth_message =
      absl::StrCat(client_first_bare_, ",", server_first_, ",", Av(without_proof));
  const std::string client_signature =
      HmacSha256(credentials_.stored_key, auth_message);
  const std::string client_key = XorBytes(proof, client_signature);
  const std::string stored_key = Sha256(client_key);
  if (stored_key.size() != credentials_.stored_key.size() ||
      CRYPTO_memcmp(stored_key.data(), credentials_.stored_key.data(),
                    stored_key.size()) != 0) {
    return absl::PermissionDeniedError("invalid proof");
  }
  return absl::StrCat(
      "v=", absl::Base64Escape(HmacSha256(credentials_.server_key,
                                          auth_message)));
}

}  // namespace mailroom::server::auth
