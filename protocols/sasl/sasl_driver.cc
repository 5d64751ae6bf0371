#include "protocols/sasl/sasl_driver.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace mailroom::sasl {
namespace {

// Debian's Abseil has its own string_view type.
absl::string_view AsAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

SaslResult Result(SaslResult::Kind kind, std::string text = "") {
  SaslResult result;
  result.kind = kind;
  result.text = std::move(text);
  return result;
}

}  // namespace

bool IsPlaintextMechanism(std::string_view mechanism) {
  return absl::EqualsIgnoreCase(AsAbsl(mechanism), "PLAIN") ||
         absl::EqualsIgnoreCase(AsAbsl(mechanism), "LOGIN");
}

bool PlaintextAllowed(const plugin::Authenticator& auth,
                      const plugin::Connection& conn) {
  return conn.tls_active() || auth.PlaintextAllowed(conn);
}

SaslStart StartSasl(plugin::Authenticator& auth, plugin::Connection& conn,
                    std::string_view mechanism) {
  SaslStart start;
  if (IsPlaintextMechanism(mechanism) && !PlaintextAllowed(auth, conn)) {
    start.kind = SaslStart::kPlaintextRefused;
    return start;
  }
  const std::vector<std::string> offered = auth.Mechanisms(conn);
  const bool known =
      std::any_of(offered.begin(), offered.end(), [&](const std::string& m) {
        return absl::EqualsIgnoreCase(m, AsAbsl(mechanism));
      });
  if (known) {
    start.exchange = auth.Start(absl::AsciiStrToUpper(AsAbsl(mechanism)), conn);
  }
  start.kind = start.exchange != nullptr ? SaslStart::kStarted
                                         : SaslStart::kUnsupported;
  return start;
}

void LineSaslWire::WriteChallenge(std::string_view challenge) {
  conn_.Write(
      absl::StrCat("+ ", absl::Base64Escape(AsAbsl(challenge)), "\r\n"));
}

plugin::Task<SaslReply> LineSaslWire::ReadReply() {
  absl::StatusOr<std::string> line =
      co_await conn_.ReadLine(max_line_bytes_, timeout_());
  SaslReply reply;
  if (!line.ok()) {
    if (line.status().code() == absl::StatusCode::kResourceExhausted) {
      reply.kind = SaslReply::kInvalid;
      reply.text = too_long_text_;
    } else {
      reply.kind = SaslReply::kClosed;
    }
    co_return reply;
  }
  if (*line == "*") {
    reply.kind = SaslReply::kCancel;
    co_return reply;
  }
  reply.kind = SaslReply::kResponse;
  reply.text = *std::move(line);
  co_return reply;
}

plugin::Task<SaslResult> RunSaslExchange(
    plugin::SaslExchange& exchange,
    std::optional<std::string_view> initial_response,
    InitialResponse initial_format, SaslWire& wire, plugin::Connection& conn) {
  std::optional<std::string> response;
  if (initial_response.has_value()) {
    response.emplace();
    const bool empty = initial_format == InitialResponse::kBase64OrEquals &&
                       *initial_response == "=";
    if (!empty &&
        !absl::Base64Unescape(AsAbsl(*initial_response), &*response)) {
      co_return Result(SaslResult::kBadBase64);
    }
  }
  while (true) {
    plugin::SaslExchange::Step step = co_await exchange.Next(response);
    if (step.state == plugin::SaslExchange::Step::kSuccess &&
        step.principal.has_value()) {
      SaslResult result = Result(SaslResult::kSuccess);
      result.principal = *std::move(step.principal);
      co_return result;
    }
    if (step.state != plugin::SaslExchange::Step::kContinue) {
      co_return Result(SaslResult::kFailed, step.error.empty()
                                                ? "Authentication failed"
                                                : std::move(step.error));
    }
    wire.WriteChallenge(step.challenge);
    if (!(co_await conn.Flush()).ok()) co_return Result(SaslResult::kClosed);
    SaslReply reply = co_await wire.ReadReply();
    switch (reply.kind) {
      case SaslReply::kResponse:
        break;
      case SaslReply::kCancel:
        co_return Result(SaslResult::kCancelled);
      case SaslReply::kInvalid:
        co_return Result(SaslResult::kInvalid, std::move(reply.text));
      case SaslReply::kAnswered:
        co_return Result(SaslResult::kAnswered);
      case SaslReply::kClosed:
        co_return Result(SaslResult::kClosed);
    }
    response.emplace();
    if (!absl::Base64Unescape(AsAbsl(reply.text), &*response)) {
      co_return Result(SaslResult::kBadBase64);
    }
  }
}

}  // namespace mailroom::sasl
