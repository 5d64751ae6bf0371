// Running a compiled Script against one message: walks the commands,
// evaluates tests through the Message and Environment interfaces, and
// collects actions under the compatibility rules of RFC 5228 §4 (and RFC
// 5429, 5230): a reject beside keep/fileinto/redirect/vacation is an error,
// repeated keeps, fileintos of one mailbox and redirects to one address
// collapse into one. Every bound of Options::limits is enforced; a run that
// breaks one, or fails otherwise, reports why and falls back to keep.
//
// Thread-safety: Run may be called concurrently with distinct arguments;
// one Script may be shared by concurrent runs.
#ifndef MAILROOM_SIEVE_INTERPRETER_H_
#define MAILROOM_SIEVE_INTERPRETER_H_

#include "sieve/limits.h"
#include "sieve/message.h"
#include "sieve/result.h"
#include "sieve/script.h"

namespace mailroom::sieve {

// Runs `script` on `message`. Included scripts are fetched through `env`
// and compiled with `options.limits`. `flags` starts RFC 5232's internal
// variable: a script run after another in one delivery (a global "before"
// script) carries on the flags the one before it set.
RunResult Run(const Script& script, const Message& message, const Environment& env,
              const Options& options = Options(),
              std::vector<std::string> flags = {});

}  // namespace mailroom::sieve

#endif  // MAILROOM_SIEVE_INTERPRETER_H_
