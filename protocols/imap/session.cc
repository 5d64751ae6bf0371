#include "protocols/imap/session.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/mutf7.h"
#include "protocols/imap/response.h"
#include "protocols/imap/strings.h"

namespace mailroom::imap {
namespace {

using namespace std::chrono_literals;

// RFC 9051 section 5.4: the autologout timer is at least 30 minutes.
constexpr std::chrono::milliseconds kMinIdleTimeout = 30min;
// Bounds on one command's literals (MULTIAPPEND may carry many).
constexpr size_t kMaxLiteralsPerCommand = 1000;
// Output queued before a FETCH flushes.
constexpr size_t kFlushThreshold = 256 * 1024;

// A literal announcement at the end of a line: "{n}", "{n+}", "~{n}".
struct LiteralSpec {
  uint64_t size = 0;
  bool synchronizing = true;
};

// Whether a command's first line is APPEND or [UID] REPLACE (RFC 8508),
// which carry messages.
bool IsAppendLine(std::string_view line) {
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) return false;
  std::string_view rest = line.substr(space + 1);
  auto starts = [&rest](std::string_view word) {
    return rest.size() > word.size() && rest[word.size()] == ' ' &&
           EqualsNoCase(rest.substr(0, word.size()), word);
  };
  if (starts("UID")) rest.remove_prefix(4);
  return starts("APPEND") || starts("REPLACE");
}

std::optional<LiteralSpec> TrailingLiteral(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  const size_t open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view inner = line.substr(open + 1, line.size() - open - 2);
  LiteralSpec spec;
  if (!inner.empty() && (inner.back() == '+' || inner.back() == '-')) {
    spec.synchronizing = false;
    inner.remove_suffix(1);
  }
  if (inner.empty() || inner.size() > 19) return std::nullopt;
  for (char c : inner) {
    if (c < '0' || c > '9') return std::nullopt;
    spec.size = spec.size * 10 + static_cast<uint64_t>(c - '0');
  }
  return spec;
}

}  // namespace

Session::Session(plugin::SessionContext* context)
    : context_(context),
      conn_(*context->connection),
      store_(*context->store),
      auth_(*context->auth),
      config_(*context->config),
      login_deadline_(std::chrono::steady_clock::now() +
                      config_.unauthenticated_timeout) {
  auto opt = [&](const char* key, auto fallback) {
    auto it = config_.options.find(key);
    if (it == config_.options.end()) return fallback;
    try {
      return static_cast<decltype(fallback)>(std::stoull(it->second));
    } catch (...) {
      return fallback;
    }
  };
  limits_.max_depth = opt("imap.max_nesting_depth", 64);
  limits_.max_sequence_elements =
      opt("imap.max_sequence_set_elements", size_t{100000});
  limits_.max_search_keys = opt("imap.max_search_keys", size_t{1000});
  limits_.max_flags = opt("imap.max_flags", size_t{1000});
  limits_.max_fetch_attributes = opt("imap.max_fetch_attributes", size_t{1000});
  limits_.max_list_pattern_bytes =
      opt("imap.max_list_pattern_bytes", size_t{1024});
  limits_.max_catenate_parts = opt("imap.max_catenate_parts", size_t{100});
  notify_max_pending_ = opt("imap.notify_max_pending", size_t{10000});
  search_contexts_.set_max(opt("imap.max_search_contexts", size_t{10}));
  idle_keepalive_ =
      std::chrono::seconds(opt("imap.idle_keepalive_seconds", int64_t{120}));
  limits_.max_metadata_entries =
      opt("imap.max_metadata_entries", size_t{1000});
  SharedVersions::Global().SetRetention(
      opt("imap.closed_mailbox_cache_mb", size_t{128}) << 20,
      std::chrono::seconds(
          opt("imap.closed_mailbox_cache_seconds", int64_t{600})));
}

Session::~Session() {
  watch_.reset();
  notify_watch_.reset();
}

std::chrono::milliseconds Session::ReadTimeout() const {
  if (state_ == State::kNotAuthenticated) {
    // What is left of the login deadline, not a fresh period per read.
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(
                        login_deadline_ - std::chrono::steady_clock::now()));
  }
  return std::max(config_.idle_timeout, kMinIdleTimeout);
}

bool Session::LoginDeadlinePassed() const {
  return state_ == State::kNotAuthenticated &&
         std::chrono::steady_clock::now() >= login_deadline_;
}

