// What a script run decided (RFC 5228 §4): the ordered actions the caller
// carries out, and whether the implicit keep still applies.
#ifndef MAILROOM_SIEVE_RESULT_H_
#define MAILROOM_SIEVE_RESULT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace mailroom::sieve {

// RFC 5230/6131 vacation, as the script asked for it. Whether to send is
// decided by DecideVacation (vacation.h).
struct VacationRequest {
  std::string reason;  // the body, or a MIME entity when `mime`
  std::string subject;  // empty: not given
  std::string from;     // empty: not given
  std::vector<std::string> addresses;
  bool mime = false;
  std::string handle;     // as given, or derived from the other arguments
  int64_t seconds = 0;    // period, already within the configured bounds
};

struct Action {
  enum class Kind { kKeep, kFileInto, kRedirect, kDiscard, kReject, kEreject, kVacation };
  Kind kind = Kind::kKeep;
  std::string mailbox;             // kFileInto
  bool create = false;             // kFileInto :create (RFC 5490)
  std::vector<std::string> flags;  // kKeep, kFileInto (RFC 5232)
  std::string address;             // kRedirect
  bool copy = false;               // kFileInto, kRedirect :copy (RFC 3894)
  std::string reason;              // kReject, kEreject
  VacationRequest vacation;        // kVacation
};

// RFC 7352: an id the caller records after delivering per the result.
struct DuplicateMark {
  std::string key;
  int64_t seconds = 0;
  bool last = false;  // :last: the period restarts on every occurrence
};

struct RunResult {
  // OK, or why the script failed at run time; on failure `actions` holds
  // one keep of the message (RFC 5228 §2.10.6) and nothing else.
  absl::Status status;
  std::vector<Action> actions;
  // The implicit keep was not cancelled: the caller files into INBOX with
  // `implicit_keep_flags`. (It is never listed in `actions`.)
  bool implicit_keep = true;
  std::vector<std::string> implicit_keep_flags;
  std::vector<DuplicateMark> duplicate_marks;
  uint64_t steps = 0;  // work done, for the step budget
};

}  // namespace mailroom::sieve

#endif  // MAILROOM_SIEVE_RESULT_H_
