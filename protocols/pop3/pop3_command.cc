#include "protocols/pop3/pop3_command.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace mailroom::pop3 {

Command ParseCommand(std::string_view line) {
  Command command;
  size_t space = line.find(' ');
  command.verb = absl::AsciiStrToUpper(std::string(line.substr(0, space)));
  if (space != std::string_view::npos) {
    command.rest = std::string(line.substr(space + 1));
    command.args =
        absl::StrSplit(command.rest, ' ', absl::SkipEmpty());
  }
  return command;
}

std::optional<uint32_t> ParseNumber(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  uint32_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  return value;
}

}  // namespace mailroom::pop3