void Session::Untagged(std::string_view text) {
  conn_.Write("* ");
  conn_.Write(text);
  conn_.Write("\r\n");
}

void Session::Tagged(std::string_view tag, std::string_view text) {
  conn_.Write(tag);
  conn_.Write(" ");
  conn_.Write(text);
  conn_.Write("\r\n");
}

Task<bool> Session::MaybeFlush() {
  if (conn_.buffered_output() < kFlushThreshold) co_return true;
  const absl::Status s = co_await conn_.Flush();
  co_return s.ok();
}

Task<Session::Input> Session::ReadCommand() {
  Input in;
  std::string tag;
  size_t literals = 0;
  // Limits of this command: small before login; after it, APPEND may carry
  // messages and everything else stays under max_command_bytes.
  const bool preauth = state_ == State::kNotAuthenticated;
  size_t command_limit = preauth ? config_.max_preauth_command_bytes
                                 : config_.max_command_bytes;
  size_t literal_limit = preauth ? config_.max_preauth_literal_bytes
                                 : config_.max_command_bytes;
  bool message_literals = false;
  while (true) {
    // A line may not take the command past its limit either.
    const size_t room =
        command_limit > in.text.size() ? command_limit - in.text.size() : 0;
    const size_t line_limit = std::min(config_.max_line_bytes, room);
    absl::StatusOr<std::string> line =
        co_await conn_.ReadLine(line_limit, ReadTimeout());
    if (!line.ok()) {
      switch (line.status().code()) {
        case absl::StatusCode::kResourceExhausted: {
          const std::string_view text =
              line_limit < config_.max_line_bytes
                  ? "BAD [TOOBIG] Command too long"
                  : "BAD [TOOBIG] Line too long";
          if (tag.empty()) {
            Untagged(text);
          } else {
            Tagged(tag, text);
          }
          in.kind = Input::kSkip;
          co_return in;
        }
        case absl::StatusCode::kDeadlineExceeded:
          Untagged(preauth ? "BYE Autologout; login took too long"
                           : "BYE Autologout; idle for too long");
          break;
        case absl::StatusCode::kCancelled:
          Untagged("BYE Server shutting down");
          break;
        default:
          break;
      }
      in.kind = Input::kClose;
      co_return in;
    }
    if (in.text.empty()) {
      tag = TagOf(*line);
      if (!preauth && IsAppendLine(*line)) {
        command_limit = std::max(config_.max_append_bytes, command_limit);
        literal_limit = config_.max_literal_bytes;
        message_literals = true;
      }
    }
    in.text += *line;
    const auto spec = TrailingLiteral(*line);
    if (!spec) {
      in.kind = Input::kCommand;
      co_return in;
    }
    // The literal and the CRLF that ends it must fit in what is left.
    const uint64_t left = command_limit > in.text.size() + 2
                              ? command_limit - in.text.size() - 2
                              : 0;
    const bool literal_too_big = spec->size > literal_limit;
    if (literal_too_big || spec->size > left ||
        ++literals > kMaxLiteralsPerCommand) {
      if (message_literals && literal_too_big) {
        // RFC 7889: a message over APPENDLIMIT.
        Tagged(tag, absl::StrCat("NO [TOOBIG] Literal exceeds the limit of ",
                                 literal_limit, " bytes"));
      } else if (preauth) {
        Tagged(tag, absl::StrCat("BAD [TOOBIG] Before login a literal may "
                                 "have at most ",
                                 literal_limit, " bytes and a command ",
                                 command_limit));
      } else {
        Tagged(tag, absl::StrCat("BAD [TOOBIG] Command exceeds the limit of ",
                                 command_limit, " bytes"));
      }
      if (spec->synchronizing) {
        // The client waits for "+" and will not send the literal.
        in.kind = Input::kSkip;
        co_return in;
      }
      // RFC 7888 section 4: the bytes are on their way and would be read as
      // commands; reading them to discard would let the client keep us busy.
      Untagged("BYE Literal too big");
      in.kind = Input::kClose;
      co_return in;
    }
    if (spec->synchronizing) {
      conn_.Write("+ Ready for literal data\r\n");
      if (!(co_await conn_.Flush()).ok()) co_return in;
    }
    absl::StatusOr<std::string> data =
        co_await conn_.ReadExactly(spec->size, ReadTimeout());
    if (!data.ok()) {
      if (data.status().code() == absl::StatusCode::kDeadlineExceeded) {
        Untagged(preauth ? "BYE Autologout; login took too long"
                         : "BYE Autologout; idle for too long");
      }
      in.kind = Input::kClose;
      co_return in;
    }
    in.text += "\r\n";
    in.text += *data;
  }
}

