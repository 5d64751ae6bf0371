#include "protocols/managesieve/managesieve_session.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "protocols/managesieve/response.h"
#include "protocols/sasl/sasl_driver.h"
#include "sieve/limits.h"

namespace mailroom::managesieve {
namespace {

using plugin::Task;

// Literals over their limit are read and dropped in pieces this big.
constexpr size_t kDiscardChunk = 64 * 1024;

}  // namespace

ManageSieveSession::ManageSieveSession(const plugin::SessionContext& context)
    : conn_(*context.connection),
      store_(*context.store),
      auth_(*context.auth),
      config_(*context.config),
      login_deadline_(std::chrono::steady_clock::now() +
                      config_.unauthenticated_timeout) {}

Task<void> ManageSieveSession::Run() {
  try {
    co_await Serve();
  } catch (const std::exception& e) {
    conn_.Log(absl::StrCat("managesieve session failed: ", e.what()));
  } catch (...) {
    conn_.Log("managesieve session failed");
  }
}

Task<void> ManageSieveSession::Serve() {
  // RFC 5804 section 1.7: the greeting is the capability list.
  WriteCapabilities();
  Ok(absl::StrCat(config_.hostname, " Mailroom ManageSieve ready"));
  while (state_ != State::kDone) {
    if (!(co_await conn_.Flush()).ok()) co_return;
    if (LoginDeadlinePassed()) {
      // Checked between commands too: a client sending NOOPs back to back
      // never lets a read time out.
      Bye("Login took too long");
      break;
    }
    std::string text;
    const ReadOutcome outcome = co_await ReadCommand(&text);
    if (outcome == ReadOutcome::kEnd) break;
    if (outcome == ReadOutcome::kRejected) continue;
    absl::StatusOr<Command> command = ParseCommand(text);
    if (!command.ok()) {
      No(std::string(command.status().message()));
      continue;
    }
    co_await Dispatch(*command);
  }
  (void)co_await conn_.Flush();
}

Task<ManageSieveSession::ReadOutcome> ManageSieveSession::ReadCommand(
    std::string* text) {
  text->clear();
  while (true) {
    absl::StatusOr<std::string> line =
        co_await conn_.ReadLine(LineLimit(), ReadTimeout());
    if (!line.ok()) {
      switch (line.status().code()) {
        case absl::StatusCode::kResourceExhausted:
          No("Line too long");
          co_return ReadOutcome::kRejected;
        case absl::StatusCode::kDeadlineExceeded:
          Bye(state_ == State::kAuthenticated ? "Idle for too long"
                                              : "Login took too long");
          break;
        case absl::StatusCode::kCancelled:
          Bye("Server shutting down", "TRYLATER");
          break;
        default:
          break;  // the peer is gone
      }
      co_return ReadOutcome::kEnd;
    }
    text->append(*line);
    const std::optional<uint64_t> literal = TrailingLiteral(*line);
    if (!literal.has_value()) {
      if (text->size() > CommandLimit()) {
        No("Command too long");
        co_return ReadOutcome::kRejected;
      }
      co_return ReadOutcome::kCommand;
    }
    if (state_ == State::kAuthenticated) {
      // The script of a PUTSCRIPT: over the owner's limits it is skipped
      // unread.
      const std::string_view head(text->data(),
                                  text->size() - (line->size() - line->rfind('{')));
      absl::Status space = co_await CheckScriptSpace(head, *literal);
      if (absl::IsResourceExhausted(space)) {
        if (!co_await DiscardLiteral(*literal)) co_return ReadOutcome::kEnd;
        ReplyStoreError(space);
        co_return ReadOutcome::kRejected;
      }
    }
    if (*literal > LiteralLimit() ||
        text->size() + 2 + *literal > CommandLimit()) {
      if (state_ != State::kAuthenticated) {
        Bye("Literal too large before login");
        co_return ReadOutcome::kEnd;
      }
      if (!co_await DiscardLiteral(*literal)) co_return ReadOutcome::kEnd;
      No(absl::StrCat("Literal larger than ", LiteralLimit(), " octets"),
         "QUOTA/MAXSIZE");
      co_return ReadOutcome::kRejected;
    }
    text->append("\r\n");
    absl::StatusOr<std::string> bytes =
        co_await conn_.ReadExactly(static_cast<size_t>(*literal),
                                   ReadTimeout());
    if (!bytes.ok()) co_return ReadOutcome::kEnd;
    text->append(*bytes);
  }
}

Task<absl::Status> ManageSieveSession::CheckScriptSpace(std::string_view head,
                                                         uint64_t size) {
  // `head` ends in the space before the literal: "PUTSCRIPT name ".
  if (head.empty() || head.back() != ' ') co_return absl::OkStatus();
  head.remove_suffix(1);
  absl::StatusOr<Command> command = ParseCommand(head);
  if (!command.ok() || command->name != "PUTSCRIPT" ||
      command->args.size() != 1 || !command->args[0].is_string()) {
    co_return absl::OkStatus();
  }
  const std::string& name = command->args[0].text;
  co_return co_await plugin::Blocking(conn_, [&] {
    return store_.CheckSieveSpace(*principal_, owner(), name, size);
  });
}

Task<bool> ManageSieveSession::DiscardLiteral(uint64_t size) {
  while (true) {
    while (size > 0) {
      const size_t chunk = static_cast<size_t>(std::min<uint64_t>(size, kDiscardChunk));
      absl::StatusOr<std::string> bytes =
          co_await conn_.ReadExactly(chunk, ReadTimeout());
      if (!bytes.ok()) co_return false;
      size -= chunk;
    }
    // The rest of the command, which may announce another literal.
    absl::StatusOr<std::string> line =
        co_await conn_.ReadLine(LineLimit(), ReadTimeout());
    if (!line.ok()) {
      co_return line.status().code() == absl::StatusCode::kResourceExhausted;
    }
    const std::optional<uint64_t> next = TrailingLiteral(*line);
    if (!next.has_value()) co_return true;
    size = *next;
  }
}

Task<void> ManageSieveSession::Dispatch(const Command& command) {
  const std::string& name = command.name;
  if (name == "CAPABILITY") {
    HandleCapability(command);
  } else if (name == "NOOP") {
    HandleNoop(command);
  } else if (name == "LOGOUT") {
    HandleLogout(command);
  } else if (state_ == State::kNonAuthenticated) {
    if (name == "AUTHENTICATE") {
      co_await HandleAuthenticate(command);
    } else if (name == "STARTTLS") {
      co_await HandleStartTls(command);
    } else {
      No("Unknown command or not allowed before login");
    }
  } else if (name == "HAVESPACE") {
    co_await HandleHaveSpace(command);
  } else if (name == "PUTSCRIPT") {
    co_await HandlePutScript(command);
  } else if (name == "CHECKSCRIPT") {
    co_await HandleCheckScript(command);
  } else if (name == "LISTSCRIPTS") {
    co_await HandleListScripts(command);
  } else if (name == "SETACTIVE") {
    co_await HandleSetActive(command);
  } else if (name == "GETSCRIPT") {
    co_await HandleGetScript(command);
  } else if (name == "DELETESCRIPT") {
    co_await HandleDeleteScript(command);
  } else if (name == "RENAMESCRIPT") {
    co_await HandleRenameScript(command);
  } else if (name == "UNAUTHENTICATE") {
    HandleUnauthenticate(command);
  } else if (name == "AUTHENTICATE" || name == "STARTTLS") {
    No("Not allowed after login");
  } else {
    No("Unknown command");
  }
}

// ---- helpers ---------------------------------------------------------------

void ManageSieveSession::ReplyStoreError(const absl::Status& status) {
  const absl::string_view message = status.message();
  switch (status.code()) {
    case absl::StatusCode::kNotFound:
      No("There is no script by that name", "NONEXISTENT");
      return;
    case absl::StatusCode::kAlreadyExists:
      No("A script by that name exists already", "ALREADYEXISTS");
      return;
    case absl::StatusCode::kFailedPrecondition:
      if (absl::StartsWith(message, "ACTIVE")) {
        No("The active script cannot be deleted", "ACTIVE");
        return;
      }
      break;
    case absl::StatusCode::kResourceExhausted:
      // The store's message starts with the response code; what follows
      // ": " says the limit.
      for (const char* code : {"QUOTA/MAXSIZE", "QUOTA/MAXSCRIPTS"}) {
        if (!absl::StartsWith(message, code)) continue;
        absl::string_view why = absl::StripPrefix(message, code);
        why = absl::StripPrefix(why, ":");
        why = absl::StripLeadingAsciiWhitespace(why);
        const bool size = absl::string_view(code) == "QUOTA/MAXSIZE";
        No(why.empty() ? (size ? "Script too large" : "Too many scripts")
                       : std::string(why),
           code);
        return;
      }
      No("Over quota", "QUOTA");
      return;
    case absl::StatusCode::kInvalidArgument:
      // A compile error ("line:col: why") or a bad name: user-safe texts.
      No(std::string(message));
      return;
    case absl::StatusCode::kPermissionDenied:
      No("Permission denied");
      return;
    case absl::StatusCode::kUnimplemented:
      No("Sieve scripts are not kept by this server");
      return;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kDeadlineExceeded:
      No("Try again later", "TRYLATER");
      return;
    default:
      break;
  }
  conn_.Log(absl::StrCat("managesieve store: ", status.ToString()));
  No("Internal error");
}

void ManageSieveSession::Ok(std::string_view text, std::string_view code) {
  conn_.Write(StatusLine("OK", code, text));
}

void ManageSieveSession::No(std::string_view text, std::string_view code) {
  conn_.Write(StatusLine("NO", code, text));
}

void ManageSieveSession::Bye(std::string_view text, std::string_view code) {
  conn_.Write(StatusLine("BYE", code, text));
  state_ = State::kDone;
}

bool ManageSieveSession::PlaintextAllowed() const {
  return sasl::PlaintextAllowed(auth_, conn_);
}

std::chrono::milliseconds ManageSieveSession::ReadTimeout() const {
  if (state_ == State::kAuthenticated) return config_.idle_timeout;
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(
                      login_deadline_ - std::chrono::steady_clock::now()));
}

