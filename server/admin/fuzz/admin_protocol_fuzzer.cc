// libFuzzer target: the admin socket's framing, both directions. The
// daemon decodes whatever a local client writes as a request; the client
// cuts frames out of what the daemon streams back, fed in pieces of the
// sizes the first input byte chooses. What decodes must encode back to the
// same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/admin/admin_protocol.h"

namespace {

using namespace mailroom::server::admin;

void Check(bool ok) {
  if (!ok) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.size() <= kMaxAdminRequestBytes) {
    absl::StatusOr<std::vector<std::string>> args = DecodeRequest(input);
    if (args.ok()) Check(EncodeRequest(*args) == input);
  }

  const size_t piece = size == 0 ? 1 : 1 + data[0] % 16;
  FrameReader reader;
  std::string_view rest = input;
  bool failed = false;
  while (!rest.empty() && !failed) {
    const std::string_view chunk = rest.substr(0, piece);
    rest.remove_prefix(chunk.size());
    reader.Feed(chunk);
    while (true) {
      absl::StatusOr<std::optional<Frame>> frame = reader.Next();
      if (!frame.ok()) {
        failed = true;
        break;
      }
      if (!frame->has_value()) break;
      const Frame& f = **frame;
      Check(f.payload.size() <= kMaxAdminFrameBytes);
      switch (f.type) {
        case FrameType::kProgress:
          if (std::optional<ProgressUpdate> p = DecodeProgress(f.payload)) {
            Check(EncodeProgressFrame(*p) ==
                  EncodeFrame(FrameType::kProgress, f.payload));
          }
          break;
        case FrameType::kExit:
          if (std::optional<int> code = DecodeExit(f.payload)) {
            Check(EncodeExitFrame(*code) ==
                  EncodeFrame(FrameType::kExit, f.payload));
          }
          break;
        case FrameType::kOut:
        case FrameType::kErr:
          break;
        default:
          Check(false);  // Next() lets only known types through.
      }
    }
  }
  return 0;
}