Task<void> Session::Run() {
  Untagged(absl::StrCat("OK [CAPABILITY ", Capabilities(), "] ",
                        config_.hostname, " Mailroom IMAP ready"));
  while (state_ != State::kLogout) {
    if (!(co_await conn_.Flush()).ok()) break;
    if (conn_.shutting_down()) {
      Untagged("BYE Server shutting down");
      break;
    }
    if (LoginDeadlinePassed()) {
      // Checked between commands too: a client that keeps the input busy
      // (NOOP after NOOP) never makes a read wait long enough to time out.
      Untagged("BYE Autologout; login took too long");
      break;
    }
    if (notify_) {
      // NOTIFY: events are sent between commands too (RFC 5465 section 3.1).
      const plugin::Connection::WaitResult r =
          co_await conn_.WaitForInput(ReadTimeout());
      if (r == plugin::Connection::WaitResult::kWoken) {
        if (!conn_.shutting_down()) co_await NotifyAsync();
        continue;
      }
      if (r == plugin::Connection::WaitResult::kTimeout) {
        Untagged("BYE Autologout; idle for too long");
        break;
      }
      if (r == plugin::Connection::WaitResult::kClosed) break;
    }
    Input in = co_await ReadCommand();
    if (in.kind == Input::kClose) break;
    if (in.kind == Input::kSkip) continue;
    absl::StatusOr<Command> command = ParseCommand(in.text, limits_);
    if (!command.ok()) {
      const std::string tag = TagOf(in.text);
      const std::string text =
          command.status().code() == absl::StatusCode::kNotFound
              ? "BAD Unknown command"
              : absl::StrCat("BAD ", std::string(command.status().message()));
      if (tag == "*") {
        Untagged(text);
      } else {
        Tagged(tag, text);
      }
      continue;
    }
    co_await Execute(*command);
  }
  co_await conn_.Flush();
  Deselect();
}

Task<void> Session::Execute(Command& c) {
  current_tag_ = c.tag;
  if (!AllowedInState(c.name)) {
    Tagged(c.tag, state_ == State::kNotAuthenticated
                      ? "BAD Not authenticated"
                  : state_ == State::kSelected || c.name != CommandName::kLogin
                      ? "BAD Command not valid in this state"
                      : "BAD Already authenticated");
    co_return;
  }
  // What the client knew of the selected mailbox, for NOTIFY's MessageNew
  // FETCH of messages that arrive during the command: none for a mailbox
  // just selected, nor for messages this client added itself (RFC 5465
  // section 5.2).
  const bool no_new_fetch =
      c.name == CommandName::kSelect || c.name == CommandName::kExamine ||
      c.name == CommandName::kAppend || c.name == CommandName::kReplace ||
      c.name == CommandName::kCopy ||
      c.name == CommandName::kMove;
  const store::MailboxId view_before =
      view_ && !no_new_fetch ? view_->id() : 0;
  const uint32_t announced_before = view_ ? view_->announced_count() : 0;
  std::string result;
  try {
    result = co_await Dispatch(c);
  } catch (const std::exception& e) {
    conn_.Log(absl::StrCat("imap: command failed: ", e.what()));
    result = "NO [SERVERBUG] Internal error";
  }
  if (result.empty()) co_return;
  if (state_ == State::kSelected) {
    const bool no_expunge = !c.uid && (c.name == CommandName::kFetch ||
                                       c.name == CommandName::kStore ||
                                       c.name == CommandName::kSearch ||
                                       c.name == CommandName::kSort ||
                                       c.name == CommandName::kThread);
    co_await SyncMailbox(!no_expunge);
  }
  if (notify_) {
    using N = CommandName;
    if (c.name == N::kCreate || c.name == N::kDelete || c.name == N::kRename ||
        c.name == N::kSubscribe || c.name == N::kUnsubscribe ||
        c.name == N::kSetAcl || c.name == N::kDeleteAcl) {
      // Our own mailbox-list changes are not announced back to us (RFC 5465
      // section 5): take them in silently.
      co_await RefreshNotifyMailboxes(/*announce=*/false, /*initial=*/false);
    }
    co_await NotifyAfterCommand(view_before, announced_before);
  }
  Tagged(c.tag, result);
}

