#include "migrate/connection.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace mailroom::migrate {
namespace {

constexpr size_t kBufferBytes = 256 << 10;

std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  if (code == 0) return "unknown TLS error";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  ERR_clear_error();
  return text;
}

}  // namespace

struct Connection::Tls {
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  ~Tls() {
    if (ssl != nullptr) SSL_free(ssl);
    if (ctx != nullptr) SSL_CTX_free(ctx);
  }
};

Connection::Connection(int fd, Endpoint endpoint)
    : fd_(fd), endpoint_(std::move(endpoint)) {
  buffer_.resize(kBufferBytes);
}

Connection::~Connection() {
  if (tls_ != nullptr && tls_->ssl != nullptr) SSL_shutdown(tls_->ssl);
  tls_.reset();
  close(fd_);
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(
    const Endpoint& endpoint) {
  addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = absl::StrCat(endpoint.port);
  const int rc = getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot resolve ", endpoint.host, ": ", gai_strerror(rc)));
  }
  int fd = -1;
  std::string last_error = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    timeval timeout = {endpoint.timeout_seconds, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
    last_error = strerror(errno);
    close(fd);
    fd = -1;
  }
  freeaddrinfo(found);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot connect to ", endpoint.host, ":", endpoint.port, ": ",
        last_error));
  }
  std::unique_ptr<Connection> connection(new Connection(fd, endpoint));
  if (endpoint.tls == TlsMode::kImplicit) {
    absl::Status status = connection->StartTls();
    if (!status.ok()) return status;
  }
  return connection;
}

absl::Status Connection::StartTls() {
  auto tls = std::make_unique<Tls>();
  tls->ctx = SSL_CTX_new(TLS_client_method());
  if (tls->ctx == nullptr) return absl::InternalError(OpenSslError());
  SSL_CTX_set_min_proto_version(tls->ctx, TLS1_2_VERSION);
  if (!endpoint_.insecure) {
    const int loaded =
        endpoint_.ca_file.empty()
            ? SSL_CTX_set_default_verify_paths(tls->ctx)
            : SSL_CTX_load_verify_locations(tls->ctx, endpoint_.ca_file.c_str(),
                                            nullptr);
    if (loaded != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot load CA certificates ",
          endpoint_.ca_file.empty() ? "(system)" : endpoint_.ca_file, ": ",
          OpenSslError()));
    }
    SSL_CTX_set_verify(tls->ctx, SSL_VERIFY_PEER, nullptr);
  }
  tls->ssl = SSL_new(tls->ctx);
  if (tls->ssl == nullptr) return absl::InternalError(OpenSslError());
  SSL_set_fd(tls->ssl, fd_);
  SSL_set_tlsext_host_name(tls->ssl, endpoint_.host.c_str());
  if (!endpoint_.insecure) {
    // An IP address is matched against the certificate's IP entries, a
    // name against its DNS names.
    X509_VERIFY_PARAM* param = SSL_get0_param(tls->ssl);
    if (X509_VERIFY_PARAM_set1_ip_asc(param, endpoint_.host.c_str()) != 1) {
      X509_VERIFY_PARAM_set_hostflags(param,
                                      X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      X509_VERIFY_PARAM_set1_host(param, endpoint_.host.c_str(), 0);
    }
  }
  if (SSL_connect(tls->ssl) != 1) {
    const long verify = SSL_get_verify_result(tls->ssl);
    if (verify != X509_V_OK) {
      return absl::FailedPreconditionError(absl::StrCat(
          "TLS: the certificate of ", endpoint_.host, " is not trusted: ",
          X509_verify_cert_error_string(verify),
          " (--ca_file=F names a private CA; --insecure skips the check)"));
    }
    return absl::UnavailableError(
        absl::StrCat("TLS handshake with ", endpoint_.host, " failed: ",
                     OpenSslError()));
  }
  tls_ = std::move(tls);
  return absl::OkStatus();
}

absl::Status Connection::Write(absl::string_view data) {
  while (!data.empty()) {
    ssize_t n;
    if (tls_ != nullptr) {
      n = SSL_write(tls_->ssl, data.data(), static_cast<int>(data.size()));
      if (n <= 0) return absl::UnavailableError("TLS write failed");
    } else {
      n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        return absl::UnavailableError(
            absl::StrCat("write to ", endpoint_.host, ": ", strerror(errno)));
      }
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status Connection::Fill() {
  if (start_ == end_) {
    start_ = end_ = 0;
  } else if (end_ == buffer_.size()) {
    if (start_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + start_, end_ - start_);
      end_ -= start_;
      start_ = 0;
    } else {
      buffer_.resize(buffer_.size() * 2);
    }
  }
  for (;;) {
    ssize_t n;
    if (tls_ != nullptr) {
      n = SSL_read(tls_->ssl, buffer_.data() + end_,
                   static_cast<int>(buffer_.size() - end_));
    } else {
      n = recv(fd_, buffer_.data() + end_, buffer_.size() - end_, 0);
      if (n < 0 && errno == EINTR) continue;
    }
    if (n > 0) {
      end_ += static_cast<size_t>(n);
      return absl::OkStatus();
    }
    if (n == 0) {
      return absl::UnavailableError(
          absl::StrCat(endpoint_.host, " closed the connection"));
    }
    return absl::UnavailableError(absl::StrCat(
        "read from ", endpoint_.host, " failed",
        errno == EAGAIN ? " (timeout)" : ""));
  }
}

absl::StatusOr<std::string> Connection::ReadLine() {
  size_t scanned = start_;
  for (;;) {
    const void* lf = std::memchr(buffer_.data() + scanned, '\n', end_ - scanned);
    if (lf != nullptr) {
      const size_t at = static_cast<const char*>(lf) - buffer_.data();
      size_t stop = at;
      if (stop > start_ && buffer_[stop - 1] == '\r') --stop;
      std::string line(buffer_.data() + start_, stop - start_);
      start_ = at + 1;
      return line;
    }
    const size_t offset = end_ - start_;
    absl::Status status = Fill();
    if (!status.ok()) return status;
    scanned = start_ + offset;
  }
}

absl::Status Connection::ReadBytes(size_t n, std::string* out) {
  out->reserve(out->size() + n);
  while (n > 0) {
    if (start_ == end_) {
      absl::Status status = Fill();
      if (!status.ok()) return status;
    }
    const size_t take = std::min(n, end_ - start_);
    out->append(buffer_.data() + start_, take);
    start_ += take;
    n -= take;
  }
  return absl::OkStatus();
}

}  // namespace mailroom::migrate
