// A blocking IMAP4rev1/IMAP4rev2 client with just what a migration needs:
// log in (optionally after STARTTLS), read capabilities, send commands
// (several may be in flight: pipelining) and read their responses, with
// literals.
//
// Thread-safety: one thread per client.
#ifndef MAILROOM_MIGRATE_IMAP_CLIENT_H_
#define MAILROOM_MIGRATE_IMAP_CLIENT_H_

#include <functional>
#include <memory>
#include <set>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "migrate/connection.h"
#include "migrate/imap_response.h"

namespace mailroom::migrate {

class ImapClient {
 public:
  // Connects, reads the greeting, does STARTTLS when asked (refusing to go
  // on in clear text if the server cannot) and logs in.
  static absl::StatusOr<std::unique_ptr<ImapClient>> Login(
      const Endpoint& endpoint, absl::string_view user,
      absl::string_view password);

  bool HasCapability(absl::string_view name) const;  // upper case

  // Sends "TAG command\r\n"; returns the tag. `command` may hold
  // non-synchronising literals ({n+}) only if the server has LITERAL+.
  absl::StatusOr<std::string> Send(absl::string_view command);
  // Reads responses until the tagged one for `tag`, giving each untagged
  // response to `on_untagged`; an error for NO/BAD.
  absl::Status Wait(const std::string& tag,
                    const std::function<absl::Status(ImapResponse&)>&
                        on_untagged = nullptr);
  // Send + Wait.
  absl::Status Run(absl::string_view command,
                   const std::function<absl::Status(ImapResponse&)>&
                       on_untagged = nullptr);

  // `s` as an IMAP string argument: quoted, or a literal when needed.
  std::string Astring(absl::string_view s) const;

  void Logout();  // best effort

 private:
  explicit ImapClient(std::unique_ptr<Connection> connection)
      : connection_(std::move(connection)) {}
  absl::StatusOr<ImapResponse> Read();
  absl::Status RefreshCapabilities();
  void NoteCapabilities(const ImapResponse& r);

  std::unique_ptr<Connection> connection_;
  std::set<std::string> capabilities_;
  uint64_t next_tag_ = 1;
};

}  // namespace mailroom::migrate

#endif  // MAILROOM_MIGRATE_IMAP_CLIENT_H_
