#include "protocols/pop3/pop3_session.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "protocols/pop3/message_lines.h"
#include "protocols/pop3/wire_size_cache.h"
#include "protocols/sasl/sasl_driver.h"
#include "protocols/sasl/tls_upgrade.h"

namespace mailroom::pop3 {
namespace {

using plugin::Task;

// Output is flushed once this much is queued (RETR of large messages).
constexpr size_t kFlushThreshold = 256 * 1024;
// Read-ahead bounds: messages per store trip, and bytes held.
constexpr size_t kMaxReadAheadMessages = 32;
constexpr uint64_t kMaxReadAheadBytes = 4 << 20;
// Retrievals are recorded in batches so a long session does not lose them
// all if the process dies, without a store write per RETR.
constexpr size_t kRetrievedBatch = 512;

// Debian's Abseil has its own string_view type.
absl::string_view AsAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace

Pop3Session::Pop3Session(const plugin::SessionContext& context)
    : conn_(*context.connection),
      store_(*context.store),
      auth_(*context.auth),
      config_(*context.config),
      login_deadline_(std::chrono::steady_clock::now() +
                      config_.unauthenticated_timeout) {}

Task<void> Pop3Session::Run() {
  try {
    co_await Serve();
  } catch (const std::exception& e) {
    conn_.Log(absl::StrCat("pop3 session failed: ", e.what()));
  } catch (...) {
    conn_.Log("pop3 session failed");
  }
  // Whatever ended the session, keep what was retrieved; expunge nothing.
  try {
    co_await SaveRetrieved();
  } catch (...) {
  }
  watch_.reset();
  try {
    // No store read of this session outlives it.
    if (prefetch_.started()) (void)co_await prefetch_.Wait();
  } catch (...) {
  }
  try {
    co_await ReleaseMaildrop();
  } catch (...) {
  }
}

Task<void> Pop3Session::Serve() {
  Ok(absl::StrCat(config_.hostname, " Mailroom POP3 ready"));
  while (state_ != State::kDone) {
    if (!(co_await conn_.Flush()).ok()) co_return;
    if (LoginDeadlinePassed()) {
      // Checked between commands too: a client sending NOOP-like commands
      // back to back never lets a read time out.
      Err("Autologout; login took too long");
      (void)co_await conn_.Flush();
      co_return;
    }
    absl::StatusOr<std::string> line =
        co_await conn_.ReadLine(LineLimit(), ReadTimeout());
    if (!line.ok()) {
      switch (line.status().code()) {
        case absl::StatusCode::kResourceExhausted:
          Err("Line too long");
          continue;
        case absl::StatusCode::kDeadlineExceeded:
          Err(state_ == State::kTransaction
                  ? "Autologout; idle for too long"
                  : "Autologout; login took too long");
          break;
        case absl::StatusCode::kCancelled:
          Err("[SYS/TEMP] Server shutting down");
          break;
        default:
          co_return;  // the peer is gone
      }
      (void)co_await conn_.Flush();
      co_return;
    }
    co_await Dispatch(ParseCommand(*line));
  }
  (void)co_await conn_.Flush();
}

Task<void> Pop3Session::Dispatch(const Command& command) {
  const std::string& verb = command.verb;
  if (verb == "CAPA") {
    HandleCapa();
  } else if (verb == "QUIT") {
    if (state_ == State::kTransaction) {
      co_await HandleQuit();
    } else {
      Ok("Logging out");
    }
    state_ = State::kDone;
  } else if (state_ == State::kAuthorization) {
    if (verb == "USER") {
      co_await HandleUser(command);
    } else if (verb == "PASS") {
      co_await HandlePass(command);
    } else if (verb == "AUTH") {
      co_await HandleAuth(command);
    } else if (verb == "STLS") {
      co_await HandleStls();
    } else if (verb == "UTF8") {
      utf8_ = true;
      Ok("UTF8 enabled");
    } else if (verb == "APOP") {
      Err("APOP is not supported; use AUTH SCRAM-SHA-256");
    } else {
      Err("Unknown command or not allowed before login");
    }
  } else if (verb == "STAT") {
    HandleStat();
  } else if (verb == "LIST") {
    HandleList(command);
  } else if (verb == "UIDL") {
    HandleUidl(command);
  } else if (verb == "RETR") {
    co_await HandleRetr(command, /*top=*/false);
  } else if (verb == "TOP") {
    co_await HandleRetr(command, /*top=*/true);
  } else if (verb == "DELE") {
    HandleDele(command);
  } else if (verb == "RSET") {
    HandleRset();
  } else if (verb == "NOOP") {
    Ok("");
  } else {
    Err("Unknown command or not allowed after login");
  }
  co_await FlushIfLarge();
}

// ---- AUTHORIZATION ---------------------------------------------------------

Task<void> Pop3Session::HandleUser(const Command& command) {
  if (!PlaintextAllowed()) {
    Err("[AUTH] Plaintext authentication disallowed without TLS; use STLS");
    co_return;
  }
  if (command.rest.empty()) {
    Err("USER needs a name");
    co_return;
  }
  pending_user_ = command.rest;
  Ok("Send PASS");
}

Task<void> Pop3Session::HandlePass(const Command& command) {
  if (!pending_user_.has_value()) {
    Err("Send USER first");
    co_return;
  }
  std::string user = *std::exchange(pending_user_, std::nullopt);
  if (!PlaintextAllowed()) {
    Err("[AUTH] Plaintext authentication disallowed without TLS; use STLS");
    co_return;
  }
  absl::StatusOr<store::Principal> principal =
      co_await auth_.CheckPassword(user, command.rest, conn_);
  if (!principal.ok()) {
    Err("[AUTH] Authentication failed");
    co_return;
  }
  co_await OpenMaildrop(*std::move(principal));
}

Task<void> Pop3Session::HandleAuth(const Command& command) {
  if (command.args.empty()) {
    // Not in RFC 5034, but widely used by clients to list mechanisms.
    std::string out = "+OK\r\n";
    for (const std::string& mechanism : auth_.Mechanisms(conn_)) {
      absl::StrAppend(&out, mechanism, "\r\n");
    }
    out.append(".\r\n");
    conn_.Write(out);
    co_return;
  }
  sasl::SaslStart start = sasl::StartSasl(auth_, conn_, command.args[0]);
  if (start.kind == sasl::SaslStart::kPlaintextRefused) {
    Err("[AUTH] Plaintext authentication disallowed without TLS; use STLS");
    co_return;
  }
  if (start.kind != sasl::SaslStart::kStarted) {
    Err("Unsupported authentication mechanism");
    co_return;
  }
  if (command.args.size() > 2) {
    Err("Syntax: AUTH mechanism [initial-response]");
    co_return;
  }
  std::optional<std::string_view> initial_response;
  if (command.args.size() == 2) initial_response = command.args[1];
  sasl::LineSaslWire wire(
      conn_, LineLimit(), [this] { return ReadTimeout(); },
      "Response too long");
  sasl::SaslResult result = co_await sasl::RunSaslExchange(
      *start.exchange, initial_response,
      sasl::InitialResponse::kBase64OrEquals, wire, conn_);
  switch (result.kind) {
    case sasl::SaslResult::kSuccess:
      co_await OpenMaildrop(*std::move(result.principal));
      break;
    case sasl::SaslResult::kFailed:
    case sasl::SaslResult::kInvalid:
      Err(absl::StrCat("[AUTH] ", result.text));
      break;
    case sasl::SaslResult::kCancelled:
      Err("[AUTH] Authentication cancelled");
      break;
    case sasl::SaslResult::kBadBase64:
      Err("[AUTH] Invalid base64 data");
      break;
    case sasl::SaslResult::kAnswered:
      break;
    case sasl::SaslResult::kClosed:
      state_ = State::kDone;
      break;
  }
}

Task<void> Pop3Session::HandleStls() {
  const sasl::TlsUpgrade upgrade = co_await sasl::UpgradeToTls(
      conn_, "STLS", [this](std::string_view text) { Err(text); },
      [this](std::string_view text) { Ok(text); });
  if (upgrade == sasl::TlsUpgrade::kClosed) state_ = State::kDone;
  if (upgrade != sasl::TlsUpgrade::kStarted) co_return;
  // RFC 2595: forget everything learned before the handshake.
  pending_user_.reset();
  utf8_ = false;
}

void Pop3Session::HandleCapa() {
  std::string out = "+OK Capability list follows\r\n";
  out.append("TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n");
  if (state_ == State::kAuthorization) {
    if (PlaintextAllowed()) out.append("USER\r\n");
    std::vector<std::string> mechanisms = auth_.Mechanisms(conn_);
    if (!mechanisms.empty()) {
      absl::StrAppend(&out, "SASL ", absl::StrJoin(mechanisms, " "), "\r\n");
    }
    if (!conn_.tls_active() && conn_.tls_available()) out.append("STLS\r\n");
    out.append("UTF8\r\n");
  }
  absl::StrAppend(&out, ExpireCapability(), "\r\nLOGIN-DELAY 0\r\n",
                  "IMPLEMENTATION Mailroom\r\n.\r\n");
  conn_.Write(out);
}

Task<void> Pop3Session::OpenMaildrop(store::Principal principal) {
  struct Loaded {
    absl::Status status;
    std::unique_ptr<store::Lease> lease;
    std::unique_ptr<store::Watch> watch;
    store::MailboxSnapshot snapshot;
    std::vector<Entry> entries;
    std::map<size_t, ReadAhead> first_messages;
  };
  Loaded loaded = co_await plugin::Blocking(conn_, [&]() -> Loaded {
    Loaded result;
    absl::StatusOr<std::unique_ptr<store::Lease>> lease =
        store_.LockMaildrop(principal);
    if (!lease.ok()) {
      result.status = lease.status();
      return result;
    }
    result.lease = *std::move(lease);
    absl::StatusOr<store::MailboxSnapshot> snapshot =
        store_.OpenMailbox(principal, "INBOX");
    if (!snapshot.ok()) {
      result.status = snapshot.status();
      return result;
    }
    result.snapshot = *std::move(snapshot);
    // Subscribe before reading, so that any change after a read is seen.
    result.watch = store_.WatchChanges(
        result.snapshot.status.id,
        [generation = generation_](const store::ChangeEvent&) {
          generation->fetch_add(1);
        });
    const uint64_t generation = generation_->load();
    // LIST and STAT must match what RETR sends, and a message imported with
    // bare LF grows on the wire. The store records that size at append, so
    // opening the maildrop reads no message; only messages stored before
    // it did are read (once per process: the sizes are cached by content
    // hash), and the first of those are kept for the RETRs that follow.
    WireSizeCache& sizes = WireSizeCache::Global();
    uint64_t kept = 0;
    result.entries.reserve(result.snapshot.messages.size());
    for (const store::MessageMeta& meta : result.snapshot.messages) {
      if (meta.crlf_size != 0 || meta.size == 0) {
        result.entries.push_back({meta.uid, meta.crlf_size, false});
        continue;
      }
      if (std::optional<uint64_t> size = sizes.Find(meta.blob_id)) {
        result.entries.push_back({meta.uid, *size, false});
        continue;
      }
      absl::StatusOr<std::shared_ptr<const std::string>> data =
          store_.ReadMessage(principal, result.snapshot.status.id, meta.uid);
      if (data.ok()) {
        if (result.first_messages.size() < kMaxReadAheadMessages &&
            kept + (*data)->size() <= kMaxReadAheadBytes) {
          kept += (*data)->size();
          result.first_messages[result.entries.size()] = {generation, *data};
        }
        uint64_t size = WireSize(**data);
        sizes.Insert(meta.blob_id, size);
        result.entries.push_back({meta.uid, size, false});
      } else if (data.status().code() != absl::StatusCode::kNotFound) {
        result.status = data.status();
        return result;
      }  // expunged meanwhile: not part of this session
    }
    return result;
  });
  if (!loaded.status.ok()) {
    loaded.lease.reset();
    if (loaded.status.code() == absl::StatusCode::kFailedPrecondition) {
      Err("[IN-USE] Mailbox is in use by another POP3 session");
    } else {
      conn_.Log(absl::StrCat("pop3 maildrop: ", loaded.status.ToString()));
      Err("[SYS/TEMP] Mailbox is temporarily unavailable");
    }
    co_return;
  }
  principal_ = std::move(principal);
  lease_ = std::move(loaded.lease);
  watch_ = std::move(loaded.watch);
  read_ahead_ = std::move(loaded.first_messages);
  mailbox_ = loaded.snapshot.status.id;
  uidvalidity_ = loaded.snapshot.status.uidvalidity;
  entries_ = std::move(loaded.entries);
  state_ = State::kTransaction;
  Ok(absl::StrCat("Logged in; ", entries_.size(), " messages"));
}

// ---- TRANSACTION -----------------------------------------------------------

void Pop3Session::HandleStat() {
  uint64_t count = 0, size = 0;
  for (const Entry& entry : entries_) {
    if (entry.deleted) continue;
    ++count;
    size += entry.size;
  }
  Ok(absl::StrCat(count, " ", size));
}

Pop3Session::Entry* Pop3Session::FindMessage(std::string_view number) {
  std::optional<uint32_t> n = ParseNumber(number);
  if (!n.has_value() || *n == 0 || *n > entries_.size()) {
    Err("No such message");
    return nullptr;
  }
  Entry& entry = entries_[*n - 1];
  if (entry.deleted) {
    Err("Message is marked for deletion");
    return nullptr;
  }
  return &entry;
}

void Pop3Session::HandleList(const Command& command) {
  if (!command.args.empty()) {
    if (Entry* entry = FindMessage(command.args[0])) {
      Ok(absl::StrCat(command.args[0], " ", entry->size));
    }
    return;
  }
  std::string out = "+OK Scan list follows\r\n";
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].deleted) continue;
    absl::StrAppend(&out, i + 1, " ", entries_[i].size, "\r\n");
  }
  out.append(".\r\n");
  conn_.Write(out);
}

