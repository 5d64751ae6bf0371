// Log lines to stderr: "2026-01-02T03:04:05.678Z [session 12] text".
//
// Log text often carries what a client sent (user names, commands, mailbox
// names, addresses). The logger escapes every message at this one boundary,
// so a client can never start a line of its own or smuggle terminal control
// sequences into the log: see EscapeForLog.
#ifndef MAILROOM_SERVER_LOG_H_
#define MAILROOM_SERVER_LOG_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace mailroom::server {

// `text` made safe for one log line: CR, LF and tab become \r \n \t; the
// other C0 controls, DEL, C1 controls (U+0080..U+009F) and every byte that
// is not part of valid UTF-8 become \xNN (one per byte); a backslash becomes
// \\ so that escaped and literal text cannot be confused. Valid printable
// UTF-8 passes unchanged.
std::string EscapeForLog(std::string_view text);

// Thread-safe: lines from many threads never interleave.
class Logger {
 public:
  explicit Logger(std::ostream* out);

  // Both escape `message` (EscapeForLog) and end it with one newline.
  void Log(std::string_view message);
  void SessionLog(uint64_t session_id, std::string_view message);

 private:
  void Emit(std::string_view prefix, std::string_view message);

  absl::Mutex mu_;
  std::ostream* out_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mailroom::server

#endif  // MAILROOM_SERVER_LOG_H_
