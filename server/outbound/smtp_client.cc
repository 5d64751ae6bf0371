#include "server/outbound/smtp_client.h"

#include <algorithm>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "migrate/connection.h"

namespace mailroom::server::outbound {
namespace {

// A relay that keeps sending continuation lines is broken or hostile.
constexpr int kMaxReplyLines = 100;

struct Reply {
  int code = 0;                    // 0: no usable reply (see `lines`)
  std::vector<std::string> lines;  // texts after the code
  char Class() const { return static_cast<char>('0' + code / 100); }
  std::string Text() const {
    return absl::StrCat(code, " ", absl::StrJoin(lines, " / "));
  }
};

// Reads one reply: "ddd-text" lines up to the "ddd text" (or "ddd") one.
absl::StatusOr<Reply> ReadReply(migrate::Connection& c) {
  Reply reply;
  for (int n = 0; n < kMaxReplyLines; ++n) {
    absl::StatusOr<std::string> line = c.ReadLine();
    if (!line.ok()) return line.status();
    int code = 0;
    if (line->size() < 3 ||
        !absl::SimpleAtoi(absl::string_view(line->data(), 3), &code) ||
        code < 200 || code > 599 ||
        (line->size() > 3 && (*line)[3] != '-' && (*line)[3] != ' ') ||
        (reply.code != 0 && code != reply.code)) {
      return absl::UnavailableError(
          absl::StrCat("malformed SMTP reply: ", line->substr(0, 200)));
    }
    reply.code = code;
    reply.lines.push_back(line->size() > 4 ? line->substr(4) : "");
    if (line->size() == 3 || (*line)[3] == ' ') return reply;
  }
  return absl::UnavailableError("SMTP reply of too many lines");
}

absl::StatusOr<Reply> Command(migrate::Connection& c, const std::string& line) {
  absl::Status written = c.Write(absl::StrCat(line, "\r\n"));
  if (!written.ok()) return written;
  return ReadReply(c);
}

// An address goes between < and > on one command line.
bool SafeAddress(std::string_view address) {
  for (char ch : address) {
    const unsigned char u = static_cast<unsigned char>(ch);
    if (u < 0x20 || u == 0x7f || ch == '<' || ch == '>') return false;
  }
  return true;
}

SmtpOutcome Temporary(std::string detail) {
  return SmtpOutcome{SmtpOutcome::kTemporary, std::move(detail), {}};
}

SmtpOutcome Permanent(std::string detail) {
  return SmtpOutcome{SmtpOutcome::kPermanent, std::move(detail), {}};
}

// A reply that ends the transaction: 5xx refuses the message for good,
// anything else unexpected is worth another try.
SmtpOutcome Refused(const std::string& step, const Reply& reply) {
  std::string detail = absl::StrCat(step, ": ", reply.Text());
  return reply.Class() == '5' ? Permanent(std::move(detail))
                              : Temporary(std::move(detail));
}

bool Offers(const Reply& ehlo, std::string_view keyword) {
  for (size_t i = 1; i < ehlo.lines.size(); ++i) {
    const std::string& line = ehlo.lines[i];
    if (absl::EqualsIgnoreCase(
            absl::string_view(line.data(), std::min(line.size(), line.find(' '))),
            absl::string_view(keyword.data(), keyword.size()))) {
      return true;
    }
  }
  return false;
}

}  // namespace

absl::StatusOr<SmtpTls> ParseSmtpTls(std::string_view text) {
  if (text == "none") return SmtpTls::kNone;
  if (text == "opportunistic") return SmtpTls::kOpportunistic;
  if (text == "required") return SmtpTls::kRequired;
  if (text == "verify") return SmtpTls::kVerify;
  return absl::InvalidArgumentError(absl::StrCat(
      "sieve_smtp_tls must be none, opportunistic, required or verify, not '",
      std::string(text), "'"));
}

absl::StatusOr<SmtpRelay> ParseRelayAddress(std::string_view text) {
  SmtpRelay relay;
  std::string_view host = text;
  std::string_view port;
  if (!text.empty() && text[0] == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return absl::InvalidArgumentError("sieve_smtp: unclosed [");
    }
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return absl::InvalidArgumentError("sieve_smtp: bad port");
      port = rest.substr(1);
    }
  } else if (const size_t colon = text.rfind(':');
             colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) {
    return absl::InvalidArgumentError("sieve_smtp: HOST:PORT expected");
  }
  relay.host = std::string(host);
  if (!port.empty() && (!absl::SimpleAtoi(absl::string_view(port.data(), port.size()), &relay.port) ||
                        relay.port < 1 || relay.port > 65535)) {
    return absl::InvalidArgumentError(
        absl::StrCat("sieve_smtp: bad port '", std::string(port), "'"));
  }
  return relay;
}

