// One LMTP session (RFC 2033) with PIPELINING, ENHANCEDSTATUSCODES, 8BITMIME,
// SMTPUTF8, SIZE, CHUNKING/BINARYMIME (BDAT) and STARTTLS.
//
// Recipients are local users of Config::local_domains; "user+detail@domain"
// goes to the folder `detail` when it exists and grants `p` to "anyone" (the
// sender is anonymous; the store decides, see store::DeliveryTarget), else
// to INBOX, so nobody can file mail into a folder its owner did not open
// for posting. The message is
// stored once for all recipients (Store::Deliver) only after the whole body
// arrived; a connection lost before that stores nothing. After the final dot
// (or BDAT LAST) there is one reply per accepted recipient, sent once the
// message is durable for that recipient. Each recipient's Sieve scripts
// decide where their copy goes (sieve_delivery.h); a Sieve reject is that
// recipient's 550 5.7.1 alone.
//
// Thread-safety: not thread-safe; one session runs on one coroutine chain.
#ifndef MAILROOM_PROTOCOLS_LMTP_LMTP_SESSION_H_
#define MAILROOM_PROTOCOLS_LMTP_LMTP_SESSION_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "protocols/api/plugin.h"
#include "protocols/api/task.h"
#include "protocols/lmtp/lmtp_command.h"
#include "protocols/lmtp/message_buffer.h"
#include "protocols/lmtp/sieve_delivery.h"
#include "store/store.h"

namespace mailroom::lmtp {

class LmtpSession {
 public:
  // `context` and everything it points to outlive the session.
  explicit LmtpSession(const plugin::SessionContext& context);
  LmtpSession(const LmtpSession&) = delete;
  LmtpSession& operator=(const LmtpSession&) = delete;

  // Runs the session to its end. Never throws.
  plugin::Task<void> Run();

 private:
  struct AcceptedRecipient {
    std::string address;  // as given in RCPT TO
    std::string domain;   // its domain, lower case
    store::DeliveryTarget target;
  };
  struct Transaction {
    std::string reverse_path;
    MailParams params;
    std::vector<AcceptedRecipient> recipients;
    std::optional<MessageBuffer> chunks;  // set once BDAT started
    bool failed_chunking = false;  // a BDAT failed: discard until RSET/LAST
  };

  plugin::Task<void> Serve();
  plugin::Task<void> Dispatch(const Command& command);

  void HandleLhlo(const Command& command);
  void HandleMail(const Command& command);
  plugin::Task<void> HandleRcpt(const Command& command);
  plugin::Task<void> HandleData();
  plugin::Task<void> HandleBdat(const Command& command);
  plugin::Task<void> HandleStartTls();

  // Stores `body` for every accepted recipient and replies once per
  // recipient; ends the transaction.
  plugin::Task<void> Deliver(std::string body);
  // Deliver's work when Sieve runs (sieve_delivery.h): `data` for every
  // recipient as their scripts say; one reply each.
  plugin::Task<void> DeliverFiltered(const Transaction& transaction,
                                     std::string data);
  // One reply per recipient, all the same (a failure of the whole message).
  void ReplyToAll(std::string_view reply);
  // The reply for one recipient's delivery result.
  static std::string DeliveryReply(const absl::Status& status,
                                   std::string_view address);

  void Reply(std::string_view line);
  // Reads `n` bytes of a BDAT chunk into `buffer` (or discards them when
  // null) without holding more than a bounded piece at a time. False when
  // the connection failed (the session then ends).
  plugin::Task<bool> ReadChunk(uint64_t n, MessageBuffer* buffer);
  // Replies to a failed read and ends the session.
  void ReadFailed(const absl::Status& status);
  // Before LHLO: what is left of the LHLO deadline; after it, the idle
  // timeout.
  std::chrono::milliseconds CommandTimeout() const;

  plugin::Connection& conn_;
  store::MailStore& store_;
  const plugin::Config& config_;
  // Set by the host for LMTP: what Sieve filtering acts as. Without it
  // (or with lmtp.sieve = false) messages are delivered unfiltered.
  store::Principal (*const delivery_principal_)(std::string_view user);
  SieveSettings sieve_settings_;
  // Connection start plus lmtp_lhlo_timeout: LHLO must arrive by then.
  const std::chrono::steady_clock::time_point lhlo_deadline_;

  bool done_ = false;
  std::optional<std::string> helo_;  // after LHLO
  // Once set (even if STARTTLS asks for LHLO again), no LHLO deadline.
  bool lhlo_seen_ = false;
  std::optional<Transaction> transaction_;  // after MAIL
};

// The session entry point of the plugin descriptor.
plugin::Task<void> RunLmtpSession(plugin::SessionContext* context);

}  // namespace mailroom::lmtp

#endif  // MAILROOM_PROTOCOLS_LMTP_LMTP_SESSION_H_
