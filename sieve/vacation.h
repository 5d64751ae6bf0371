// Whether and how to answer a vacation request (RFC 5230 §4.5-§5, RFC
// 6131): never to the null sender, list or bulk mail, automatic replies
// or the user's own addresses; only when the user is an explicit
// recipient; at most once per sender and handle per period, remembered
// through VacationMemory. The caller sends the reply this returns.
//
// Thread-safety: DecideVacation is pure apart from the memory it is given.
#ifndef MAILROOM_SIEVE_VACATION_H_
#define MAILROOM_SIEVE_VACATION_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "sieve/message.h"
#include "sieve/result.h"

namespace mailroom::sieve {

// Replies already sent, by key (handle and sender). Implementations keep
// entries until their expiry; it is not an error to forget earlier.
class VacationMemory {
 public:
  virtual ~VacationMemory() = default;
  virtual bool Contains(std::string_view key, absl::Time now) = 0;
  virtual void Remember(std::string_view key, absl::Time expires) = 0;
};

struct VacationRecipient {
  std::string address;                       // the user: the envelope recipient
  std::vector<std::string> other_addresses;  // aliases the site knows
};

struct VacationReply {
  std::string to;       // the envelope sender of the original
  std::string from;     // :from, else the user's address
  std::string subject;  // :subject, else "Auto: " + the original subject
  std::string in_reply_to;
  std::string references;
  std::string body;     // the reason (a MIME entity when `mime`)
  bool mime = false;
  // Headers the reply must carry besides the above (RFC 3834).
  std::vector<std::pair<std::string, std::string>> extra_headers;
};

struct VacationDecision {
  bool send = false;
  std::string why_not;  // when !send: which rule held the reply back
  VacationReply reply;
};

// Decides on `request` for `message`; records the reply in `memory` when
// it is to be sent.
VacationDecision DecideVacation(const VacationRequest& request, const Message& message,
                                const VacationRecipient& recipient, VacationMemory& memory,
                                absl::Time now);

}  // namespace mailroom::sieve

#endif  // MAILROOM_SIEVE_VACATION_H_
