// A blocking POP3 client (RFC 1939, STLS from RFC 2595, UIDL): log in,
// list the maildrop, retrieve and delete messages.
//
// Thread-safety: one thread per client.
#ifndef MAILROOM_MIGRATE_POP3_CLIENT_H_
#define MAILROOM_MIGRATE_POP3_CLIENT_H_

#include <memory>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "migrate/connection.h"

namespace mailroom::migrate {

struct Pop3Entry {
  int number = 0;      // message number in this session
  std::string uidl;    // unique id (UIDL)
  uint64_t size = 0;   // octets (LIST)
};

class Pop3Client {
 public:
  static absl::StatusOr<std::unique_ptr<Pop3Client>> Login(
      const Endpoint& endpoint, absl::string_view user,
      absl::string_view password);

  // The maildrop: UIDL joined with LIST.
  absl::StatusOr<std::vector<Pop3Entry>> List();
  // The message as the server holds it (dot-unstuffed, CRLF line ends).
  absl::StatusOr<std::string> Retrieve(int number);
  absl::Status Delete(int number);
  // Ends the session; deletions take effect only here.
  absl::Status Quit();

 private:
  explicit Pop3Client(std::unique_ptr<Connection> connection)
      : connection_(std::move(connection)) {}
  absl::StatusOr<std::string> Command(absl::string_view line);  // +OK text
  absl::StatusOr<std::vector<std::string>> MultiLine(absl::string_view line);

  std::unique_ptr<Connection> connection_;
};

}  // namespace mailroom::migrate

#endif  // MAILROOM_MIGRATE_POP3_CLIENT_H_