void Pop3Session::HandleUidl(const Command& command) {
  if (!command.args.empty()) {
    if (Entry* entry = FindMessage(command.args[0])) {
      Ok(absl::StrCat(command.args[0], " ", uidvalidity_, ".", entry->uid));
    }
    return;
  }
  std::string out = "+OK Unique-ID list follows\r\n";
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].deleted) continue;
    absl::StrAppend(&out, i + 1, " ", uidvalidity_, ".", entries_[i].uid,
                    "\r\n");
  }
  out.append(".\r\n");
  conn_.Write(out);
}

Task<void> Pop3Session::HandleRetr(const Command& command, bool top) {
  if (command.args.size() != (top ? 2u : 1u)) {
    Err(top ? "Syntax: TOP msg lines" : "Syntax: RETR msg");
    co_return;
  }
  std::optional<uint32_t> lines;
  if (top) {
    lines = ParseNumber(command.args[1]);
    if (!lines.has_value()) {
      Err("Syntax: TOP msg lines");
      co_return;
    }
  }
  Entry* entry = FindMessage(command.args[0]);
  if (entry == nullptr) co_return;
  store::Uid uid = entry->uid;
  absl::StatusOr<std::shared_ptr<const std::string>> data =
      co_await ReadEntry(static_cast<size_t>(entry - entries_.data()));
  if (!data.ok()) {
    if (data.status().code() == absl::StatusCode::kNotFound) {
      Err("Message was deleted by another session");
    } else {
      conn_.Log(absl::StrCat("pop3 read: ", data.status().ToString()));
      Err("[SYS/TEMP] Cannot read the message now");
    }
    co_return;
  }
  conn_.Write(top ? std::string("+OK Top of message follows\r\n")
                  : absl::StrCat("+OK ", entry->size, " octets\r\n"));
  // Straight from the stored bytes into the connection's buffer.
  auto write = [this](std::string_view piece) { conn_.Write(piece); };
  MultilineWriter writer(lines, write);
  writer.Write(**data);
  writer.Finish();
  if (!top) {
    retrieved_.push_back(uid);
    if (retrieved_.size() >= kRetrievedBatch) {
      if (saving_.started()) co_await FinishSavingRetrieved();
      StartSavingRetrieved();
    }
  }
}

