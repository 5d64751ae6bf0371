#include "protocols/lmtp/lmtp_session.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "store/no_space.h"

namespace mailroom::lmtp {
namespace {

using plugin::Task;

// BDAT chunks are read in pieces of at most this size.
constexpr uint64_t kChunkPiece = 1 << 20;

// Debian's Abseil has its own string_view type.
absl::string_view AsAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// Client-supplied text that ends up in a header: no control characters.
std::string Sanitize(std::string_view text) {
  std::string out(text.substr(0, 255));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

}  // namespace

LmtpSession::LmtpSession(const plugin::SessionContext& context)
    : conn_(*context.connection),
      store_(*context.store),
      config_(*context.config),
      delivery_principal_(context.delivery_principal),
      lhlo_deadline_(std::chrono::steady_clock::now() +
                     config_.lmtp_lhlo_timeout) {
  absl::StatusOr<SieveSettings> sieve = SieveSettingsFromOptions(config_.options);
  if (sieve.ok()) {
    sieve_settings_ = *std::move(sieve);
  } else {
    conn_.Log(absl::StrCat("lmtp: ", sieve.status().message(),
                           "; Sieve runs with its defaults"));
  }
}

Task<void> LmtpSession::Run() {
  try {
    co_await Serve();
  } catch (const std::exception& e) {
    conn_.Log(absl::StrCat("lmtp session failed: ", e.what()));
  } catch (...) {
    conn_.Log("lmtp session failed");
  }
}

Task<void> LmtpSession::Serve() {
  Reply(absl::StrCat("220 ", config_.hostname, " Mailroom LMTP ready"));
  while (!done_) {
    if (!(co_await conn_.Flush()).ok()) co_return;
    if (!lhlo_seen_ && std::chrono::steady_clock::now() >= lhlo_deadline_) {
      // Checked between commands too: NOOP after NOOP never lets a read
      // time out.
      Reply("421 4.4.2 No LHLO in time; closing connection");
      break;
    }
    absl::StatusOr<std::string> line =
        co_await conn_.ReadLine(config_.max_line_bytes, CommandTimeout());
    if (!line.ok()) {
      if (line.status().code() == absl::StatusCode::kResourceExhausted) {
        Reply("500 5.5.2 Line too long");
        continue;
      }
      if (!lhlo_seen_ &&
          line.status().code() == absl::StatusCode::kDeadlineExceeded) {
        Reply("421 4.4.2 No LHLO in time; closing connection");
        break;
      }
      ReadFailed(line.status());
      break;
    }
    co_await Dispatch(ParseCommand(*line));
  }
  (void)co_await conn_.Flush();
}

Task<void> LmtpSession::Dispatch(const Command& command) {
  const std::string& verb = command.verb;
  if (verb == "LHLO") {
    HandleLhlo(command);
  } else if (verb == "MAIL") {
    HandleMail(command);
  } else if (verb == "RCPT") {
    co_await HandleRcpt(command);
  } else if (verb == "DATA") {
    co_await HandleData();
  } else if (verb == "BDAT") {
    co_await HandleBdat(command);
  } else if (verb == "RSET") {
    transaction_.reset();
    Reply("250 2.0.0 OK");
  } else if (verb == "NOOP") {
    Reply("250 2.0.0 OK");
  } else if (verb == "QUIT") {
    Reply(absl::StrCat("221 2.0.0 ", config_.hostname, " closing connection"));
    done_ = true;
  } else if (verb == "VRFY") {
    Reply("252 2.5.0 Cannot VRFY user, but will accept message for delivery");
  } else if (verb == "STARTTLS") {
    co_await HandleStartTls();
  } else if (verb == "HELO" || verb == "EHLO") {
    Reply("500 5.5.1 This is an LMTP server: use LHLO");
  } else if (verb == "HELP") {
    Reply("214 2.0.0 See RFC 2033");
  } else {
    Reply("500 5.5.2 Unknown command");
  }
}

void LmtpSession::HandleLhlo(const Command& command) {
  std::string name(absl::StripAsciiWhitespace(command.rest));
  if (name.empty()) {
    Reply("501 5.5.4 LHLO needs a host name");
    return;
  }
  helo_ = Sanitize(name);
  lhlo_seen_ = true;
  transaction_.reset();
  std::string out = absl::StrCat("250-", config_.hostname, "\r\n");
  out.append(
      "250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
      "250-SMTPUTF8\r\n250-CHUNKING\r\n250-BINARYMIME\r\n");
  if (conn_.tls_available() && !conn_.tls_active()) {
    out.append("250-STARTTLS\r\n");
  }
  absl::StrAppend(&out, "250 SIZE ", config_.max_literal_bytes, "\r\n");
  conn_.Write(out);
}

void LmtpSession::HandleMail(const Command& command) {
  if (!helo_.has_value()) {
    Reply("503 5.5.1 Send LHLO first");
    return;
  }
  if (transaction_.has_value()) {
    Reply("503 5.5.1 Nested MAIL command");
    return;
  }
  absl::StatusOr<PathArgument> path = ParsePathArgument(command.rest, "FROM");
  if (!path.ok()) {
    Reply(absl::StrCat("501 5.5.4 ", path.status().message()));
    return;
  }
  absl::StatusOr<MailParams> params = ParseMailParams(path->params);
  if (!params.ok()) {
    Reply(absl::StrCat(params.status().code() == absl::StatusCode::kUnimplemented
                           ? "555 5.5.4 "
                           : "501 5.5.4 ",
                       params.status().message()));
    return;
  }
  if (!params->smtputf8 && !IsAscii(path->address)) {
    Reply("553 5.6.7 Non-ASCII address needs SMTPUTF8");
    return;
  }
  if (params->size.has_value() && *params->size > config_.max_literal_bytes) {
    Reply("552 5.3.4 Message size exceeds the limit");
    return;
  }
  transaction_.emplace();
  transaction_->reverse_path = std::move(path->address);
  transaction_->params = *params;
  Reply("250 2.1.0 OK");
}

Task<void> LmtpSession::HandleRcpt(const Command& command) {
  if (!transaction_.has_value()) {
    Reply("503 5.5.1 Send MAIL first");
    co_return;
  }
  if (transaction_->chunks.has_value()) {
    Reply("503 5.5.1 RCPT after BDAT");
    co_return;
  }
  absl::StatusOr<PathArgument> path = ParsePathArgument(command.rest, "TO");
  if (!path.ok() || path->address.empty()) {
    Reply("501 5.5.4 Syntax: RCPT TO:<address>");
    co_return;
  }
  if (!path->params.empty()) {
    Reply(absl::StrCat("555 5.5.4 Unsupported parameter ",
                       path->params.front().first));
    co_return;
  }
  const std::string& address = path->address;
  if (!transaction_->params.smtputf8 && !IsAscii(address)) {
    Reply("553 5.6.7 Non-ASCII address needs SMTPUTF8");
    co_return;
  }
  absl::StatusOr<Recipient> recipient = SplitRecipient(address);
  if (!recipient.ok()) {
    Reply(absl::StrCat("501 5.1.3 <", address, "> Bad address syntax"));
    co_return;
  }
  if (!IsLocalDomain(recipient->domain, config_.local_domains)) {
    Reply(absl::StrCat("550 5.1.2 <", address, "> Domain not served here"));
    co_return;
  }
  if (transaction_->recipients.size() >= config_.lmtp_max_recipients) {
    Reply("452 4.5.3 Too many recipients");
    co_return;
  }
  std::string user = recipient->user;
  absl::StatusOr<store::QuotaUsage> quota = co_await plugin::Blocking(
      conn_, [&] { return store_.RecipientQuota(user); });
  if (!quota.ok()) {
    // The store refuses names it could never hold as invalid: for the
    // sender that is the same as an unknown user.
    if (quota.status().code() == absl::StatusCode::kNotFound ||
        quota.status().code() == absl::StatusCode::kInvalidArgument) {
      Reply(absl::StrCat("550 5.1.1 <", address, "> User unknown"));
    } else {
      conn_.Log(absl::StrCat("lmtp quota: ", quota.status().ToString()));
      Reply(absl::StrCat("451 4.3.0 <", address, "> Temporary failure"));
    }
    co_return;
  }
  uint64_t expected = transaction_->params.size.value_or(0);
  if ((quota->storage_limit_bytes.has_value() &&
       quota->storage_bytes + expected > *quota->storage_limit_bytes) ||
      (quota->message_limit.has_value() &&
       quota->messages >= *quota->message_limit)) {
    Reply(absl::StrCat("552 5.2.2 <", address, "> Mailbox is full"));
    co_return;
  }
  AcceptedRecipient accepted;
  accepted.address = address;
  accepted.domain = recipient->domain;
  accepted.target.user = std::move(user);
  if (!recipient->detail.empty()) accepted.target.mailbox = recipient->detail;
  transaction_->recipients.push_back(std::move(accepted));
  Reply("250 2.1.5 OK");
}

Task<void> LmtpSession::HandleData() {
  if (!transaction_.has_value()) {
    Reply("503 5.5.1 Send MAIL first");
    co_return;
  }
  if (transaction_->recipients.empty()) {
    Reply("503 5.5.1 No valid recipients");
    co_return;
  }
  if (transaction_->chunks.has_value()) {
    Reply("503 5.5.1 DATA after BDAT");
    co_return;
  }
  if (transaction_->params.body == BodyType::kBinaryMime) {
    Reply("503 5.5.1 BODY=BINARYMIME needs BDAT");
    co_return;
  }
  Reply("354 Start mail input; end with <CRLF>.<CRLF>");
  if (!(co_await conn_.Flush()).ok()) {
    done_ = true;
    co_return;
  }
  MessageBuffer buffer(config_.max_literal_bytes);
  // Text lines may be long (senders ignore RFC 5321's 1000); only the
  // message limit bounds them, and the host discards a longer line.
  bool line_too_long = false;
  while (true) {
    absl::StatusOr<std::string> line = co_await conn_.ReadLine(
        config_.max_literal_bytes, config_.lmtp_data_timeout);
    if (!line.ok()) {
      if (line.status().code() == absl::StatusCode::kResourceExhausted) {
        line_too_long = true;
        continue;
      }
      ReadFailed(line.status());  // nothing was stored
      co_return;
    }
    if (*line == ".") break;
    buffer.AddDataLine(*line);
  }
  if (buffer.too_big() || line_too_long) {
    ReplyToAll("552 5.3.4 Message size exceeds the limit");
  } else {
    co_await Deliver(buffer.Take(/*crlf=*/false));
    co_return;
  }
  transaction_.reset();
}

Task<void> LmtpSession::HandleBdat(const Command& command) {
  std::vector<std::string> args =
      absl::StrSplit(command.rest, ' ', absl::SkipEmpty());
  uint64_t size = 0;
  bool last = args.size() == 2 && absl::AsciiStrToUpper(args[1]) == "LAST";
  if (args.empty() || args.size() > 2 || (args.size() == 2 && !last) ||
      args[0].size() > 20 || !absl::SimpleAtoi(args[0], &size)) {
    Reply("501 5.5.4 Syntax: BDAT size [LAST]");
    co_return;
  }
  std::string_view refusal;
  if (!transaction_.has_value()) {
    refusal = "503 5.5.1 Send MAIL first";
  } else if (transaction_->recipients.empty()) {
    refusal = "503 5.5.1 No valid recipients";
  } else if (transaction_->failed_chunking) {
    refusal = "503 5.5.1 An earlier chunk failed; send RSET";
  }
  if (!refusal.empty()) {
    // The chunk's bytes follow regardless: read past them to stay in step.
    if (!co_await ReadChunk(size, nullptr)) co_return;
    Reply(refusal);
    if (last && transaction_.has_value() && transaction_->failed_chunking) {
      transaction_.reset();
    }
    co_return;
  }
  if (!transaction_->chunks.has_value()) {
    transaction_->chunks.emplace(config_.max_literal_bytes);
  }
  if (!co_await ReadChunk(size, &*transaction_->chunks)) co_return;
  if (transaction_->chunks->too_big()) {
    if (last) {
      ReplyToAll("552 5.3.4 Message size exceeds the limit");
      transaction_.reset();
    } else {
      Reply("552 5.3.4 Message size exceeds the limit");
      transaction_->failed_chunking = true;
    }
    co_return;
  }
  if (!last) {
    Reply(absl::StrCat("250 2.0.0 ", size, " octets received"));
    co_return;
  }
  bool binary = transaction_->params.body == BodyType::kBinaryMime;
  co_await Deliver(transaction_->chunks->Take(/*crlf=*/!binary));
}

Task<bool> LmtpSession::ReadChunk(uint64_t n, MessageBuffer* buffer) {
  while (n > 0) {
    size_t piece = static_cast<size_t>(std::min(n, kChunkPiece));
    absl::StatusOr<std::string> bytes =
        co_await conn_.ReadExactly(piece, config_.lmtp_data_timeout);
    if (!bytes.ok()) {
      ReadFailed(bytes.status());
      co_return false;
    }
    if (buffer != nullptr) buffer->AddBytes(*bytes);
    n -= piece;
  }
  co_return true;
}

Task<void> LmtpSession::HandleStartTls() {
  if (conn_.tls_active()) {
    Reply("503 5.5.1 TLS is already active");
    co_return;
  }
  if (!conn_.tls_available()) {
    Reply("502 5.5.1 STARTTLS is not available");
    co_return;
  }
  Reply("220 2.0.0 Ready to start TLS");
  if (!(co_await conn_.Flush()).ok()) {
    done_ = true;
    co_return;
  }
  absl::Status status = co_await conn_.StartTls();
  if (!status.ok()) {
    conn_.Log(absl::StrCat("STARTTLS failed: ", status.message()));
    done_ = true;
    co_return;
  }
  // RFC 3207: start over as if the connection were new.
  helo_.reset();
  transaction_.reset();
}

Task<void> LmtpSession::Deliver(std::string body) {
  Transaction transaction = *std::exchange(transaction_, std::nullopt);
  TraceInfo trace;
  trace.reverse_path = transaction.reverse_path;
  if (transaction.recipients.size() == 1) {
    trace.delivered_to = transaction.recipients.front().address;
  }
  trace.helo = helo_.value_or("");
  trace.peer = Sanitize(conn_.peer_address());
  trace.hostname = config_.hostname;
  trace.session_id = absl::StrCat(conn_.id());
  trace.date = absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", absl::Now(),
                                absl::UTCTimeZone());
  std::string data = TraceHeaders(trace);
  data.append(body);
  std::string().swap(body);
  if (sieve_settings_.enabled && delivery_principal_ != nullptr) {
    co_await DeliverFiltered(transaction, std::move(data));
    co_return;
  }

