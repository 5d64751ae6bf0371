#include "server/log.h"

#include <string>

#include "server/absl_view.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace mailroom::server {

Logger::Logger(std::ostream* out) : out_(out) {}

void Logger::Log(std::string_view message) { Emit("", message); }

void Logger::SessionLog(uint64_t session_id, std::string_view message) {
  Emit(absl::StrCat("[session ", session_id, "] "), message);
}

void Logger::Emit(std::string_view prefix, std::string_view message) {
  std::string line = absl::StrCat(
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
      " ", Av(prefix), Av(message), "\n");
  absl::MutexLock lock(&mu_);
  out_->write(line.data(), static_cast<std::streamsize>(line.size()));
  out_->flush();
}

}  // namespace mailroom::server
