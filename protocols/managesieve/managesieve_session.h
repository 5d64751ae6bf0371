// One ManageSieve session (RFC 5804) over a host Connection: the user
// uploads, checks, lists, activates, downloads, renames and deletes their
// Sieve scripts, kept by the store per owner (the logged-in user).
//
// Everything about security comes from the host: TLS and STARTTLS, the SASL
// mechanisms (Authenticator), whether plaintext mechanisms may be used
// without TLS, and the slowing down of failed logins. Limits come from the
// host Config as well: the line limit, and before login the command limit
// (max_preauth_command_bytes, literals included); after login a literal may hold a script of up to
// min(max_literal_bytes, the Sieve compiler's max_script_bytes) octets, and
// the script of a PUTSCRIPT is first checked against the owner's limits in
// the store (HAVESPACE's check). A literal over either is read and thrown
// away unbuffered (the client sends it without waiting) and answered NO
// (QUOTA/MAXSIZE) or NO (QUOTA/MAXSCRIPTS); before login a literal over the
// limit ends the session instead, so an unauthenticated client cannot make
// the server read much.
//
// The owner's rights are enforced by the store (a user reaches only their
// own scripts).
//
// Thread-safety: not thread-safe; one session runs on one coroutine chain.
#ifndef MAILROOM_PROTOCOLS_MANAGESIEVE_MANAGESIEVE_SESSION_H_
#define MAILROOM_PROTOCOLS_MANAGESIEVE_MANAGESIEVE_SESSION_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "protocols/api/plugin.h"
#include "protocols/api/task.h"
#include "protocols/managesieve/command_parser.h"
#include "store/store.h"

namespace mailroom::managesieve {

class ManageSieveSession {
 public:
  // `context` and everything it points to outlive the session.
  explicit ManageSieveSession(const plugin::SessionContext& context);
  ManageSieveSession(const ManageSieveSession&) = delete;
  ManageSieveSession& operator=(const ManageSieveSession&) = delete;

  // Runs the session to its end. Never throws.
  plugin::Task<void> Run();

 private:
  enum class State { kNonAuthenticated, kAuthenticated, kDone };

  // What reading one command gave.
  enum class ReadOutcome {
    kCommand,   // `text` holds the command
    kRejected,  // answered NO already (too long); read the next one
    kEnd,       // the session ends (answered BYE when there was a reason)
  };

  plugin::Task<void> Serve();
  plugin::Task<void> Dispatch(const Command& command);
  // Reads a command with its literals into `*text`.
  plugin::Task<ReadOutcome> ReadCommand(std::string* text);
  // For a literal announced after `head`: when head is "PUTSCRIPT name ",
  // whether the store would take a script of `size` octets (its
  // kResourceExhausted), else OK.
  plugin::Task<absl::Status> CheckScriptSpace(std::string_view head,
                                              uint64_t size);
  // Reads and drops `size` octets of a literal that is over its limit, and
  // the rest of its command.
  plugin::Task<bool> DiscardLiteral(uint64_t size);

  // Any state (cmd_general.cc).
  void WriteCapabilities();
  void HandleCapability(const Command& command);
  void HandleNoop(const Command& command);
  void HandleLogout(const Command& command);
  plugin::Task<void> HandleStartTls(const Command& command);
  plugin::Task<void> HandleAuthenticate(const Command& command);
  void HandleUnauthenticate(const Command& command);
  // AUTHENTICATE's challenges and responses as strings (cmd_general.cc).
  class SaslStringWire;

  // Authenticated state (cmd_scripts.cc).
  plugin::Task<void> HandleHaveSpace(const Command& command);
  plugin::Task<void> HandlePutScript(const Command& command);
  plugin::Task<void> HandleCheckScript(const Command& command);
  plugin::Task<void> HandleListScripts(const Command& command);
  plugin::Task<void> HandleSetActive(const Command& command);
  plugin::Task<void> HandleGetScript(const Command& command);
  plugin::Task<void> HandleDeleteScript(const Command& command);
  plugin::Task<void> HandleRenameScript(const Command& command);

  // Replies to a failed store call with the RFC 5804 response code its
  // status carries.
  void ReplyStoreError(const absl::Status& status);

  void Ok(std::string_view text, std::string_view code = "");
  void No(std::string_view text, std::string_view code = "");
  void Bye(std::string_view text, std::string_view code = "");

  bool PlaintextAllowed() const;
  // Before login: what is left of the login deadline.
  std::chrono::milliseconds ReadTimeout() const;
  bool LoginDeadlinePassed() const;
  size_t LineLimit() const;
  size_t CommandLimit() const;
  size_t LiteralLimit() const;
  const std::string& owner() const { return principal_->user(); }

  plugin::Connection& conn_;
  store::MailStore& store_;
  plugin::Authenticator& auth_;
  const plugin::Config& config_;
  // Login must happen by then (restarted by UNAUTHENTICATE).
  std::chrono::steady_clock::time_point login_deadline_;

  State state_ = State::kNonAuthenticated;
  std::optional<store::Principal> principal_;
};

// The session entry point of the plugin descriptor.
plugin::Task<void> RunManageSieveSession(plugin::SessionContext* context);

}  // namespace mailroom::managesieve

#endif  // MAILROOM_PROTOCOLS_MANAGESIEVE_MANAGESIEVE_SESSION_H_
