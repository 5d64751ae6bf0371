// Framing of the admin socket (DATA_DIR/admin.sock). The client writes a
// request and half-closes; the daemon answers and closes.
//   request:  u32 argc, then per argument u32 length + bytes
//   response: u32 exit code, u32 length + stdout bytes, u32 length + stderr
// Integers are big-endian.
#ifndef MAILROOM_SERVER_ADMIN_ADMIN_PROTOCOL_H_
#define MAILROOM_SERVER_ADMIN_ADMIN_PROTOCOL_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace mailroom::server::admin {

inline constexpr char kAdminSocketName[] = "admin.sock";
inline constexpr size_t kMaxAdminRequestBytes = 1 << 20;

struct Response {
  int exit_code = 0;
  std::string out;
  std::string err;
};

std::string EncodeRequest(const std::vector<std::string>& args);
absl::StatusOr<std::vector<std::string>> DecodeRequest(std::string_view data);
std::string EncodeResponse(const Response& response);
absl::StatusOr<Response> DecodeResponse(std::string_view data);

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_ADMIN_PROTOCOL_H_
