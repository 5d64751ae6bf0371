// One IMAP connection from greeting to logout: reads commands (with their
// literals), runs them against the store and writes the responses, keeping
// the selected mailbox's view in step with changes made by other sessions.
//
// Command handlers live in one file per command group (cmd_*.cc). Each
// returns the text of its tagged completion ("OK ...", "NO ...", "BAD ...");
// the session sends pending mailbox updates first, then the completion.
// An empty completion means the handler already finished the exchange.
//
// Every store call goes through plugin::Blocking so that it runs on the
// host's worker pool, never on a network thread.
//
// With NOTIFY (RFC 5465) active, the session also waits for store events
// between commands and announces them at once (cmd_notify.cc).
//
// Thread-safety: not thread-safe; one coroutine drives a Session. The store
// notification callbacks only touch an atomic flag, the thread-safe
// NotifyFilter and Connection::Wake().
#ifndef MAILROOM_PROTOCOLS_IMAP_SESSION_H_
#define MAILROOM_PROTOCOLS_IMAP_SESSION_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "protocols/api/plugin.h"
#include "protocols/api/task.h"
#include "protocols/imap/command.h"
#include "protocols/imap/command_parser.h"
#include "protocols/imap/mailbox_view.h"
#include "protocols/imap/notify_filter.h"
#include "protocols/imap/search_context.h"
#include "store/store.h"

namespace mailroom::imap {

using plugin::Task;

class Session {
 public:
  explicit Session(plugin::SessionContext* context);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Runs the session to its end. Never throws.
  Task<void> Run();

 private:
  enum class State { kNotAuthenticated, kAuthenticated, kSelected, kLogout };

  // ---- I/O (session.cc) ----------------------------------------------------
  struct Input {
    enum Kind { kCommand, kSkip, kClose } kind = kClose;
    std::string text;
  };
  Task<Input> ReadCommand();
  // Before login: what is left of the login deadline.
  std::chrono::milliseconds ReadTimeout() const;
  bool LoginDeadlinePassed() const;
  void Untagged(std::string_view text);
  void Tagged(std::string_view tag, std::string_view text);
  // Flushes when a lot of output is queued (large FETCH responses).
  Task<bool> MaybeFlush();
  Task<void> Execute(Command& command);
  Task<std::string> Dispatch(Command& command);
  bool AllowedInState(CommandName name) const;

  // ---- the selected mailbox (session.cc) ------------------------------------
  // Pulls changes of the selected mailbox from the store if notified (or
  // `force`) and announces them. Expunges only when `allow_expunge`.
  Task<void> SyncMailbox(bool allow_expunge, bool force = false);
  Task<void> PullChanges();
  // Flag changes stay pending when `announce_flags` is false.
  void AnnounceUpdates(bool allow_expunge, bool uid_command,
                       bool announce_flags = true);
  void Deselect();
  // "* n FETCH (FLAGS (...) [UID u] [MODSEQ (m)])".
  std::string FlagsFetchLine(uint32_t seq, bool with_uid);
  // The flag list of a message of the selected mailbox as this session
  // shows it (\Recent for IMAP4rev1), after a FLAGS response announcing
  // any keyword of it the client was not told of yet.
  std::string FlagListFor(const store::MessageMeta& m);
  // "* FLAGS (...)" and "* OK [PERMANENTFLAGS (...)]" of the selected
  // mailbox, with every keyword told to the client.
  void SendFlagsAndPermanentFlags();
  // A CONDSTORE enabling command (RFC 7162 section 3.1). With a mailbox
  // selected, the first one tells its HIGHESTMODSEQ, so that the client's
  // modseqs start from a value it knows.
  void EnableCondstore();
  // Claims \Recent for messages that arrived since the last claim (a
  // read-only session takes them without claiming).
  Task<void> ClaimRecent();

  // ---- names (session.cc) ---------------------------------------------------
  absl::StatusOr<std::string> DecodeMailbox(std::string_view wire) const;
  std::string EncodeMailbox(std::string_view utf8) const;
  bool utf8_names() const { return rev2_ || utf8_accept_; }
  std::string Capabilities() const;