std::string DotStuff(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 64 + 8);
  bool line_start = true;
  for (size_t i = 0; i < message.size(); ++i) {
    const char ch = message[i];
    if (ch == '\r' || ch == '\n') {
      out.append("\r\n");
      if (ch == '\r' && i + 1 < message.size() && message[i + 1] == '\n') ++i;
      line_start = true;
      continue;
    }
    if (line_start && ch == '.') out.push_back('.');
    out.push_back(ch);
    line_start = false;
  }
  if (!line_start) out.append("\r\n");
  out.append(".\r\n");
  return out;
}

SmtpOutcome SendViaSmtp(const SmtpRelay& relay,
                        const store::OutboundMessage& message) {
  if (!SafeAddress(message.envelope_from)) {
    return Permanent("unusable reverse-path");
  }
  if (message.recipients.empty()) return Permanent("no recipients");
  for (const std::string& rcpt : message.recipients) {
    if (rcpt.empty() || !SafeAddress(rcpt)) {
      return Permanent(absl::StrCat("unusable recipient address"));
    }
  }
  migrate::Endpoint endpoint;
  endpoint.host = relay.host;
  endpoint.port = relay.port;
  endpoint.tls = migrate::TlsMode::kNone;  // STARTTLS below
  endpoint.ca_file = relay.ca_file;
  endpoint.insecure = relay.tls != SmtpTls::kVerify;
  endpoint.timeout_seconds = std::max(1, relay.timeout_seconds);
  absl::StatusOr<std::unique_ptr<migrate::Connection>> opened =
      migrate::Connection::Open(endpoint);
  if (!opened.ok()) return Temporary(std::string(opened.status().message()));
  migrate::Connection& c = **opened;
  auto failed = [](const absl::Status& s) {
    return Temporary(std::string(s.message()));
  };

  absl::StatusOr<Reply> reply = ReadReply(c);
  if (!reply.ok()) return failed(reply.status());
  // A relay that will not talk now is no verdict on the message.
  if (reply->code != 220) {
    return Temporary(absl::StrCat("greeting: ", reply->Text()));
  }
  auto hello = [&]() -> absl::StatusOr<Reply> {
    absl::StatusOr<Reply> ehlo = Command(c, absl::StrCat("EHLO ", relay.helo_name));
    if (ehlo.ok() && ehlo->Class() != '2') {
      ehlo = Command(c, absl::StrCat("HELO ", relay.helo_name));
    }
    return ehlo;
  };
  absl::StatusOr<Reply> ehlo = hello();
  if (!ehlo.ok()) return failed(ehlo.status());
  if (ehlo->Class() != '2') return Temporary(absl::StrCat("EHLO: ", ehlo->Text()));
  if (relay.tls != SmtpTls::kNone) {
    const bool must = relay.tls != SmtpTls::kOpportunistic;
    if (Offers(*ehlo, "STARTTLS")) {
      reply = Command(c, "STARTTLS");
      if (!reply.ok()) return failed(reply.status());
      if (reply->code != 220) {
        if (must) return Temporary(absl::StrCat("STARTTLS: ", reply->Text()));
      } else {
        if (absl::Status s = c.StartTls(); !s.ok()) return failed(s);
        // RFC 3207 section 4.2: forget what was learnt before TLS.
        ehlo = hello();
        if (!ehlo.ok()) return failed(ehlo.status());
        if (ehlo->Class() != '2') {
          return Temporary(absl::StrCat("EHLO: ", ehlo->Text()));
        }
      }
    } else if (must) {
      return Temporary("the relay does not offer STARTTLS (sieve_smtp_tls)");
    }
  }

  reply = Command(c, absl::StrCat("MAIL FROM:<", message.envelope_from, ">"));
  if (!reply.ok()) return failed(reply.status());
  if (reply->Class() != '2') return Refused("MAIL FROM", *reply);
  SmtpOutcome outcome;
  size_t accepted = 0;
  std::string last_refusal;
  for (const std::string& rcpt : message.recipients) {
    reply = Command(c, absl::StrCat("RCPT TO:<", rcpt, ">"));
    if (!reply.ok()) return failed(reply.status());
    if (reply->Class() == '2') {
      ++accepted;
    } else if (reply->Class() == '5') {
      outcome.refused.push_back(rcpt);
      last_refusal = absl::StrCat("RCPT TO:<", rcpt, ">: ", reply->Text());
    } else {
      // Sending now would make the retry a duplicate for the others.
      (void)Command(c, "RSET");
      (void)Command(c, "QUIT");
      return Refused(absl::StrCat("RCPT TO:<", rcpt, ">"), *reply);
    }
  }
  if (accepted == 0) {
    (void)Command(c, "QUIT");
    return Permanent(last_refusal);
  }
  reply = Command(c, "DATA");
  if (!reply.ok()) return failed(reply.status());
  if (reply->code != 354) return Refused("DATA", *reply);
  if (absl::Status s = c.Write(DotStuff(message.data)); !s.ok()) return failed(s);
  reply = ReadReply(c);
  if (!reply.ok()) return failed(reply.status());
  if (reply->Class() != '2') return Refused("end of data", *reply);
  outcome.kind = SmtpOutcome::kSent;
  outcome.detail = reply->Text();
  (void)Command(c, "QUIT");
  return outcome;
}

}  // namespace mailroom::server::outbound
