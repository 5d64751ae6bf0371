#include "tests/imap/fake_host.h"

#include <algorithm>

#include "store/principal_issuer.h"

namespace mailroom::imap::testing {

plugin::Task<absl::StatusOr<std::string>> FakeConnection::ReadLine(
    size_t max_bytes, std::chrono::milliseconds timeout) {
  if (before_read_line) before_read_line(lines_read_);
  ++lines_read_;
  const size_t lf = input_.find('\n', read_pos_);
  if (lf == std::string::npos) {
    co_return absl::UnavailableError("closed");
  }
  std::string line = input_.substr(read_pos_, lf - read_pos_);
  read_pos_ = lf + 1;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.size() > max_bytes) co_return absl::ResourceExhaustedError("long");
  co_return line;
}

plugin::Task<absl::StatusOr<std::string>> FakeConnection::ReadExactly(
    size_t n, std::chrono::milliseconds timeout) {
  if (input_.size() - read_pos_ < n) co_return absl::UnavailableError("closed");
  std::string out = input_.substr(read_pos_, n);
  read_pos_ += n;
  co_return out;
}

plugin::Task<absl::Status> FakeConnection::Flush() {
  if (!pending_.empty()) flushes_.push_back(pending_.size());
  output_ += pending_;
  pending_.clear();
  co_return absl::OkStatus();
}

plugin::Task<absl::Status> FakeConnection::StartTls() {
  if (tls_active_ || !tls_available_) {
    co_return absl::FailedPreconditionError("no TLS");
  }
  tls_active_ = true;
  co_return absl::OkStatus();
}

plugin::Task<plugin::Connection::WaitResult> FakeConnection::WaitForInput(
    std::chrono::milliseconds timeout) {
  if (woken_.exchange(false)) co_return WaitResult::kWoken;
  if (read_pos_ < input_.size()) co_return WaitResult::kInput;
  if (on_idle_wait) {
    auto fn = std::move(on_idle_wait);
    on_idle_wait = nullptr;
    fn();
    if (woken_.exchange(false)) co_return WaitResult::kWoken;
    if (read_pos_ < input_.size()) co_return WaitResult::kInput;
  }
  co_return WaitResult::kClosed;
}

plugin::Task<void> FakeConnection::RunBlocking(std::function<void()> fn) {
  fn();
  co_return;
}

plugin::Task<void> FakeConnection::Sleep(std::chrono::milliseconds duration) {
  co_return;
}

namespace {

// SASL PLAIN: authzid NUL authcid NUL password.
class PlainExchange : public plugin::SaslExchange {
 public:
  explicit PlainExchange(store::Store* store) : store_(store) {}
  plugin::Task<Step> Next(std::optional<std::string> response) override {
    Step step;
    if (!response) {
      step.state = Step::kContinue;
      co_return step;
    }
    const size_t a = response->find('\0');
    const size_t b = a == std::string::npos ? a : response->find('\0', a + 1);
    if (b == std::string::npos) {
      step.error = "Malformed";
      co_return step;
    }
    auto who = store_->Authenticate(response->substr(a + 1, b - a - 1),
                                    response->substr(b + 1));
    if (!who.ok()) {
      step.error = "Authentication failed";
      co_return step;
    }
    step.state = Step::kSuccess;
    step.principal = *who;
    co_return step;
  }

 private:
  store::Store* store_;
};

}  // namespace

std::unique_ptr<plugin::SaslExchange> FakeAuthenticator::Start(
    std::string_view mechanism, plugin::Connection& conn) {
  if (mechanism != "PLAIN") return nullptr;
  return std::make_unique<PlainExchange>(store_);
}

plugin::Task<absl::StatusOr<store::Principal>> FakeAuthenticator::CheckPassword(
    std::string_view user, std::string_view password, plugin::Connection& conn) {
  auto who = store_->Authenticate(user, password);
  if (!who.ok()) co_return absl::PermissionDeniedError("bad");
  if (std::find(quota_admins_.begin(), quota_admins_.end(), who->user()) !=
      quota_admins_.end()) {
    co_return store::PrincipalIssuer::User(who->user(), /*quota_admin=*/true);
  }
  co_return *who;
}

}  // namespace mailroom::imap::testing
