// Writes mboxrd: each message after a "From MAILER-DAEMON <date>" line
// (asctime, UTC: the internal date), LF line ends, body lines matching
// ">*From " quoted with one more '>', a blank line after each message.
// MboxReader reads it back byte for byte (messages with CRLF line ends and
// a final line end).
//
// Thread-safety: not thread-safe.
#ifndef MAILROOM_MAILIO_MBOX_WRITER_H_
#define MAILROOM_MAILIO_MBOX_WRITER_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace mailroom::mailio {

// The "From " line for a message with this internal date (no line end).
std::string FormatFromLine(int64_t internal_date);

class MboxWriter {
 public:
  explicit MboxWriter(std::ostream* out) : out_(out) {}
  // `data` has CRLF line ends; `extra_headers` (LF line ends, e.g.
  // FormatMboxMetadata) go at the end of its header section.
  void Write(int64_t internal_date, std::string_view data,
             std::string_view extra_headers);

 private:
  std::ostream* out_;
  std::string buffer_;
};

}  // namespace mailroom::mailio

#endif  // MAILROOM_MAILIO_MBOX_WRITER_H_
