#include "server/tls_context.h"

#include <openssl/ssl.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace mailroom::server {

absl::StatusOr<std::shared_ptr<asio::ssl::context>> MakeServerTlsContext(
    const std::string& cert_file, const std::string& key_file) {
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
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
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
    std::string cert_file, std::string key_file,
    std::shared_ptr<asio::ssl::context> context)
    : cert_file_(std::move(cert_file)),
      key_file_(std::move(key_file)),
      current_(std::move(context)) {}

absl::StatusOr<std::unique_ptr<TlsContextProvider>> TlsContextProvider::Create(
    std::string cert_file, std::string key_file) {
  absl::StatusOr<std::shared_ptr<asio::ssl::context>> context =
      MakeServerTlsContext(cert_file, key_file);
  if (!context.ok()) return context.status();
  return std::unique_ptr<TlsContextProvider>(new TlsContextProvider(
      std::move(cert_file), std::move(key_file), *std::move(context)));
}

absl::Status TlsContextProvider::Reload() {
  absl::StatusOr<std::shared_ptr<asio::ssl::context>> context =
      MakeServerTlsContext(cert_file_, key_file_);
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
