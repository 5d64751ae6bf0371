// Log lines to stderr: "2026-01-02T03:04:05.678Z [session 12] text".
#ifndef MAILROOM_SERVER_LOG_H_
#define MAILROOM_SERVER_LOG_H_

#include <cstdint>
#include <ostream>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace mailroom::server {

// Thread-safe: lines from many threads never interleave.
class Logger {
 public:
  explicit Logger(std::ostream* out);

  void Log(std::string_view message);
  void SessionLog(uint64_t session_id, std::string_view message);

 private:
  void Emit(std::string_view prefix, std::string_view message);

  absl::Mutex mu_;
  std::ostream* out_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mailroom::server

#endif  // MAILROOM_SERVER_LOG_H_