bool Session::AllowedInState(CommandName name) const {
  using N = CommandName;
  switch (name) {
    case N::kCapability: case N::kNoop: case N::kLogout: case N::kId:
      return true;
    case N::kStartTls: case N::kAuthenticate: case N::kLogin:
      return state_ == State::kNotAuthenticated;
    case N::kCheck: case N::kClose: case N::kUnselect: case N::kExpunge:
    case N::kSearch: case N::kFetch: case N::kStore: case N::kCopy:
    case N::kMove: case N::kSort: case N::kThread: case N::kReplace:
    case N::kCancelUpdate:
      return state_ == State::kSelected;
    default:
      return state_ == State::kAuthenticated || state_ == State::kSelected;
  }
}

Task<std::string> Session::Dispatch(Command& c) {
  using N = CommandName;
  switch (c.name) {
    case N::kCapability: return HandleCapability(c);
    case N::kNoop: return HandleNoop(c);
    case N::kLogout: return HandleLogout(c);
    case N::kId: return HandleId(c);
    case N::kEnable: return HandleEnable(c);
    case N::kNamespace: return HandleNamespace(c);
    case N::kStartTls: return HandleStartTls(c);
    case N::kLogin: return HandleLogin(c);
    case N::kAuthenticate: return HandleAuthenticate(c);
    case N::kSelect: case N::kExamine: return HandleSelect(c);
    case N::kCreate: return HandleCreate(c);
    case N::kDelete: return HandleDelete(c);
    case N::kRename: return HandleRename(c);
    case N::kSubscribe: return HandleSubscribe(c, true);
    case N::kUnsubscribe: return HandleSubscribe(c, false);
    case N::kList: return HandleList(c, false);
    case N::kLsub: return HandleList(c, true);
    case N::kStatus: return HandleStatus(c);
    case N::kAppend: return HandleAppend(c);
    case N::kReplace: return HandleReplace(c);
    case N::kIdle: return HandleIdle(c);
    case N::kCheck: return HandleCheck(c);
    case N::kClose: return HandleClose(c, true);
    case N::kUnselect: return HandleClose(c, false);
    case N::kExpunge: return HandleExpunge(c);
    case N::kSearch: return HandleSearch(c);
    case N::kSort: case N::kThread: return HandleSortThread(c);
    case N::kFetch: return HandleFetch(c);
    case N::kStore: return HandleStore(c);
    case N::kCopy: return HandleCopy(c, false);
    case N::kMove: return HandleCopy(c, true);
    case N::kGetAcl: return HandleGetAcl(c);
    case N::kSetAcl: return HandleSetAcl(c, false);
    case N::kDeleteAcl: return HandleSetAcl(c, true);
    case N::kListRights: return HandleListRights(c);
    case N::kMyRights: return HandleMyRights(c);
    case N::kGetQuota: return HandleGetQuota(c);
    case N::kGetQuotaRoot: return HandleGetQuotaRoot(c);
    case N::kSetQuota: return HandleSetQuota(c);
    case N::kNotify: return HandleNotify(c);
    case N::kCompress: return HandleCompress(c);
    case N::kUnauthenticate: return HandleUnauthenticate(c);
    case N::kGetMetadata: return HandleGetMetadata(c);
    case N::kSetMetadata: return HandleSetMetadata(c);
    case N::kCancelUpdate: return HandleCancelUpdate(c);
  }
  return HandleNoop(c);
}

// ---- the selected mailbox --------------------------------------------------

Task<void> Session::PullChanges() {
  if (!view_) co_return;
  changed_->store(false);
  const store::MailboxId id = view_->id();
  const store::ModSeq since = view_->highest_modseq();
  absl::StatusOr<store::Changes> changes = co_await plugin::Blocking(
      conn_, [&] { return store_.ChangesSince(principal_, id, since); });
  if (!changes.ok()) {
    if (changes.status().code() == absl::StatusCode::kNotFound) {
      // The mailbox was deleted or our right to see it was removed.
      Untagged("BYE [UNAVAILABLE] The selected mailbox no longer exists");
      Deselect();
      state_ = State::kLogout;
    }
    co_return;
  }
  view_->Absorb(*changes);
  co_await ClaimRecent();
  if (!view_) co_return;
  if (!changes->vanished_complete) {
    // Expunge records were dropped: learn what is still there.
    std::vector<store::Uid> known = view_->Uids();
    absl::StatusOr<std::vector<store::MessageMeta>> present =
        co_await plugin::Blocking(
            conn_, [&] { return store_.GetMessages(principal_, id, known); });
    if (present.ok()) {
      std::vector<store::Uid> gone;
      size_t j = 0;
      for (store::Uid uid : known) {
        while (j < present->size() && (*present)[j].uid < uid) ++j;
        if (j >= present->size() || (*present)[j].uid != uid) {
          gone.push_back(uid);
        }
      }
      view_->MarkExpunged(gone);
    }
  }
}