bool ManageSieveSession::LoginDeadlinePassed() const {
  return state_ == State::kNonAuthenticated &&
         std::chrono::steady_clock::now() >= login_deadline_;
}

size_t ManageSieveSession::LineLimit() const {
  if (state_ == State::kAuthenticated) return config_.max_line_bytes;
  return std::min(config_.max_line_bytes, config_.max_preauth_command_bytes);
}

size_t ManageSieveSession::CommandLimit() const {
  if (state_ != State::kAuthenticated) return config_.max_preauth_command_bytes;
  // A script literal plus the rest of its command.
  return LiteralLimit() + config_.max_line_bytes;
}

size_t ManageSieveSession::LiteralLimit() const {
  // Before login the whole command stays within max_preauth_command_bytes;
  // a literal may fill it, as a long SASL response (an OAUTHBEARER token)
  // cannot be quoted (1024 octets at most) and must be a literal.
  if (state_ != State::kAuthenticated) return config_.max_preauth_command_bytes;
  return std::min(config_.max_literal_bytes, sieve::Limits().max_script_bytes);
}

Task<void> RunManageSieveSession(plugin::SessionContext* context) {
  try {
    ManageSieveSession session(*context);
    co_await session.Run();
  } catch (...) {
    // Nothing may cross the plugin boundary.
  }
}

}  // namespace mailroom::managesieve