  // ---- handlers -------------------------------------------------------------
  // cmd_general.cc
  Task<std::string> HandleCapability(Command& c);
  Task<std::string> HandleNoop(Command& c);
  Task<std::string> HandleLogout(Command& c);
  Task<std::string> HandleId(Command& c);
  Task<std::string> HandleEnable(Command& c);
  Task<std::string> HandleNamespace(Command& c);
  // cmd_auth.cc
  Task<std::string> HandleStartTls(Command& c);
  Task<std::string> HandleLogin(Command& c);
  Task<std::string> HandleAuthenticate(Command& c);
  Task<std::string> HandleUnauthenticate(Command& c);
  std::string LoggedIn(store::Principal principal);
  // cmd_mailbox.cc
  Task<std::string> HandleSelect(Command& c);
  Task<std::string> HandleCreate(Command& c);
  Task<std::string> HandleDelete(Command& c);
  Task<std::string> HandleRename(Command& c);
  Task<std::string> HandleSubscribe(Command& c, bool subscribe);
  Task<std::string> HandleStatus(Command& c);
  Task<std::string> HandleClose(Command& c, bool expunge);
  std::string StatusLine(const std::string& name,
                         const store::MailboxStatus& status,
                         const std::vector<std::string>& items) const;
  absl::StatusOr<std::string> ValidateStatusItems(
      const std::vector<std::string>& items) const;
  // cmd_list.cc
  Task<std::string> HandleList(Command& c, bool lsub);
  // cmd_append.cc
  Task<std::string> HandleAppend(Command& c);
  // Checks one APPEND-style message (size, NUL bytes, flags) and fills
  // `out`; returns "" or the completion to send. APPEND and REPLACE share it.
  std::string ToAppendRequest(const AppendMessage& m,
                              store::AppendRequest* out) const;
  // cmd_catenate.cc: replaces each CATENATE message's parts by the bytes
  // they name. Returns "" or the completion to send (NO [BADURL ...] etc.).
  Task<std::string> AssembleCatenated(Command& c);
  Task<std::string> HandleReplace(Command& c);  // cmd_replace.cc
  // cmd_message.cc
  Task<std::string> HandleStore(Command& c);
  Task<std::string> HandleCopy(Command& c, bool move);
  Task<std::string> HandleExpunge(Command& c);
  Task<std::string> HandleCheck(Command& c);
  // Sequence numbers for `set`, or a BAD text for an invalid message number.
  absl::StatusOr<std::vector<uint32_t>> SelectMessages(const SequenceSet& set,
                                                       bool uid) const;
  // cmd_search.cc
  Task<std::string> HandleSearch(Command& c);
  // The UIDs of the selected mailbox matching `parsed` (SEARCH and SORT):
  // sequence sets become UID ranges, the view answers what it can, the
  // store the rest. `key` receives the translated key. Worker pool.
  absl::StatusOr<std::vector<store::Uid>> SearchSelected(
      const ImapSearchKey& parsed, const std::vector<store::Uid>& recent,
      store::SearchKey* key);
  // cmd_sort.cc
  Task<std::string> HandleSortThread(Command& c);
  // The sort values of one message (`id` is what the client is given); the
  // envelope is read only when `envelope`. Runs store calls: worker pool.
  SortValues SortValuesOf(store::MailboxId mailbox,
                          const store::MessageMeta& meta, uint32_t id,
                          bool envelope);
  // cmd_context.cc: live SEARCH/SORT results (RFC 5267 section 4).
  Task<std::string> HandleCancelUpdate(Command& c);
  // Keeps the result of SEARCH/SORT ... RETURN (UPDATE) (UIDs, in result
  // order) live, or says NOUPDATE when over the limit.
  void KeepSearchContext(const Command& c, store::SearchKey key,
                         std::vector<store::Uid> result,
                         absl::flat_hash_map<store::Uid, SortValues> values);
  // Re-tests the changed messages against every context and sends ADDTO /
  // REMOVEFROM. Only where EXPUNGE may be sent.
  Task<void> UpdateSearchContexts();
  // cmd_fetch.cc
  Task<std::string> HandleFetch(Command& c);
  // cmd_idle.cc
  Task<std::string> HandleIdle(Command& c);
  // cmd_compress.cc
  Task<std::string> HandleCompress(Command& c);
  // cmd_acl_quota.cc
  Task<std::string> HandleGetAcl(Command& c);
  Task<std::string> HandleSetAcl(Command& c, bool remove);
  Task<std::string> HandleListRights(Command& c);
  Task<std::string> HandleMyRights(Command& c);
  Task<std::string> HandleGetQuota(Command& c);
  Task<std::string> HandleGetQuotaRoot(Command& c);
  Task<std::string> HandleSetQuota(Command& c);
  std::string QuotaLine(const store::QuotaUsage& usage) const;
  bool IsQuotaAdmin() const;
  // cmd_metadata.cc
  Task<std::string> HandleGetMetadata(Command& c);
  Task<std::string> HandleSetMetadata(Command& c);
  // "" (the server) stays "", other names as DecodeMailbox.
  absl::StatusOr<std::string> DecodeMetadataMailbox(
      std::string_view wire) const;
  // cmd_notify.cc
  Task<std::string> HandleNotify(Command& c);
  // Woken between commands or in IDLE: the selected mailbox's events as
  // NOTIFY asked for them, then those of other mailboxes.
  Task<void> NotifyAsync();
  // After a command: new-message FETCHes and other mailboxes' events.
  // `view_id` is the selected mailbox before the command (0 for none).
  Task<void> NotifyAfterCommand(store::MailboxId view_id,
                                uint32_t announced_before);
  // Queued events of other mailboxes: STATUS and LIST responses.
  Task<void> DeliverNotifications();
  // Re-reads the mailboxes the user may see and which events each one is
  // watched for; announces MailboxName/SubscriptionChange differences when
  // `announce`, \NoAccess mailboxes when `initial`.
  Task<void> RefreshNotifyMailboxes(bool announce, bool initial);
  // MessageNew's fetch-att list for messages past `announced_before`.
  Task<void> FetchNewForNotify(uint32_t announced_before);
  void StopNotify();
  const NotifyGroup* NotifySelectedGroup() const;
  std::vector<std::string> NotifyStatusItems() const;