Task<void> Session::SyncMailbox(bool allow_expunge, bool force) {
  if (!view_) co_return;
  if (force || changed_->load()) co_await PullChanges();
  if (!view_) co_return;
  AnnounceUpdates(allow_expunge, false);
  if (allow_expunge) co_await UpdateSearchContexts();
}

void Session::AnnounceUpdates(bool allow_expunge, bool uid_command,
                              bool announce_flags) {
  if (!view_) return;
  if (allow_expunge && view_->has_pending_expunges()) {
    // REMOVEFROM before EXPUNGE: sequence numbers are still valid.
    for (const std::string& line : search_contexts_.Expunge(
             view_->pending_expunges(), [this](store::Uid uid) {
               return view_->SeqOf(uid).value_or(0);
             })) {
      Untagged(line);
    }
    std::vector<store::Uid> uids;
    const std::vector<uint32_t> seqs = view_->TakeExpunges(&uids);
    if (qresync_) {
      if (!uids.empty()) Untagged(absl::StrCat("VANISHED ", FormatNumberSet(uids)));
    } else {
      for (uint32_t seq : seqs) Untagged(absl::StrCat(seq, " EXPUNGE"));
    }
  }
  if (view_->count_changed()) {
    Untagged(absl::StrCat(view_->count(), " EXISTS"));
    if (!rev2_) Untagged(absl::StrCat(view_->recent_count(), " RECENT"));
    view_->set_announced_count();
  }
  if (!announce_flags) return;
  // RFC 5465 section 5.1: FlagChange FETCHes carry the UID.
  const bool with_uid =
      uid_command || qresync_ || NotifySelectedGroup() != nullptr;
  for (store::Uid uid : view_->TakeFlagChanges()) {
    if (auto seq = view_->SeqOf(uid)) {
      Untagged(FlagsFetchLine(*seq, with_uid));
    }
  }
}

std::string Session::FlagsFetchLine(uint32_t seq, bool with_uid) {
  const store::MessageMeta m = view_->MessageAt(seq);
  std::string line = absl::StrCat(seq, " FETCH (");
  if (with_uid) absl::StrAppend(&line, "UID ", m.uid, " ");
  absl::StrAppend(&line, "FLAGS ", FlagListFor(m));
  if (condstore_) absl::StrAppend(&line, " MODSEQ (", m.modseq, ")");
  line += ")";
  return line;
}

std::string Session::FlagListFor(const store::MessageMeta& m) {
  if (view_->LearnKeywords(m.flags)) SendFlagsAndPermanentFlags();
  return FlagListOf(m.flags, !rev2_ && view_->is_recent(m.uid));
}

void Session::SendFlagsAndPermanentFlags() {
  std::string keywords;
  for (const std::string& k : view_->keywords()) {
    absl::StrAppend(&keywords, " ", k);
  }
  Untagged(absl::StrCat("FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft",
                        keywords, ")"));
  Untagged(absl::StrCat("OK [PERMANENTFLAGS (",
                        view_->read_only()
                            ? ""
                            : absl::StrCat("\\Answered \\Flagged \\Deleted "
                                           "\\Seen \\Draft",
                                           keywords,
                                           // RFC 3501 section 7.1: \* only
                                           // while new keywords may be made.
                                           view_->keywords_full() ? ""
                                                                  : " \\*"),
                        ")] Flags permitted"));
}

void Session::EnableCondstore() {
  if (condstore_) return;
  condstore_ = true;
  if (view_) {
    Untagged(absl::StrCat("OK [HIGHESTMODSEQ ", view_->highest_modseq(),
                          "] Highest"));
  }
}

Task<void> Session::ClaimRecent() {
  if (!view_) co_return;
  const store::Uid last = view_->max_uid();
  const store::Uid checked = view_->recent_checked();
  if (last <= checked) co_return;
  if (view_->read_only()) {
    // RFC 3501 section 2.3.2: a read-only session sees \Recent without
    // taking it from the session that claims it.
    view_->AddRecent(std::max(checked, view_->recent_claimed_at_open()), last);
    co_return;
  }
  if (view_->recent_claimed_at_open() >= last) {
    // Every message was claimed before we opened the mailbox.
    view_->AddRecent(last, last);
    co_return;
  }
  const store::MailboxId id = view_->id();
  absl::StatusOr<store::Uid> before = co_await plugin::Blocking(
      conn_, [&] { return store_.ClaimRecent(principal_, id, last); });
  if (!view_) co_return;
  // Without a claim (no right, a store without \Recent) nothing is \Recent.
  view_->AddRecent(before.ok() ? std::max(*before, checked) : last, last);
}

