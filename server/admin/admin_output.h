// The channels an admin command talks through, kept apart from the commands
// so that the daemon's network side can provide them: where output and
// progress go, and the daemon's live sessions (who, kick).
#ifndef MAILROOM_SERVER_ADMIN_ADMIN_OUTPUT_H_
#define MAILROOM_SERVER_ADMIN_ADMIN_OUTPUT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/admin/admin_protocol.h"

namespace mailroom::server::admin {

// Where a command's output goes: the terminal (mailroomctl without a daemon)
// or frames on the admin socket (the daemon). Thread-safe.
class AdminOutput {
 public:
  virtual ~AdminOutput() = default;
  virtual void Out(std::string_view text) = 0;
  virtual void Err(std::string_view text) = 0;
  virtual void Progress(const ProgressUpdate& progress) = 0;
  // True once the caller has gone (its connection closed): long commands
  // stop at their next safe point.
  virtual bool Cancelled() const { return false; }
};

// One live protocol session of the daemon (who, kick).
struct SessionInfo {
  uint64_t id = 0;
  std::string user;      // empty before login
  std::string protocol;  // plugin name: "imap", "pop3", "lmtp"
  std::string remote;    // peer address
  int64_t started_unix = 0;
};

// The daemon's sessions; absent when mailroomctl runs without a daemon.
// Thread-safe.
class SessionDirectory {
 public:
  virtual ~SessionDirectory() = default;
  virtual std::vector<SessionInfo> List() = 0;
  // Closes every session of `user`; returns how many.
  virtual size_t Kick(std::string_view user) = 0;
};

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_ADMIN_OUTPUT_H_
