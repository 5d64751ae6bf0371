// The generic grammar of RFC 5228 §8.2: commands, arguments, tests, test
// lists and blocks, without knowledge of any command's meaning (that is the
// compiler's job, script.h).
//
// Thread-safety: a pure function.
#ifndef MAILROOM_SIEVE_PARSER_H_
#define MAILROOM_SIEVE_PARSER_H_

#include <string>
#include <string_view>
#include <vector>

#include "sieve/ast.h"

namespace mailroom::sieve {

struct CompileError {
  Position pos;
  std::string message;
  // "line:column: message"
  std::string ToString() const;
};

// Parses `source` into its commands. On failure returns false and sets
// `error` (first error only). Nesting deeper than `max_depth` (blocks plus
// test lists) is an error, so hostile input cannot exhaust the stack.
bool Parse(std::string_view source, int max_depth, std::vector<Node>* commands,
           CompileError* error);

}  // namespace mailroom::sieve

#endif  // MAILROOM_SIEVE_PARSER_H_
