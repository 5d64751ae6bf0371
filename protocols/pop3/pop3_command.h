// POP3 command lines (RFC 1939 section 3): a case-insensitive keyword, then
// arguments separated by single spaces.
//
// Thread-safety: free functions on values; safe to call concurrently.
#ifndef MAILROOM_PROTOCOLS_POP3_POP3_COMMAND_H_
#define MAILROOM_PROTOCOLS_POP3_POP3_COMMAND_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailroom::pop3 {

struct Command {
  std::string verb;  // upper case
  // Everything after the first space, untouched: PASS takes it whole,
  // since a password may contain spaces.
  std::string rest;
  // `rest` split on runs of spaces.
  std::vector<std::string> args;
};

Command ParseCommand(std::string_view line);

// A message number or line count: decimal digits only, at most 9 of them
// (so it always fits). std::nullopt otherwise.
std::optional<uint32_t> ParseNumber(std::string_view text);

}  // namespace mailroom::pop3

#endif  // MAILROOM_PROTOCOLS_POP3_POP3_COMMAND_H_
