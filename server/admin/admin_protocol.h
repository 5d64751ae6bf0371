// Framing of the admin socket (DATA_DIR/admin.sock). The client writes a
// request and half-closes; the daemon streams frames while the command runs
// (output as it is written, progress as work advances) and ends with an exit
// frame, then closes.
//   request:  u32 argc, then per argument u32 length + bytes
//   frame:    u8 type, u32 length, payload
//     'o' stdout bytes   'e' stderr bytes
//     'p' progress: u64 done, u64 total, then the label
//     'x' exit: u32 exit code (the last frame)
// Integers are big-endian.
#ifndef MAILROOM_SERVER_ADMIN_ADMIN_PROTOCOL_H_
#define MAILROOM_SERVER_ADMIN_ADMIN_PROTOCOL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace mailroom::server::admin {

inline constexpr char kAdminSocketName[] = "admin.sock";
inline constexpr size_t kMaxAdminRequestBytes = 1 << 20;
// A frame longer than this is a protocol error (output is sent in pieces).
inline constexpr size_t kMaxAdminFrameBytes = 16 << 20;

std::string EncodeRequest(const std::vector<std::string>& args);
absl::StatusOr<std::vector<std::string>> DecodeRequest(std::string_view data);

enum class FrameType : char {
  kOut = 'o',
  kErr = 'e',
  kProgress = 'p',
  kExit = 'x',
};

// How far a long command has come; `total` 0 means unknown.
struct ProgressUpdate {
  std::string label;
  uint64_t done = 0;
  uint64_t total = 0;
};

struct Frame {
  FrameType type = FrameType::kOut;
  std::string payload;  // kOut/kErr text; decode others with the helpers
};

std::string EncodeFrame(FrameType type, std::string_view payload);
std::string EncodeProgressFrame(const ProgressUpdate& progress);
std::string EncodeExitFrame(int exit_code);
std::optional<ProgressUpdate> DecodeProgress(std::string_view payload);
std::optional<int> DecodeExit(std::string_view payload);

// Cuts frames out of a byte stream that arrives in pieces.
class FrameReader {
 public:
  void Feed(std::string_view bytes) { buffer_.append(bytes); }
  // The next complete frame, std::nullopt when more bytes are needed;
  // kInvalidArgument on a malformed stream.
  absl::StatusOr<std::optional<Frame>> Next();
  bool empty() const { return buffer_.empty(); }

 private:
  std::string buffer_;
};

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_ADMIN_PROTOCOL_H_
