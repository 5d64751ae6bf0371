// libFuzzer target: POP3 command lines as a client sends them, split into
// lines the way the session reads them, through the command parser and the
// number parser every message-number argument goes through.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocols/pop3/pop3_command.h"

namespace {

void Check(bool ok) {
  if (!ok) abort();
}

void FuzzLine(std::string_view line) {
  const mailroom::pop3::Command command = mailroom::pop3::ParseCommand(line);
  for (char c : command.verb) Check(!(c >= 'a' && c <= 'z'));
  Check(command.verb.size() <= line.size());
  Check(command.rest.size() < line.size() || command.rest.empty());
  for (const std::string& arg : command.args) {
    Check(!arg.empty() && arg.find(' ') == std::string::npos);
    const std::optional<uint32_t> n = mailroom::pop3::ParseNumber(arg);
    if (n.has_value()) {
      Check(*n <= 999999999u);
      Check(std::to_string(*n).size() <= arg.size());
    }
  }
  (void)mailroom::pop3::ParseNumber(command.rest);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  FuzzLine(input);
  while (!input.empty()) {
    size_t end = input.find('\n');
    std::string_view line = input.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    FuzzLine(line);
    if (end == std::string_view::npos) break;
    input.remove_prefix(end + 1);
  }
  return 0;
}