Task<absl::StatusOr<std::shared_ptr<const std::string>>> Pop3Session::ReadEntry(
    size_t index) {
  // Reading from the first message on counts as sequential too: that is
  // how clients download a maildrop.
  const bool sequential = last_read_.has_value() ? index == *last_read_ + 1
                                                 : index == 0;
  last_read_ = index;
  // The message may be in the window being read in the background.
  if (prefetch_.started() && !read_ahead_.contains(index)) {
    KeepBatch(co_await prefetch_.Wait());
  }
  auto hit = read_ahead_.find(index);
  if (hit != read_ahead_.end() && !Current(hit->second.generation) &&
      saving_.started()) {
    // The change may be the \Seen marks being recorded in the background.
    co_await FinishSavingRetrieved();
  }
  if (hit != read_ahead_.end() && Current(hit->second.generation)) {
    std::shared_ptr<const std::string> data = std::move(hit->second.data);
    read_ahead_.erase(read_ahead_.begin(), std::next(hit));
    if (sequential) MaybePrefetch(index);
    co_return data;
  }
  read_ahead_.clear();
  window_ = sequential ? std::min(window_ * 2, kMaxReadAheadMessages) : 1;
  // The wanted message (never marked deleted: FindMessage checked), then
  // following ones.
  Batch read =
      co_await plugin::Blocking(conn_, ReadBatch(WindowFrom(index, window_)));
  absl::StatusOr<std::shared_ptr<const std::string>> wanted =
      std::move(read.data.front());
  read.indices.erase(read.indices.begin());
  read.data.erase(read.data.begin());
  KeepBatch(std::move(read));
  if (sequential) MaybePrefetch(index);
  co_return wanted;
}

