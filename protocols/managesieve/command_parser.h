// ManageSieve (RFC 5804) command syntax: a command name, then arguments
// separated by single spaces. An argument is a string (quoted, or a literal
// "{n+}" / "{n}" followed by CRLF and n octets), a number, or an atom.
//
// The session reads a command line by line: a line ending in a literal
// marker (TrailingLiteral) is followed by the literal's octets and then by
// more of the command. It hands the parser the whole command as it came,
// lines joined with CRLF, the last line without its CRLF.
//
// Thread-safety: pure functions.
#ifndef MAILROOM_PROTOCOLS_MANAGESIEVE_COMMAND_PARSER_H_
#define MAILROOM_PROTOCOLS_MANAGESIEVE_COMMAND_PARSER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace mailroom::managesieve {

// RFC 5804 section 4: a quoted string holds at most 1024 octets.
inline constexpr size_t kMaxQuotedBytes = 1024;
// RFC 5804 section 4: number = 1*DIGIT below 4294967296.
inline constexpr uint64_t kMaxNumber = 4294967295u;

struct Argument {
  enum class Kind { kString, kNumber, kAtom };
  Kind kind = Kind::kAtom;
  std::string text;     // a string's octets, an atom, or a number's digits
  uint64_t number = 0;  // kNumber only
  bool is_string() const { return kind == Kind::kString; }
};

struct Command {
  std::string name;  // upper case
  std::vector<Argument> args;
};

// The size a line announces when it ends in "{n+}" or "{n}" (RFC 5804
// literal-c2s; the synchronizing form is taken the same way, since the
// protocol has no continuation request), or std::nullopt.
std::optional<uint64_t> TrailingLiteral(std::string_view line);

// Parses one whole command. kInvalidArgument with a user-safe message on a
// syntax error.
absl::StatusOr<Command> ParseCommand(std::string_view text);

// A client's SASL response during AUTHENTICATE: one string (RFC 5804
// section 2.1). std::nullopt when the client cancels with "*" (quoted or
// not); kInvalidArgument on anything else.
absl::StatusOr<std::optional<std::string>> ParseSaslResponse(
    std::string_view text);

}  // namespace mailroom::managesieve

#endif  // MAILROOM_PROTOCOLS_MANAGESIEVE_COMMAND_PARSER_H_
