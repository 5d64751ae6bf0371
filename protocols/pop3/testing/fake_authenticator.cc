#include "protocols/pop3/testing/fake_authenticator.h"

#include <optional>
#include <utility>

#include "absl/strings/str_split.h"

namespace mailroom::testing {
namespace {

using Step = plugin::SaslExchange::Step;

Step Failure() {
  Step step;
  step.state = Step::kFailure;
  step.error = "Authentication failed";
  return step;
}

class PlainExchange : public plugin::SaslExchange {
 public:
  explicit PlainExchange(store::Store* store) : store_(store) {}
  plugin::Task<Step> Next(std::optional<std::string> response) override {
    if (!response.has_value()) {
      Step step;
      step.state = Step::kContinue;
      co_return step;  // empty challenge: "+ "
    }
    std::vector<std::string> parts = absl::StrSplit(*response, '\0');
    if (parts.size() != 3) co_return Failure();
    absl::StatusOr<store::Principal> principal =
        store_->Authenticate(parts[1], parts[2]);
    if (!principal.ok()) co_return Failure();
    Step step;
    step.state = Step::kSuccess;
    step.principal = *std::move(principal);
    co_return step;
  }

 private:
  store::Store* store_;
};

// Challenge "who?", expects "user:password", answers "ok" as a final
// server message and succeeds on the client's empty reply.
class TwoStepExchange : public plugin::SaslExchange {
 public:
  explicit TwoStepExchange(store::Store* store) : store_(store) {}
  plugin::Task<Step> Next(std::optional<std::string> response) override {
    Step step;
    switch (round_++) {
      case 0:
        step.state = Step::kContinue;
        step.challenge = "who?";
        co_return step;
      case 1: {
        std::vector<std::string> parts =
            absl::StrSplit(response.value_or(""), ':');
        if (parts.size() != 2) co_return Failure();
        absl::StatusOr<store::Principal> principal =
            store_->Authenticate(parts[0], parts[1]);
        if (!principal.ok()) co_return Failure();
        principal_ = *std::move(principal);
        step.state = Step::kContinue;
        step.challenge = "ok";
        co_return step;
      }
      default:
        if (!response.has_value() || !response->empty()) co_return Failure();
        step.state = Step::kSuccess;
        step.principal = principal_;
        co_return step;
    }
  }

 private:
  store::Store* store_;
  int round_ = 0;
  store::Principal principal_;
};

}  // namespace

std::vector<std::string> FakeAuthenticator::Mechanisms(
    const plugin::Connection& conn) const {
  if (PlaintextAllowed(conn)) return {"PLAIN", "X-TWO-STEP"};
  return {"X-TWO-STEP"};
}

std::unique_ptr<plugin::SaslExchange> FakeAuthenticator::Start(
    std::string_view mechanism, plugin::Connection& conn) {
  if (mechanism == "PLAIN" && PlaintextAllowed(conn)) {
    return std::make_unique<PlainExchange>(store_);
  }
  if (mechanism == "X-TWO-STEP") {
    return std::make_unique<TwoStepExchange>(store_);
  }
  return nullptr;
}

plugin::Task<absl::StatusOr<store::Principal>> FakeAuthenticator::CheckPassword(
    std::string_view user, std::string_view password, plugin::Connection&) {
  co_return store_->Authenticate(user, password);
}

}  // namespace mailroom::testing
