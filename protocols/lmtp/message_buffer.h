// The message body an LMTP transaction collects from DATA lines or BDAT
// chunks, bounded: past the size limit it keeps counting but stores nothing,
// so an oversized message costs no memory while the client finishes sending.
//
// Thread-safety: not thread-safe.
#ifndef MAILROOM_PROTOCOLS_LMTP_MESSAGE_BUFFER_H_
#define MAILROOM_PROTOCOLS_LMTP_MESSAGE_BUFFER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mailroom::lmtp {

class MessageBuffer {
 public:
  explicit MessageBuffer(uint64_t limit) : limit_(limit) {}

  // One DATA line without its line end: removes the dot-stuffing (RFC 5321
  // 4.5.2) and stores it with CRLF.
  void AddDataLine(std::string_view line);
  // BDAT bytes, stored as sent.
  void AddBytes(std::string_view bytes);

  bool too_big() const { return received_ > limit_; }
  uint64_t received() const { return received_; }
  // The collected bytes; with `crlf`, bare LF (and a bare CR before it)
  // turned into CRLF. Empty when too_big().
  std::string Take(bool crlf);

 private:
  void Append(std::string_view bytes);

  uint64_t limit_;
  uint64_t received_ = 0;
  std::string data_;
};

// The trace fields prepended to a delivered message: Return-Path (RFC 5321
// 4.4), Delivered-To when there is exactly one recipient (so that one stored
// body serves every recipient), and a Received line.
struct TraceInfo {
  std::string reverse_path;                 // without brackets, may be empty
  std::optional<std::string> delivered_to;  // the single recipient
  std::string helo;                         // the client's LHLO name
  std::string peer;                         // the client's address
  std::string hostname;                     // ours
  std::string session_id;
  std::string date;                         // RFC 5322 date-time
};
std::string TraceHeaders(const TraceInfo& info);

}  // namespace mailroom::lmtp

#endif  // MAILROOM_PROTOCOLS_LMTP_MESSAGE_BUFFER_H_
