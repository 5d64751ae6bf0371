#include "server/log.h"

#include <string>

#include "base/utf8.h"
#include "server/absl_view.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace mailroom::server {
namespace {

void AppendHexByte(unsigned char c, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->append("\\x");
  out->push_back(kHex[c >> 4]);
  out->push_back(kHex[c & 0xf]);
}

bool NeedsEscaping(std::string_view text) {
  for (char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f || c == '\\') return true;
  }
  return false;
}

}  // namespace

std::string EscapeForLog(std::string_view text) {
  if (!NeedsEscaping(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 16);
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      uint32_t cp = 0;
      const size_t length = base::Utf8SequenceLength(text.substr(i), &cp);
      if (length == 0 || cp < 0xa0) {
        // Not UTF-8, or a C1 control (some terminals act on those too).
        const size_t bytes = length == 0 ? 1 : length;
        for (size_t k = 0; k < bytes; ++k) {
          AppendHexByte(static_cast<unsigned char>(text[i + k]), &out);
        }
        i += bytes;
      } else {
        out.append(text.substr(i, length));
        i += length;
      }
      continue;
    }
    switch (c) {
      case '\r':
        out.append("\\r");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\\':
        out.append("\\\\");
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          AppendHexByte(c, &out);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  return out;
}

Logger::Logger(std::ostream* out) : out_(out) {}

void Logger::Log(std::string_view message) { Emit("", message); }

void Logger::SessionLog(uint64_t session_id, std::string_view message) {
  Emit(absl::StrCat("[session ", session_id, "] "), message);
}

void Logger::Emit(std::string_view prefix, std::string_view message) {
  std::string line = absl::StrCat(
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
      " ", Av(prefix), EscapeForLog(message), "\n");
  absl::MutexLock lock(&mu_);
  out_->write(line.data(), static_cast<std::streamsize>(line.size()));
  out_->flush();
}

}  // namespace mailroom::server
