#include "server/admin/admin_protocol.h"

#include <cstdint>
#include <utility>

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

namespace {

void PutU64(std::string* out, uint64_t v) {
  PutU32(out, static_cast<uint32_t>(v >> 32));
  PutU32(out, static_cast<uint32_t>(v));
}

bool GetU64(std::string_view* in, uint64_t* v) {
  uint32_t high = 0, low = 0;
  if (!GetU32(in, &high) || !GetU32(in, &low)) return false;
  *v = (uint64_t{high} << 32) | low;
  return true;
}

bool KnownType(char type) {
  return type == static_cast<char>(FrameType::kOut) ||
         type == static_cast<char>(FrameType::kErr) ||
         type == static_cast<char>(FrameType::kProgress) ||
         type == static_cast<char>(FrameType::kExit);
}

}  // namespace

std::string EncodeFrame(FrameType type, std::string_view payload) {
  std::string out;
  out.push_back(static_cast<char>(type));
  PutString(&out, payload);
  return out;
}

std::string EncodeProgressFrame(const ProgressUpdate& progress) {
  std::string payload;
  PutU64(&payload, progress.done);
  PutU64(&payload, progress.total);
  payload.append(progress.label);
  return EncodeFrame(FrameType::kProgress, payload);
}

std::string EncodeExitFrame(int exit_code) {
  std::string payload;
  PutU32(&payload, static_cast<uint32_t>(exit_code));
  return EncodeFrame(FrameType::kExit, payload);
}

std::optional<ProgressUpdate> DecodeProgress(std::string_view payload) {
  ProgressUpdate progress;
  if (!GetU64(&payload, &progress.done) || !GetU64(&payload, &progress.total)) {
    return std::nullopt;
  }
  progress.label.assign(payload);
  return progress;
}

std::optional<int> DecodeExit(std::string_view payload) {
  uint32_t code = 0;
  if (!GetU32(&payload, &code) || !payload.empty()) return std::nullopt;
  return static_cast<int>(code);
}

absl::StatusOr<std::optional<Frame>> FrameReader::Next() {
  if (buffer_.size() < 5) return std::optional<Frame>();
  if (!KnownType(buffer_[0])) {
    return absl::InvalidArgumentError("unknown admin frame type");
  }
  std::string_view rest(buffer_);
  rest.remove_prefix(1);
  uint32_t length = 0;
  GetU32(&rest, &length);
  if (length > kMaxAdminFrameBytes) {
    return absl::InvalidArgumentError("admin frame too long");
  }
  if (rest.size() < length) return std::optional<Frame>();
  Frame frame;
  frame.type = static_cast<FrameType>(buffer_[0]);
  frame.payload.assign(rest.substr(0, length));
  buffer_.erase(0, 5 + length);
  return std::optional<Frame>(std::move(frame));
}

}  // namespace mailroom::server::admin
