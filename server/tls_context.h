// Server TLS contexts (OpenSSL through asio::ssl): TLS 1.2 minimum and
// forward-secret AEAD cipher suites only (a policy the administrator may
// change), certificate chain and key from PEM files, reloadable (SIGHUP) so
// new connections get the new certificate while old ones keep theirs.
#ifndef MAILROOM_SERVER_TLS_CONTEXT_H_
#define MAILROOM_SERVER_TLS_CONTEXT_H_

#include <asio/ssl.hpp>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace mailroom::server {

// TLS 1.2: ECDHE or DHE key exchange with AES-GCM or ChaCha20-Poly1305 only,
// i.e. forward secrecy and AEAD: no static RSA key exchange, no CBC, no SHA-1
// MACs. An OpenSSL cipher list.
inline constexpr char kDefaultTlsCiphers[] =
    "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!aNULL:!eNULL:!PSK";
// TLS 1.3: all of its suites are forward-secret AEAD; AES-GCM first (fast
// with AES-NI), ChaCha20 for the clients without it.
inline constexpr char kDefaultTlsCiphersuites[] =
    "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:"
    "TLS_CHACHA20_POLY1305_SHA256";

struct TlsPolicy {
  std::string ciphers = kDefaultTlsCiphers;            // TLS <= 1.2
  std::string ciphersuites = kDefaultTlsCiphersuites;  // TLS 1.3
  // "1.2" or "1.3". Older versions are not offered: OpenSSL 3 refuses them
  // at its default security level anyway. The newest version both sides
  // speak is chosen, so TLS 1.3 wins whenever the client has it.
  std::string min_version = "1.2";
};

// kInvalidArgument naming the bad setting (tls_min_version, tls_ciphers,
// tls_ciphersuites) when OpenSSL cannot use `policy`.
absl::Status CheckTlsPolicy(const TlsPolicy& policy);

// Builds one context from the files under `policy`.
absl::StatusOr<std::shared_ptr<asio::ssl::context>> MakeServerTlsContext(
    const std::string& cert_file, const std::string& key_file,
    const TlsPolicy& policy = {});

// Thread-safe.
class TlsContextProvider {
 public:
  static absl::StatusOr<std::unique_ptr<TlsContextProvider>> Create(
      std::string cert_file, std::string key_file, TlsPolicy policy = {});

  // Re-reads the files; on failure the current context stays in use.
  absl::Status Reload();
  std::shared_ptr<asio::ssl::context> Current() const;

 private:
  TlsContextProvider(std::string cert_file, std::string key_file,
                     TlsPolicy policy,
                     std::shared_ptr<asio::ssl::context> context);

  const std::string cert_file_;
  const std::string key_file_;
  const TlsPolicy policy_;
  mutable absl::Mutex mu_;
  std::shared_ptr<asio::ssl::context> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mailroom::server

#endif  // MAILROOM_SERVER_TLS_CONTEXT_H_
