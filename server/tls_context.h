// Server TLS contexts (OpenSSL through asio::ssl): TLS 1.2 minimum,
// certificate chain and key from PEM files, reloadable (SIGHUP) so new
// connections get the new certificate while old ones keep theirs.
#ifndef MAILROOM_SERVER_TLS_CONTEXT_H_
#define MAILROOM_SERVER_TLS_CONTEXT_H_

#include <asio/ssl.hpp>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace mailroom::server {

// Builds one context from the files.
absl::StatusOr<std::shared_ptr<asio::ssl::context>> MakeServerTlsContext(
    const std::string& cert_file, const std::string& key_file);

// Thread-safe.
class TlsContextProvider {
 public:
  static absl::StatusOr<std::unique_ptr<TlsContextProvider>> Create(
      std::string cert_file, std::string key_file);

  // Re-reads the files; on failure the current context stays in use.
  absl::Status Reload();
  std::shared_ptr<asio::ssl::context> Current() const;

 private:
  TlsContextProvider(std::string cert_file, std::string key_file,
                     std::shared_ptr<asio::ssl::context> context);

  const std::string cert_file_;
  const std::string key_file_;
  mutable absl::Mutex mu_;
  std::shared_ptr<asio::ssl::context> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mailroom::server

#endif  // MAILROOM_SERVER_TLS_CONTEXT_H_
