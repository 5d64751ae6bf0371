// One POP3 session (RFC 1939, with CAPA/RESP-CODES from RFC 2449, STLS from
// RFC 2595, AUTH from RFC 5034, UTF8 from RFC 6856) over a host Connection.
//
// The maildrop is the user's INBOX, held exclusively through
// Store::LockMaildrop for the session: IMAP sessions and deliveries carry on
// meanwhile. Message numbers are fixed when the maildrop opens; a message
// that IMAP expunges afterwards keeps its number and answers -ERR. DELE only
// marks; QUIT expunges exactly the marked UIDs in one transaction. A session
// that ends any other way (dropped connection, timeout, shutdown) expunges
// nothing. RETR records the first retrieval (retention) and sets \Seen when
// the session ends.
//
// Clients fetch in order, and every store read costs a trip to the worker
// pool, so RETR/TOP read ahead: sequential access grows a window of
// following messages read in one trip (bounded in count and bytes), and
// once half of a window is sent the next one is read in the background
// while the client downloads the rest, so a sequential download does not
// wait for the store. A store change notification on INBOX invalidates
// what was read ahead, so a message another session expunged is never
// served from it.
//
// APOP is not offered: it needs the plaintext password (or an equivalent)
// on the server, and the store keeps only salted SCRAM keys.
//
// Thread-safety: not thread-safe; one session runs on one coroutine chain.
#ifndef MAILROOM_PROTOCOLS_POP3_POP3_SESSION_H_
#define MAILROOM_PROTOCOLS_POP3_POP3_SESSION_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "protocols/api/plugin.h"
#include "protocols/api/task.h"
#include "protocols/pop3/background_call.h"
#include "protocols/pop3/pop3_command.h"
#include "store/store.h"

namespace mailroom::pop3 {

// Config::options key: days messages stay on the server after their first
// retrieval (announced with CAPA EXPIRE; the store enforces it). Absent,
// "0" or "NEVER": no expiry.
inline constexpr char kExpireDaysOption[] = "pop3.expire_days";

class Pop3Session {
 public:
  // `context` and everything it points to outlive the session.
  explicit Pop3Session(const plugin::SessionContext& context);
  Pop3Session(const Pop3Session&) = delete;
  Pop3Session& operator=(const Pop3Session&) = delete;

  // Runs the session to its end. Never throws.
  plugin::Task<void> Run();

 private:
  enum class State { kAuthorization, kTransaction, kDone };

  struct Entry {
    store::Uid uid = 0;
    uint64_t size = 0;  // as sent, see message_lines.h
    bool deleted = false;
  };

  plugin::Task<void> Serve();
  plugin::Task<void> Dispatch(const Command& command);

  // AUTHORIZATION state.
  plugin::Task<void> HandleUser(const Command& command);
  plugin::Task<void> HandlePass(const Command& command);
  plugin::Task<void> HandleAuth(const Command& command);
  plugin::Task<void> HandleStls();
  void HandleCapa();
  // Locks and loads the maildrop; replies either way.
  plugin::Task<void> OpenMaildrop(store::Principal principal);

  // TRANSACTION state.
  void HandleStat();
  void HandleList(const Command& command);
  void HandleUidl(const Command& command);
  plugin::Task<void> HandleRetr(const Command& command, bool top);
  void HandleDele(const Command& command);
  void HandleRset();
  plugin::Task<void> ReleaseMaildrop();
  plugin::Task<void> HandleQuit();

