// How POP3 puts a stored message on the wire: every line end as CRLF (bare
// LF from imports becomes CRLF), a '.' doubled at the start of a line, and
// the ".CRLF" terminator. Sizes (STAT, LIST, the RETR status line) count the
// CRLF-normalised message without dot-stuffing, so they always equal what a
// client gets back after undoing the dot-stuffing.
//
// Only LF ends a line. The CR before it is part of the line end; a CR
// anywhere else is line content, except a CR that ends the message, which
// stands for the missing final line end.
//
// Thread-safety: free functions on values are safe to call concurrently; a
// MultilineWriter is not thread-safe.
#ifndef MAILROOM_PROTOCOLS_POP3_MESSAGE_LINES_H_
#define MAILROOM_PROTOCOLS_POP3_MESSAGE_LINES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"

namespace mailroom::pop3 {

// Octets of `raw` as a MultilineWriter sends it before dot-stuffing: every
// line end CRLF, and a final CRLF added when the message lacks one.
uint64_t WireSize(std::string_view raw);

// Puts a message on the wire in one pass over its bytes, which may come in
// chunks split anywhere (inside a line, between a CR and its LF). Runs of
// the input that need no change reach the sink as they are, as views of the
// caller's chunk: only the doubled dots, the CRLFs of bare LFs and the
// terminator are new bytes. A stored message with CRLF line ends and few
// lines starting with '.' goes out in a handful of sink calls.
class MultilineWriter {
 public:
  using Sink = absl::FunctionRef<void(std::string_view)>;

  // With `body_lines` set (TOP), only the header, the blank line after it
  // and that many lines of the body are sent. `sink` must outlive the
  // writer; each view it gets is valid only during the call.
  MultilineWriter(std::optional<uint64_t> body_lines, Sink sink)
      : sink_(sink),
        limited_(body_lines.has_value()),
        lines_left_(body_lines.value_or(0)) {}

  // The next bytes of the message.
  void Write(std::string_view chunk);
  // Ends the response: a CRLF when the message does not end in a line end,
  // then the ".CRLF" terminator. Nothing may be written afterwards.
  void Finish();

 private:
  // Called at the first byte of a line: false once TOP's count is reached.
  bool StartLine();
  void EndLine();

  Sink sink_;
  const bool limited_;
  uint64_t lines_left_;
  bool in_header_ = true;
  bool at_line_start_ = true;
  bool line_empty_ = true;  // no content on the current line yet
  bool pending_cr_ = false;  // the previous chunk ended in a CR held back
  bool stopped_ = false;     // TOP sent all it should
};

// Appends `raw` to `out` as the body of a multi-line response, terminator
// included (MultilineWriter over one chunk).
void AppendMultiline(std::string_view raw, std::optional<uint64_t> body_lines,
                     std::string* out);

}  // namespace mailroom::pop3

#endif  // MAILROOM_PROTOCOLS_POP3_MESSAGE_LINES_H_