  std::vector<store::DeliveryTarget> targets;
  targets.reserve(transaction.recipients.size());
  for (const AcceptedRecipient& recipient : transaction.recipients) {
    targets.push_back(recipient.target);
  }
  std::vector<absl::StatusOr<store::AppendResult>> results =
      co_await plugin::Blocking(conn_,
                                [&] { return store_.Deliver(targets, data); });
  for (size_t i = 0; i < transaction.recipients.size(); ++i) {
    absl::Status status =
        i < results.size() ? results[i].status()
                           : absl::InternalError("missing delivery result");
    if (!status.ok()) {
      conn_.Log(absl::StrCat("lmtp deliver to ", targets[i].user, ": ",
                             status.ToString()));
    }
    Reply(DeliveryReply(status, transaction.recipients[i].address));
  }
}

Task<void> LmtpSession::DeliverFiltered(const Transaction& transaction,
                                        std::string data) {
  SieveDeliveryContext context;
  context.store = &store_;
  context.principal = delivery_principal_;
  context.settings = &sieve_settings_;
  context.cache = &SharedScriptCache(sieve_settings_.cache_scripts);
  context.reverse_path = transaction.reverse_path;
  context.hostname = config_.hostname;
  context.remote_ip = conn_.peer_address();
  context.local_domains = config_.local_domains;
  context.now = absl::Now();
  std::vector<SieveRecipient> recipients;
  recipients.reserve(transaction.recipients.size());
  for (const AcceptedRecipient& r : transaction.recipients) {
    recipients.push_back({r.address, r.domain, r.target});
  }
  std::vector<RecipientOutcome> outcomes = co_await plugin::Blocking(
      conn_, [&] { return DeliverWithSieve(context, recipients, data); });
  for (size_t i = 0; i < recipients.size(); ++i) {
    const std::string& address = recipients[i].address;
    if (i >= outcomes.size()) {
      Reply(DeliveryReply(absl::InternalError("missing delivery result"), address));
      continue;
    }
    for (const std::string& line : outcomes[i].log) {
      conn_.Log(absl::StrCat("lmtp <", address, ">: ", line));
    }
    if (outcomes[i].reject_reason.has_value()) {
      // RFC 5429 section 2.1: refused at delivery, with the script's reason.
      Reply(absl::StrCat("550 5.7.1 <", address, "> ",
                         RejectReplyText(*outcomes[i].reject_reason)));
      continue;
    }
    Reply(DeliveryReply(outcomes[i].status, address));
  }
}

void LmtpSession::ReplyToAll(std::string_view reply) {
  if (!transaction_.has_value()) return;
  for (size_t i = 0; i < transaction_->recipients.size(); ++i) Reply(reply);
}

std::string LmtpSession::DeliveryReply(const absl::Status& status,
                                       std::string_view address) {
  std::string rcpt = absl::StrCat("<", AsAbsl(address), ">");
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return absl::StrCat("250 2.0.0 ", rcpt, " Delivered");
    case absl::StatusCode::kResourceExhausted:
      if (store::IsNoSpace(status)) {  // RFC 3463 4.3.1: mail system full
        return absl::StrCat("452 4.3.1 ", rcpt, " Insufficient system storage");
      }
      if (absl::StartsWith(status.message(), "OVERQUOTA")) {
        return absl::StrCat("552 5.2.2 ", rcpt, " Mailbox is full");
      }
      return absl::StrCat("552 5.3.4 ", rcpt, " Message exceeds a limit");
    case absl::StatusCode::kNotFound:
      return absl::StrCat("550 5.1.1 ", rcpt, " User unknown");
    case absl::StatusCode::kInvalidArgument:
      return absl::StrCat("554 5.6.0 ", rcpt, " Message refused");
    case absl::StatusCode::kPermissionDenied:
      return absl::StrCat("550 5.7.1 ", rcpt, " Delivery not permitted");
    default:
      return absl::StrCat("451 4.3.0 ", rcpt, " Temporary failure");
  }
}

void LmtpSession::Reply(std::string_view line) {
  conn_.Write(absl::StrCat(AsAbsl(line), "\r\n"));
}

std::chrono::milliseconds LmtpSession::CommandTimeout() const {
  if (lhlo_seen_) return config_.idle_timeout;
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(
                      lhlo_deadline_ - std::chrono::steady_clock::now()));
}

void LmtpSession::ReadFailed(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kDeadlineExceeded:
      Reply("421 4.4.2 Timeout; closing connection");
      break;
    case absl::StatusCode::kCancelled:
      Reply("421 4.3.2 Server shutting down");
      break;
    default:
      break;  // the peer is gone
  }
  done_ = true;
}

Task<void> RunLmtpSession(plugin::SessionContext* context) {
  try {
    LmtpSession session(*context);
    co_await session.Run();
  } catch (...) {
    // Nothing may cross the plugin boundary.
  }
}

}  // namespace mailroom::lmtp
