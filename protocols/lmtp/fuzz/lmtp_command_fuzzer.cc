// libFuzzer target: an LMTP client's side of a transaction. Each line goes
// through the command parser; MAIL FROM / RCPT TO arguments through the path,
// parameter and recipient parsers; DATA lines through the dot-unstuffing
// message buffer, as the session does with them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/lmtp/lmtp_command.h"
#include "protocols/lmtp/message_buffer.h"

namespace {

using namespace mailroom::lmtp;

void Check(bool ok) {
  if (!ok) abort();
}

void FuzzPath(std::string_view rest, std::string_view keyword) {
  absl::StatusOr<PathArgument> path = ParsePathArgument(rest, keyword);
  if (!path.ok()) return;
  for (const auto& [key, value] : path->params) Check(!key.empty());
  (void)ParseMailParams(path->params);
  absl::StatusOr<Recipient> recipient = SplitRecipient(path->address);
  if (recipient.ok()) {
    Check(!recipient->user.empty());
    (void)IsLocalDomain(recipient->domain, {"example.com", "EXAMPLE.org"});
  }
  (void)IsAscii(path->address);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  MessageBuffer small(64);
  MessageBuffer body(1 << 20);
  bool in_data = false;
  while (!input.empty()) {
    size_t end = input.find('\n');
    std::string_view line = input.substr(0, end);
    input.remove_prefix(end == std::string_view::npos ? input.size()
                                                      : end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (in_data) {
      if (line == ".") {
        in_data = false;
        continue;
      }
      small.AddDataLine(line);
      body.AddDataLine(line);
      continue;
    }
    const Command command = ParseCommand(line);
    if (command.verb == "MAIL") FuzzPath(command.rest, "FROM");
    if (command.verb == "RCPT") FuzzPath(command.rest, "TO");
    if (command.verb == "DATA") in_data = true;
    if (command.verb == "BDAT") body.AddBytes(command.rest);
    // Every line also as an argument, so mutations need not find the verb.
    FuzzPath(line, "FROM");
    FuzzPath(line, "TO");
    (void)SplitRecipient(line);
  }
  const uint64_t received = body.received();
  const std::string crlf = body.Take(true);
  Check(small.too_big() == (small.received() > 64));
  Check(small.too_big() ? small.Take(true).empty() : true);
  Check(crlf.size() >= received || body.too_big());
  (void)body.Take(false);
  return 0;
}