std::vector<size_t> Pop3Session::WindowFrom(size_t first, size_t count) const {
  std::vector<size_t> indices;
  uint64_t bytes = 0;
  for (size_t i = first; i < entries_.size() && indices.size() < count; ++i) {
    if (entries_[i].deleted) continue;
    if (!indices.empty() && bytes + entries_[i].size > kMaxReadAheadBytes) {
      break;
    }
    bytes += entries_[i].size;
    indices.push_back(i);
  }
  return indices;
}

std::function<Pop3Session::Batch()> Pop3Session::ReadBatch(
    std::vector<size_t> indices) const {
  std::vector<store::Uid> uids;
  uids.reserve(indices.size());
  for (size_t i : indices) uids.push_back(entries_[i].uid);
  return [&store = store_, principal = *principal_, mailbox = mailbox_,
          generation = generation_, indices = std::move(indices),
          uids = std::move(uids)]() {
    Batch batch;
    batch.generation = generation->load();  // before reading: see above
    batch.indices = indices;
    batch.data.reserve(uids.size());
    for (store::Uid uid : uids) {
      batch.data.push_back(store.ReadMessage(principal, mailbox, uid));
    }
    return batch;
  };
}

bool Pop3Session::Current(uint64_t generation) const {
  const uint64_t now = generation_->load();
  for (uint64_t g = generation + 1; g <= now; ++g) {
    if (!own_generations_.contains(g)) return false;
  }
  return generation <= now;
}

