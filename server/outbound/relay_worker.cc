#include "server/outbound/relay_worker.h"

#include <algorithm>
#include <ctime>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

namespace mailroom::server::outbound {
namespace {

// A send takes a greeting, EHLO twice, STARTTLS, MAIL, DATA, the end of
// data and QUIT, plus one reply per recipient: each may take the whole
// reply timeout.
constexpr int64_t kRepliesPerSend = 10;

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

}  // namespace

int64_t RetryDelay(const RelayWorkerOptions& options, uint32_t attempts) {
  int64_t delay = std::max<int64_t>(1, options.retry_seconds);
  for (uint32_t i = 1; i < attempts && delay < options.max_retry_seconds; ++i) {
    delay *= 2;
  }
  return std::min(delay, std::max<int64_t>(1, options.max_retry_seconds));
}

RelayWorker::RelayWorker(store::Store* store, RelayWorkerOptions options,
                         std::function<void(std::string_view)> log)
    : store_(store), options_(std::move(options)), log_(std::move(log)) {}

RelayWorker::~RelayWorker() { Stop(); }

void RelayWorker::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void RelayWorker::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

bool RelayWorker::Stopping() {
  absl::MutexLock lock(&mu_);
  return stop_;
}

int64_t RelayWorker::ClaimSeconds() const {
  // Long enough for the whole batch even when every reply is slow, so no
  // other node takes a message while this one still sends it.
  return std::max<int64_t>(1, options_.relay.timeout_seconds) *
         kRepliesPerSend * static_cast<int64_t>(std::max<size_t>(1, options_.batch));
}

void RelayWorker::Loop() {
  for (;;) {
    const size_t claimed = RunOnce();
    absl::MutexLock lock(&mu_);
    if (stop_) return;
    // A full batch suggests more is due: go on at once.
    if (claimed >= options_.batch) continue;
    mu_.AwaitWithTimeout(absl::Condition(&stop_),
                         absl::Milliseconds(std::max<int64_t>(10, options_.poll_ms)));
    if (stop_) return;
  }
}

size_t RelayWorker::RunOnce() {
  const int64_t claimed_at = Now();
  const int64_t claim = ClaimSeconds();
  absl::StatusOr<std::vector<store::OutboundMessage>> due =
      store_->ClaimOutbound(claimed_at, claim, std::max<size_t>(1, options_.batch));
  if (!due.ok()) {
    const std::string error(due.status().message());
    if (error != last_store_error_) {
      log_(absl::StrCat("outbound: cannot read the queue: ", error));
      last_store_error_ = error;
    }
    return 0;
  }
  last_store_error_.clear();
  const int64_t per_send =
      std::max<int64_t>(1, options_.relay.timeout_seconds) * kRepliesPerSend;
  for (size_t i = 0; i < due->size(); ++i) {
    if (Stopping()) {
      Release(absl::MakeConstSpan(*due).subspan(i));
      break;
    }
    // Past the claim another node may take it; leave it for then.
    if (Now() + per_send > claimed_at + claim) break;
    Handle((*due)[i], Now());
  }
  return due->size();
}

void RelayWorker::Release(absl::Span<const store::OutboundMessage> unsent) {
  // Due again now, so another node (or this one after a restart) sends
  // them at once instead of waiting out the claim.
  for (const store::OutboundMessage& message : unsent) {
    absl::Status s = store_->DeferOutbound(message.id, Now(), message.last_error);
    if (!s.ok() && s.code() != absl::StatusCode::kNotFound) {
      log_(absl::StrCat("outbound ", message.id,
                        " stays claimed until its claim runs out: ", s.message()));
    }
  }
}

void RelayWorker::Handle(const store::OutboundMessage& message, int64_t now) {
  const SmtpOutcome outcome = SendViaSmtp(options_.relay, message);
  const std::string what =
      absl::StrCat("outbound ", message.id, " (", message.reason, ", ",
                   message.recipients.size(), " recipient(s))");
  absl::Status done;
  switch (outcome.kind) {
    case SmtpOutcome::kSent:
      log_(absl::StrCat(what, " sent: ", outcome.detail));
      if (!outcome.refused.empty()) {
        log_(absl::StrCat(what, " refused for good for ",
                          absl::StrJoin(outcome.refused, ", ")));
      }
      done = store_->RemoveOutbound(message.id);
      break;
    case SmtpOutcome::kPermanent:
      log_(absl::StrCat(what, " refused for good, dropped: ", outcome.detail));
      done = store_->RemoveOutbound(message.id);
      break;
    case SmtpOutcome::kTemporary:
      if (now - message.queued_at >= options_.max_age_seconds) {
        log_(absl::StrCat(what, " given up after ", message.attempts,
                          " attempt(s) since ",
                          absl::FormatTime(absl::FromUnixSeconds(message.queued_at)),
                          ": ", outcome.detail));
        done = store_->RemoveOutbound(message.id);
        break;
      }
      {
        const int64_t next = now + RetryDelay(options_, message.attempts);
        log_(absl::StrCat(what, " deferred (attempt ", message.attempts,
                          ", next in ", next - now, " s): ", outcome.detail));
        done = store_->DeferOutbound(message.id, next, outcome.detail);
      }
      break;
  }
  if (!done.ok() && done.code() != absl::StatusCode::kNotFound) {
    log_(absl::StrCat(what, ": cannot update the queue: ", done.message()));
  }
}

}  // namespace mailroom::server::outbound
