#include "server/admin/admin_protocol.h"

#include <cstdint>

#include "absl/status/status.h"

namespace mailroom::server::admin {
namespace {

void PutU32(std::string* out, uint32_t v) {
  out->push_back(static_cast<char>(v >> 24));
  out->push_back(static_cast<char>(v >> 16));
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v));
}

void PutString(std::string* out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}

// Reads from the front of `in`; false when too short.
bool GetU32(std::string_view* in, uint32_t* v) {
  if (in->size() < 4) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(in->data());
  *v = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
       (uint32_t{p[2]} << 8) | uint32_t{p[3]};
  in->remove_prefix(4);
  return true;
}

bool GetString(std::string_view* in, std::string* s) {
  uint32_t length = 0;
  if (!GetU32(in, &length) || in->size() < length) return false;
  s->assign(in->substr(0, length));
  in->remove_prefix(length);
  return true;
}

}  // namespace

std::string EncodeRequest(const std::vector<std::string>& args) {
  std::string out;
  PutU32(&out, static_cast<uint32_t>(args.size()));
  for (const std::string& arg : args) PutString(&out, arg);
  return out;
}

absl::StatusOr<std::vector<std::string>> DecodeRequest(std::string_view data) {
  uint32_t count = 0;
  if (!GetU32(&data, &count) || count > data.size()) {
    return absl::InvalidArgumentError("malformed admin request");
  }
  std::vector<std::string> args(count);
  for (std::string& arg : args) {
    if (!GetString(&data, &arg)) {
      return absl::InvalidArgumentError("malformed admin request");
    }
  }
  if (!data.empty()) return absl::InvalidArgumentError("trailing bytes");
  return args;
}

std::string EncodeResponse(const Response& response) {
  std::string out;
  PutU32(&out, static_cast<uint32_t>(response.exit_code));
  PutString(&out, response.out);
  PutString(&out, response.err);
  return out;
}

absl::StatusOr<Response> DecodeResponse(std::string_view data) {
  Response response;
  uint32_t code = 0;
  if (!GetU32(&data, &code) || !GetString(&data, &response.out) ||
      !GetString(&data, &response.err) || !data.empty()) {
    return absl::InvalidArgumentError("malformed admin response");
  }
  response.exit_code = static_cast<int>(code);
  return response;
}

}  // namespace mailroom::server::admin