  // A mailbox the user may see, as NOTIFY last saw it.
  struct NotifiedMailbox {
    std::string name;
    bool personal = false;
    bool noselect = false;
    bool has_children = false;
    bool subscribed = false;
    std::optional<std::string> special_use;
    bool readable = false;  // the 'r' right, checked only when watched
    bool message_events = false;  // MessageNew + MessageExpunge
    bool flag_events = false;
    bool name_events = false;
    bool metadata_events = false;  // MailboxMetadataChange
    std::optional<store::MailboxStatus> last;  // last status announced
    bool watched() const { return message_events && readable && !noselect; }
  };
  std::string NotifyListLine(const std::string& name, const NotifiedMailbox* m,
                             bool subscribed) const;
  bool NotifyGroupMatches(const NotifyGroup& g, const std::string& name,
                          bool personal, bool subscribed) const;

  plugin::SessionContext* context_;
  plugin::Connection& conn_;
  store::MailStore& store_;
  plugin::Authenticator& auth_;
  const plugin::Config& config_;
  ParseLimits limits_;
  // Connection start (or UNAUTHENTICATE) plus unauthenticated_timeout:
  // login must happen by then.
  std::chrono::steady_clock::time_point login_deadline_;

  State state_ = State::kNotAuthenticated;
  store::Principal principal_;
  std::string current_tag_;

  // Enabled extensions (ENABLE, or implied by a command).
  bool rev2_ = false;
  bool utf8_accept_ = false;
  bool condstore_ = false;
  bool qresync_ = false;

  std::optional<MailboxView> view_;
  std::unique_ptr<store::Watch> watch_;
  // Set by the store's notification callback (any thread).
  std::shared_ptr<std::atomic<bool>> changed_ =
      std::make_shared<std::atomic<bool>>(false);
  std::vector<store::Uid> saved_result_;  // SEARCHRES "$"
  SearchContexts search_contexts_{10};   // imap.max_search_contexts

  // NOTIFY: the active SET (names decoded), its filter shared with the
  // store callback, and the mailboxes it covers.
  std::optional<NotifyArgs> notify_;
  std::shared_ptr<NotifyFilter> notify_filter_;
  std::unique_ptr<store::Watch> notify_watch_;
  absl::flat_hash_map<store::MailboxId, NotifiedMailbox> notify_mailboxes_;
  std::set<std::string> notify_subscriptions_;
  // Mailboxes that became watched after NOTIFY SET (created, shared,
  // subscribed): checked against an empty baseline at the next delivery.
  std::vector<store::MailboxId> notify_recheck_;
  size_t notify_max_pending_ = 10000;
  // IDLE sends "* OK Still here" this often; zero: never.
  std::chrono::seconds idle_keepalive_{120};
};

// The plugin's session entry point.
Task<void> RunSession(plugin::SessionContext* context);

}  // namespace mailroom::imap

#endif  // MAILROOM_PROTOCOLS_IMAP_SESSION_H_