void Pop3Session::KeepBatch(Batch batch) {
  for (size_t k = 0; k < batch.indices.size(); ++k) {
    // A message gone meanwhile is read again when asked for, and answered.
    if (batch.data[k].ok()) {
      read_ahead_[batch.indices[k]] = {batch.generation,
                                       *std::move(batch.data[k])};
    }
  }
}

void Pop3Session::MaybePrefetch(size_t index) {
  if (prefetch_.started() || read_ahead_.size() * 2 > window_) return;
  const size_t next =
      read_ahead_.empty() ? index + 1 : read_ahead_.rbegin()->first + 1;
  window_ = std::min(window_ * 2, kMaxReadAheadMessages);
  std::vector<size_t> indices = WindowFrom(next, window_);
  if (indices.empty()) return;
  prefetch_.Start(conn_, ReadBatch(std::move(indices)));
}

void Pop3Session::HandleDele(const Command& command) {
  if (command.args.size() != 1) {
    Err("Syntax: DELE msg");
    return;
  }
  if (Entry* entry = FindMessage(command.args[0])) {
    entry->deleted = true;
    Ok("Marked for deletion");
  }
}

void Pop3Session::HandleRset() {
  uint64_t size = 0;
  for (Entry& entry : entries_) {
    entry.deleted = false;
    size += entry.size;
  }
  Ok(absl::StrCat(entries_.size(), " messages (", size, " octets)"));
}

Task<void> Pop3Session::HandleQuit() {
  store::ExpungeRequest request;
  request.only_deleted = false;
  request.uids.emplace();
  for (const Entry& entry : entries_) {
    if (entry.deleted) request.uids->push_back(entry.uid);
  }
  co_await SaveRetrieved();
  absl::StatusOr<std::vector<store::Uid>> expunged = std::vector<store::Uid>();
  if (!request.uids->empty()) {
    expunged = co_await plugin::Blocking(
        conn_, [&] { return store_.Expunge(*principal_, mailbox_, request); });
  }
  // The maildrop is free before the client hears +OK (RFC 1939 UPDATE), so
  // it may log in again at once, also on another node.
  co_await ReleaseMaildrop();
  if (!expunged.ok()) {
    conn_.Log(absl::StrCat("pop3 expunge: ", expunged.status().ToString()));
    Err("[SYS/TEMP] Marked messages were not removed");
    co_return;
  }
  if (request.uids->empty()) {
    Ok("Logging out");
    co_return;
  }
  Ok(absl::StrCat("Logging out; ", request.uids->size(), " messages deleted"));
}

