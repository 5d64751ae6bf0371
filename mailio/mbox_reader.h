// Reads an mbox file (mboxo or mboxrd): a line starting with "From " starts
// a message; ">From ", ">>From ", ... in the body lose one ">"; the date
// of the "From " line becomes the internal date. Line ends become CRLF.
#ifndef MAILROOM_MAILIO_MBOX_READER_H_
#define MAILROOM_MAILIO_MBOX_READER_H_

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>

namespace mailroom::mailio {

struct MboxMessage {
  std::string data;                     // CRLF line ends
  std::optional<int64_t> internal_date;  // from the "From " line
};

// Not thread-safe.
class MboxReader {
 public:
  explicit MboxReader(std::istream* in) : in_(in) {}
  // The next message, or std::nullopt at the end.
  std::optional<MboxMessage> Next();

 private:
  std::istream* in_;
  std::optional<std::string> pending_from_;  // a "From " line already read
};

// Parses the date part of a "From sender date" line (asctime format,
// "Sat Jan  3 01:05:34 1996", optionally with a numeric zone); seconds
// since the epoch.
std::optional<int64_t> ParseFromLineDate(std::string_view from_line);

}  // namespace mailroom::mailio

#endif  // MAILROOM_MAILIO_MBOX_READER_H_
