// libFuzzer target: ManageSieve commands as the session assembles them
// (lines and literals), through the command and SASL response parsers, the
// literal-marker scan, and back out through the string encoder.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocols/managesieve/command_parser.h"
#include "protocols/managesieve/response.h"

namespace {

using mailroom::managesieve::Argument;

void Check(bool ok) {
  if (!ok) abort();
}

void FuzzCommand(std::string_view text) {
  absl::StatusOr<mailroom::managesieve::Command> command =
      mailroom::managesieve::ParseCommand(text);
  if (command.ok()) {
    Check(!command->name.empty());
    for (char c : command->name) Check(!(c >= 'a' && c <= 'z'));
    for (const Argument& arg : command->args) {
      Check(arg.text.size() <= text.size());
      if (arg.kind == Argument::Kind::kNumber) {
        Check(arg.number <= mailroom::managesieve::kMaxNumber);
      }
      // Whatever was parsed encodes to something that parses back the same.
      if (arg.is_string()) {
        absl::StatusOr<mailroom::managesieve::Command> again =
            mailroom::managesieve::ParseCommand(
                "X " + mailroom::managesieve::EncodeString(arg.text));
        Check(again.ok() && again->args.size() == 1 &&
              again->args[0].text == arg.text);
      }
    }
  }
  (void)mailroom::managesieve::ParseSaslResponse(text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  FuzzCommand(input);
  // Line by line, as the session reads: a line announcing a literal is
  // joined with what follows it.
  size_t start = 0;
  while (start < input.size()) {
    size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    std::string_view line = input.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::optional<uint64_t> literal =
        mailroom::managesieve::TrailingLiteral(line);
    if (literal.has_value()) {
      Check(*literal <= mailroom::managesieve::kMaxNumber);
      FuzzCommand(input.substr(start));
    } else {
      FuzzCommand(line);
    }
    start = end + 1;
  }
  return 0;
}