Task<void> Pop3Session::ReleaseMaildrop() {
  if (lease_ == nullptr) co_return;
  // Releasing may be a network round trip (a lease shared by nodes).
  co_await plugin::Blocking(conn_, [&] { lease_.reset(); });
}

Task<void> Pop3Session::SaveRetrieved() {
  if (saving_.started()) co_await FinishSavingRetrieved();
  StartSavingRetrieved();
  if (saving_.started()) co_await FinishSavingRetrieved();
}

void Pop3Session::StartSavingRetrieved() {
  if (retrieved_.empty() || !principal_.has_value()) return;
  std::vector<store::Uid> uids = std::exchange(retrieved_, {});
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  // The store reports a change on the committing thread, so the one
  // generation step seen across the \Seen commit, when it changed
  // something, is that commit's own (see Current()).
  saving_.Start(conn_, [&store = store_, principal = *principal_,
                        mailbox = mailbox_, generation = generation_,
                        uids = std::move(uids)]() {
    Saved saved;
    saved.status = store.MarkRetrieved(principal, mailbox, uids);
    if (!saved.status.ok()) return saved;
    store::StoreFlagsRequest seen;
    seen.uids = uids;
    seen.op = store::FlagOp::kAdd;
    seen.flags.system = store::kSeen;
    saved.before = generation->load();
    absl::StatusOr<store::StoreFlagsResult> result =
        store.StoreFlags(principal, mailbox, seen);
    saved.after = generation->load();
    saved.status = result.status();
    saved.marked = result.ok() && !result->changed.empty();
    return saved;
  });
}

Task<void> Pop3Session::FinishSavingRetrieved() {
  const Saved saved = co_await saving_.Wait();
  if (!saved.status.ok()) {
    conn_.Log(absl::StrCat("pop3 mark retrieved: ", saved.status.ToString()));
  } else if (saved.marked && saved.after == saved.before + 1) {
    own_generations_.insert(saved.after);
  }
}

// ---- helpers ---------------------------------------------------------------

void Pop3Session::Ok(std::string_view text) {
  conn_.Write(text.empty() ? std::string("+OK\r\n")
                           : absl::StrCat("+OK ", AsAbsl(text), "\r\n"));
}

void Pop3Session::Err(std::string_view text) {
  conn_.Write(absl::StrCat("-ERR ", AsAbsl(text), "\r\n"));
}

Task<void> Pop3Session::FlushIfLarge() {
  if (conn_.buffered_output() >= kFlushThreshold) {
    (void)co_await conn_.Flush();
  }
}

std::string Pop3Session::ExpireCapability() const {
  auto it = config_.options.find(kExpireDaysOption);
  int days = 0;
  // 0 means "never" here (the daemon's convention); RFC 2449's "EXPIRE 0"
  // would tell clients that mail may not be left on the server at all.
  if (it == config_.options.end() || !absl::SimpleAtoi(it->second, &days) ||
      days <= 0) {
    return "EXPIRE NEVER";
  }
  return absl::StrCat("EXPIRE ", days);
}

bool Pop3Session::PlaintextAllowed() const {
  return sasl::PlaintextAllowed(auth_, conn_);
}

std::chrono::milliseconds Pop3Session::ReadTimeout() const {
  if (state_ == State::kTransaction) return config_.idle_timeout;
  // What is left of the login deadline, not a fresh period per read.
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(
                      login_deadline_ - std::chrono::steady_clock::now()));
}

bool Pop3Session::LoginDeadlinePassed() const {
  return state_ == State::kAuthorization &&
         std::chrono::steady_clock::now() >= login_deadline_;
}

size_t Pop3Session::LineLimit() const {
  if (state_ == State::kTransaction) return config_.max_line_bytes;
  return std::min(config_.max_line_bytes, config_.max_preauth_command_bytes);
}

Task<void> RunPop3Session(plugin::SessionContext* context) {
  try {
    Pop3Session session(*context);
    co_await session.Run();
  } catch (...) {
    // Nothing may cross the plugin boundary.
  }
}

}  // namespace mailroom::pop3
