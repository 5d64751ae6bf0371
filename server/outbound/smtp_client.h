// Hands one queued message to an SMTP relay (RFC 5321): EHLO (HELO when
// EHLO is refused), STARTTLS as the TLS policy says (RFC 3207), MAIL FROM
// (the null reverse-path <> allowed), one RCPT TO per recipient, DATA with
// dot-stuffing, QUIT. Multi-line replies are read whole; every reply has
// its own timeout.
//
// Thread-safety: SendViaSmtp is reentrant; each call has its own
// connection.
#ifndef MAILROOM_SERVER_OUTBOUND_SMTP_CLIENT_H_
#define MAILROOM_SERVER_OUTBOUND_SMTP_CLIENT_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "store/types.h"

namespace mailroom::server::outbound {

// How the relay connection is protected (setting sieve_smtp_tls).
enum class SmtpTls {
  kNone,           // never STARTTLS
  kOpportunistic,  // STARTTLS when offered, certificate not checked
  kRequired,       // STARTTLS or no delivery, certificate not checked
  kVerify,         // STARTTLS or no delivery, certificate and name checked
};
// "none", "opportunistic", "required", "verify"; kInvalidArgument otherwise.
absl::StatusOr<SmtpTls> ParseSmtpTls(std::string_view text);

struct SmtpRelay {
  std::string host;
  int port = 25;
  std::string helo_name = "localhost";  // our name in EHLO
  SmtpTls tls = SmtpTls::kVerify;
  std::string ca_file;       // PEM for kVerify; empty: the system's CAs
  int timeout_seconds = 300;  // per reply (RFC 5321 section 4.5.3.2)
};
// "host:port" (or "[v6]:port"); the port defaults to 25.
absl::StatusOr<SmtpRelay> ParseRelayAddress(std::string_view text);

struct SmtpOutcome {
  enum Kind {
    kSent,       // the relay took it for every recipient not in `refused`
    kPermanent,  // refused for good (5xx, or every recipient refused)
    kTemporary,  // try again later (4xx, network, TLS)
  };
  Kind kind = kTemporary;
  // The relay's reply that decided (or the local error), one line.
  std::string detail;
  // Recipients the relay refused for good while others were accepted.
  std::vector<std::string> refused;
};

SmtpOutcome SendViaSmtp(const SmtpRelay& relay,
                        const store::OutboundMessage& message);

// The DATA payload of `message`: lines ending in CRLF (bare LF and CR are
// made CRLF), a leading "." doubled (RFC 5321 section 4.5.2), and the
// terminating ".\r\n".
std::string DotStuff(std::string_view message);

}  // namespace mailroom::server::outbound

#endif  // MAILROOM_SERVER_OUTBOUND_SMTP_CLIENT_H_