void Session::Deselect() {
  watch_.reset();
  view_.reset();
  saved_result_.clear();
  search_contexts_.Clear();
  if (state_ == State::kSelected) state_ = State::kAuthenticated;
}

// ---- names -------------------------------------------------------------------

absl::StatusOr<std::string> Session::DecodeMailbox(std::string_view wire) const {
  std::string name;
  if (utf8_names()) {
    name = std::string(wire);
  } else {
    absl::StatusOr<std::string> decoded =
        base::DecodeMutf7(wire, base::Mutf7Decoding::kStrict);
    if (!decoded.ok()) return decoded.status();
    name = std::move(*decoded);
  }
  // INBOX is case-insensitive, also as the first level of a hierarchy.
  if (name.size() >= 5 && EqualsNoCase(std::string_view(name).substr(0, 5), "INBOX") &&
      (name.size() == 5 || name[5] == store::kDelimiter)) {
    name.replace(0, 5, "INBOX");
  }
  return name;
}

std::string Session::EncodeMailbox(std::string_view utf8) const {
  if (utf8_names()) return AStringOf(std::string(utf8), true);
  // The store keeps valid UTF-8 names only, so encoding cannot fail.
  return AStringOf(base::EncodeMutf7(utf8).value_or(std::string(utf8)), false);
}

std::string Session::Capabilities() const {
  std::vector<std::string> caps = {"IMAP4rev1", "IMAP4rev2"};
  const bool tls = conn_.tls_active();
  if (state_ == State::kNotAuthenticated) {
    if (!tls && conn_.tls_available() && !conn_.compression_active()) {
      caps.push_back("STARTTLS");
    }
    if (!auth_.PlaintextAllowed(conn_)) caps.push_back("LOGINDISABLED");
    for (const std::string& m : auth_.Mechanisms(conn_)) {
      caps.push_back("AUTH=" + m);
    }
    caps.push_back("SASL-IR");
  }
  // Before login only small literals are read (max_preauth_literal_bytes):
  // LITERAL- (RFC 7888) tells clients to synchronize anything above 4096.
  caps.push_back(state_ == State::kNotAuthenticated ? "LITERAL-" : "LITERAL+");
  for (const char* c :
       {"ID", "ENABLE", "IDLE", "NAMESPACE", "UNSELECT", "UIDPLUS",
        "MOVE", "CHILDREN", "LIST-EXTENDED", "LIST-STATUS", "SPECIAL-USE",
        "CREATE-SPECIAL-USE", "MULTIAPPEND", "BINARY", "ESEARCH", "SEARCHRES",
        "WITHIN", "CONDSTORE", "QRESYNC", "UTF8=ACCEPT", "ACL", "RIGHTS=texk",
        "QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE", "QUOTASET",
        "NOTIFY", "STATUS=SIZE", "SAVEDATE", "CATENATE", "OBJECTID",
        "PREVIEW", "REPLACE", "METADATA", "METADATA-SERVER", "SORT",
        "SORT=DISPLAY", "ESORT", "CONTEXT=SEARCH", "CONTEXT=SORT",
        "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES"}) {
    caps.push_back(c);
  }
  caps.push_back(absl::StrCat("APPENDLIMIT=", config_.max_literal_bytes));
  if (state_ != State::kNotAuthenticated) {
    // Only after login: a compressor costs memory, so it is not handed to
    // unauthenticated connections.
    if (conn_.compression_available() && !conn_.compression_active()) {
      caps.push_back("COMPRESS=DEFLATE");
    }
    caps.push_back("UNAUTHENTICATE");
  }
  return absl::StrJoin(caps, " ");
}

Task<void> RunSession(plugin::SessionContext* context) {
  try {
    Session session(context);
    co_await session.Run();
  } catch (const std::exception& e) {
    context->connection->Log(absl::StrCat("imap: session ended: ", e.what()));
  } catch (...) {
    context->connection->Log("imap: session ended by an unknown exception");
  }
}

}  // namespace mailroom::imap
