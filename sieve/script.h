// Compiling a Sieve script: parse (parser.h), then check every command and
// test against the table of supported ones (RFC 5228 core plus the
// extensions listed by SupportedExtensions()), its arguments' types and
// count, the `require` list, the placement of require/elsif/else, and
// comparator/match-type combinations. Errors carry line and column.
//
// Thread-safety: Compile is a pure function; a compiled Script is
// immutable and may be run by many threads at once.
#ifndef MAILROOM_SIEVE_SCRIPT_H_
#define MAILROOM_SIEVE_SCRIPT_H_

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "sieve/ast.h"
#include "sieve/limits.h"
#include "sieve/parser.h"

namespace mailroom::sieve {

struct Script {
  std::vector<Node> commands;
  std::set<std::string> extensions;  // the script's `require` list
  bool Requires(std::string_view ext) const {
    return extensions.count(std::string(ext)) > 0;
  }
};

// The capability strings of every extension Compile accepts in `require`
// (what ManageSieve advertises as SIEVE).
std::vector<std::string> SupportedExtensions();

// Compiles `source`. On failure returns kInvalidArgument whose message is
// "line:column: what is wrong", and fills `error` when given.
absl::StatusOr<std::shared_ptr<const Script>> Compile(
    std::string_view source, const Limits& limits, CompileError* error = nullptr);

// True when `name` is a valid variable name to assign (RFC 5229 §3):
// an identifier, or "global." + identifier when `allow_global`.
bool IsAssignableVariableName(std::string_view name, bool allow_global);

// The date parts of RFC 5260 §4.2.
bool IsDatePart(std::string_view part);

}  // namespace mailroom::sieve

#endif  // MAILROOM_SIEVE_SCRIPT_H_
