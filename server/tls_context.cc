#include "server/tls_context.h"

#include <openssl/ssl.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace mailroom::server {
namespace {

absl::StatusOr<int> ProtocolVersion(const std::string& text) {
  if (text == "1.2" || text == "TLSv1.2") return TLS1_2_VERSION;
  if (text == "1.3" || text == "TLSv1.3") return TLS1_3_VERSION;
  return absl::InvalidArgumentError(absl::StrCat(
      "tls_min_version must be 1.2 or 1.3, not '", text, "'"));
}

// Applies the version floor and the cipher choices to `native`.
absl::Status ApplyTlsPolicy(const TlsPolicy& policy, SSL_CTX* native) {
  absl::StatusOr<int> min_version = ProtocolVersion(policy.min_version);
  if (!min_version.ok()) return min_version.status();
  if (SSL_CTX_set_min_proto_version(native, *min_version) != 1) {
    return absl::InvalidArgumentError("tls_min_version: not supported");
  }
  if (SSL_CTX_set_cipher_list(native, policy.ciphers.c_str()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tls_ciphers '", policy.ciphers, "' names no usable cipher"));
  }
  if (SSL_CTX_set_ciphersuites(native, policy.ciphersuites.c_str()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tls_ciphersuites '", policy.ciphersuites,
        "' names no usable TLS 1.3 suite"));
  }
  // DHE suites need parameters: OpenSSL's built-in groups sized to the key.
  SSL_CTX_set_dh_auto(native, 1);
  // The server's order (strong, fast suites first), not the client's.
  SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE);
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckTlsPolicy(const TlsPolicy& policy) {
  SSL_CTX* scratch = SSL_CTX_new(TLS_server_method());
  if (scratch == nullptr) return absl::InternalError("SSL_CTX_new failed");
  absl::Status status = ApplyTlsPolicy(policy, scratch);
  SSL_CTX_free(scratch);
  return status;
}

absl::StatusOr<std::shared_ptr<asio::ssl::context>> MakeServerTlsContext(
    const std::string& cert_file, const std::string& key_file,
    const TlsPolicy& policy) {
  auto context =
      std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  asio::error_code ec;
  context->set_options(asio::ssl::context::default_workarounds |
                           asio::ssl::context::no_sslv2 |
                           asio::ssl::context::no_sslv3 |
                           asio::ssl::context::no_tlsv1 |
                           asio::ssl::context::no_tlsv1_1 |
                           asio::ssl::context::single_dh_use,
                       ec);
  SSL_CTX* native = context->native_handle();
  absl::Status applied = ApplyTlsPolicy(policy, native);
  if (!applied.ok()) return applied;
  // Idle connections should not pin 16 KiB record buffers each.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  context->use_certificate_chain_file(cert_file, ec);
  if (ec) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot load TLS certificate ", cert_file, ": ", ec.message()));
  }
  context->use_private_key_file(key_file, asio::ssl::context::pem, ec);
  if (ec) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot load TLS key ", key_file, ": ", ec.message()));
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TLS key ", key_file, " does not match certificate ", cert_file));
  }
  return context;
}

TlsContextProvider::TlsContextProvider(
    std::string cert_file, std::string key_file, TlsPolicy policy,
    std::shared_ptr<asio::ssl::context> context)
    : cert_file_(std::move(cert_file)),
      key_file_(std::move(key_file)),
      policy_(std::move(policy)),
      current_(std::move(context)) {}

absl::StatusOr<std::unique_ptr<TlsContextProvider>> TlsContextProvider::Create(
    std::string cert_file, std::string key_file, TlsPolicy policy) {
  absl::StatusOr<std::shared_ptr<asio::ssl::context>> context =
      MakeServerTlsContext(cert_file, key_file, policy);
  if (!context.ok()) return context.status();
  return std::unique_ptr<TlsContextProvider>(new TlsContextProvider(
      std::move(cert_file), std::move(key_file), std::move(policy),
      *std::move(context)));
}

absl::Status TlsContextProvider::Reload() {
  absl::StatusOr<std::shared_ptr<asio::ssl::context>> context =
      MakeServerTlsContext(cert_file_, key_file_, policy_);
  if (!context.ok()) return context.status();
  absl::MutexLock lock(&mu_);
  current_ = *std::move(context);
  return absl::OkStatus();
}

std::shared_ptr<asio::ssl::context> TlsContextProvider::Current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

}  // namespace mailroom::server