  // The entry a message-number argument names, or nullptr after replying
  // -ERR.
  Entry* FindMessage(std::string_view number);
  // The bytes of message `index` (0-based), from the read-ahead or the
  // store; reads ahead on a miss.
  plugin::Task<absl::StatusOr<std::shared_ptr<const std::string>>> ReadEntry(
      size_t index);
  // Messages read together on the worker pool.
  struct Batch {
    uint64_t generation = 0;  // of INBOX, taken before the reads
    std::vector<size_t> indices;
    std::vector<absl::StatusOr<std::shared_ptr<const std::string>>> data;
  };
  // Up to `count` messages from index `first` on that are not marked
  // deleted, within the read-ahead byte bound (but at least one).
  std::vector<size_t> WindowFrom(size_t first, size_t count) const;
  // The reads of `indices`, to run on the worker pool: it copies what it
  // needs, so it may run while the session goes on.
  std::function<Batch()> ReadBatch(std::vector<size_t> indices) const;
  // Whether bytes read in `generation` still stand for INBOX: no change
  // since, other than this session's own \Seen marks.
  bool Current(uint64_t generation) const;
  // Keeps what `batch` read as read-ahead.
  void KeepBatch(Batch batch);
  // After message `index` was served: starts reading the next window in
  // the background once less than half a window is left.
  void MaybePrefetch(size_t index);
  // Records retrievals and \Seen for the messages RETR sent (best effort),
  // after what is being recorded in the background.
  plugin::Task<void> SaveRetrieved();
  // The same on the worker pool while the session goes on: a long download
  // does not wait for it every kRetrievedBatch messages.
  // REQUIRES: !saving_.started().
  void StartSavingRetrieved();
  // Waits for the background recording, if any, and takes its result.
  plugin::Task<void> FinishSavingRetrieved();

  void Ok(std::string_view text);
  void Err(std::string_view text);
  plugin::Task<void> FlushIfLarge();

  std::string ExpireCapability() const;
  bool PlaintextAllowed() const;
  // Before login: what is left of the login deadline.
  std::chrono::milliseconds ReadTimeout() const;
  bool LoginDeadlinePassed() const;
  // Longest command or SASL line: small before login.
  size_t LineLimit() const;

  plugin::Connection& conn_;
  store::MailStore& store_;
  plugin::Authenticator& auth_;
  const plugin::Config& config_;
  // Connection start plus unauthenticated_timeout: login must happen by then.
  const std::chrono::steady_clock::time_point login_deadline_;

  State state_ = State::kAuthorization;
  bool utf8_ = false;
  std::optional<std::string> pending_user_;  // after USER, until PASS

  std::optional<store::Principal> principal_;
  std::unique_ptr<store::Lease> lease_;
  store::MailboxId mailbox_ = 0;
  uint32_t uidvalidity_ = 0;
  std::vector<Entry> entries_;  // index = message number - 1
  std::vector<store::Uid> retrieved_;
  // A recording of retrievals on the worker pool: its result, and the INBOX
  // generations just before and after its \Seen commit.
  struct Saved {
    absl::Status status;
    bool marked = false;  // the commit changed flags
    uint64_t before = 0;
    uint64_t after = 0;
  };
  BackgroundCall<Saved> saving_;

  // Read-ahead. `generation_` counts INBOX changes (bumped by the store's
  // notification thread); cached bytes are valid only for the generation
  // they were read in.
  struct ReadAhead {
    uint64_t generation = 0;
    std::shared_ptr<const std::string> data;
  };
  std::shared_ptr<std::atomic<uint64_t>> generation_ =
      std::make_shared<std::atomic<uint64_t>>(0);
  // Generations that only this session's own \Seen marks made (a flag
  // change removes no message): bytes read before them are still current.
  std::set<uint64_t> own_generations_;
  std::map<size_t, ReadAhead> read_ahead_;  // by message index
  std::optional<size_t> last_read_;
  size_t window_ = 1;
  BackgroundCall<Batch> prefetch_;  // the next window, while it is read
  // Declared last: unsubscribes before the state above goes away.
  std::unique_ptr<store::Watch> watch_;
};

// The session entry point of the plugin descriptor.
plugin::Task<void> RunPop3Session(plugin::SessionContext* context);

}  // namespace mailroom::pop3

#endif  // MAILROOM_PROTOCOLS_POP3_POP3_SESSION_H_
