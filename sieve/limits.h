// Bounds and settings of compiling and running Sieve scripts. Every quantity
// a script (or the mail it runs on) can grow is bounded here, so a hostile
// or runaway script fails with a clear error instead of exhausting the host.
#ifndef MAILROOM_SIEVE_LIMITS_H_
#define MAILROOM_SIEVE_LIMITS_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace mailroom::sieve {

struct Limits {
  size_t max_script_bytes = 1 << 20;  // source text of one script
  int max_nesting_depth = 32;         // blocks plus test lists, nested
  int max_actions = 32;               // actions of one run (keep included)
  int max_redirects = 4;              // redirect actions of one run
  int max_include_depth = 8;          // include chain length
  int max_includes = 32;              // include commands executed per run
  size_t max_variable_bytes = 4096;   // longer values are truncated
  int max_variables = 256;            // distinct variables per run
  int max_match_variables = 32;       // ${0}..${N}: captures kept
  uint64_t max_steps = 200000;        // commands, tests and comparisons
};

// Site choices the RFCs leave to the implementation.
struct Options {
  Limits limits;
  // RFC 5233: characters separating user and detail in a local part.
  std::string subaddress_separators = "+";
  // RFC 5230/6131: vacation period default and bounds, in seconds.
  int64_t vacation_default_seconds = 7 * 86400;
  int64_t vacation_min_seconds = 86400;
  int64_t vacation_max_seconds = 30 * 86400;
  // RFC 7352: duplicate tracking period default and upper bound.
  int64_t duplicate_default_seconds = 7 * 86400;
  int64_t duplicate_max_seconds = 30 * 86400;
};

}  // namespace mailroom::sieve

#endif  // MAILROOM_SIEVE_LIMITS_H_
