// A blocking client connection to a remote mail server: TCP, optionally
// TLS from the start or after STARTTLS/STLS (OpenSSL), with buffered line
// and byte reads. The server's certificate chain and host name are verified
// against the system CAs (or a given CA file) unless `insecure`.
//
// Thread-safety: one thread per connection.
#ifndef MAILROOM_MIGRATE_CONNECTION_H_
#define MAILROOM_MIGRATE_CONNECTION_H_

#include <memory>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mailroom::migrate {

enum class TlsMode { kNone, kImplicit, kStartTls };

struct Endpoint {
  std::string host;
  int port = 0;
  TlsMode tls = TlsMode::kNone;
  std::string ca_file;    // PEM; empty: the system's CAs
  bool insecure = false;  // skip certificate and host name checks
  int timeout_seconds = 120;
};

class Connection {
 public:
  // Connects (and, for kImplicit, completes the TLS handshake).
  static absl::StatusOr<std::unique_ptr<Connection>> Open(
      const Endpoint& endpoint);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts TLS on the open connection (after the protocol's STARTTLS).
  // REQUIRES: nothing buffered beyond the server's answer to STARTTLS.
  absl::Status StartTls();

  absl::Status Write(absl::string_view data);
  // One line without its CRLF (or LF).
  absl::StatusOr<std::string> ReadLine();
  // Appends exactly `n` bytes to `*out`.
  absl::Status ReadBytes(size_t n, std::string* out);
  // Whether received bytes wait in the buffer.
  bool HasBuffered() const { return start_ < end_; }

 private:
  struct Tls;
  Connection(int fd, Endpoint endpoint);
  absl::Status Fill();  // reads more into the buffer; error at EOF
  int fd_;
  const Endpoint endpoint_;
  std::unique_ptr<Tls> tls_;
  std::string buffer_;
  size_t start_ = 0;
  size_t end_ = 0;
};

}  // namespace mailroom::migrate

#endif  // MAILROOM_MIGRATE_CONNECTION_H_
