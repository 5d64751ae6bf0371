// The messages Sieve sends at delivery, composed for the store's outbound
// queue: a redirected copy (RFC 5228 section 4.2) and a vacation reply
// (RFC 5230, RFC 3834).
//
// Thread-safety: free functions; safe to call concurrently.
#ifndef MAILROOM_PROTOCOLS_LMTP_OUTBOUND_MAIL_H_
#define MAILROOM_PROTOCOLS_LMTP_OUTBOUND_MAIL_H_

#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "sieve/vacation.h"
#include "store/types.h"

namespace mailroom::lmtp {

// The header a redirected copy carries once per redirecting recipient; a
// message that already names the recipient in it has looped.
inline constexpr char kRedirectLoopHeader[] = "X-Mailroom-Redirected-By";
// A message redirected this many times (by anyone here) is not redirected
// again, so two users forwarding to each other's aliases cannot loop.
inline constexpr int kMaxRedirectHops = 8;

// Whether redirecting `message` for `recipient` would loop: the message
// already went through a redirect by that recipient, or through too many.
bool RedirectWouldLoop(std::string_view message, std::string_view recipient);

// The copy of `message` (as delivered: trace fields first) redirected to
// `to` for `recipient`. RFC 5228 section 4.2: the envelope sender stays
// the original's, the header is unchanged apart from the loop guard added
// on top and the Return-Path this delivery added, which is removed (a
// relayed message carries none).
store::OutboundMessage ComposeRedirect(std::string_view message,
                                       std::string_view envelope_from,
                                       std::string_view recipient,
                                       std::string_view to);

// The reply DecideVacation asked for: envelope from <> to the original
// sender, Auto-Submitted: auto-replied, In-Reply-To/References, a UTF-8
// text body (or the script's MIME entity with :mime).
store::OutboundMessage ComposeVacationReply(const sieve::VacationReply& reply,
                                            std::string_view hostname,
                                            absl::Time now);

}  // namespace mailroom::lmtp

#endif  // MAILROOM_PROTOCOLS_LMTP_OUTBOUND_MAIL_H_
