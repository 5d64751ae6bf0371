#include "protocols/sasl/sasl_driver.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "protocols/api/task.h"
#include "protocols/pop3/testing/fake_connection.h"

namespace mailroom::sasl {
namespace {

// Sends the challenges it was given, one per step, recording each response;
// then succeeds, or fails with `error` when `fail` is set.
class ScriptedExchange : public plugin::SaslExchange {
 public:
  ScriptedExchange(std::vector<std::string> challenges, bool fail = false,
                   std::string error = "")
      : challenges_(std::move(challenges)), fail_(fail),
        error_(std::move(error)) {}

  plugin::Task<Step> Next(std::optional<std::string> response) override {
    responses_.push_back(response);
    Step step;
    if (next_ < challenges_.size()) {
      step.state = Step::kContinue;
      step.challenge = challenges_[next_++];
    } else if (fail_) {
      step.state = Step::kFailure;
      step.error = error_;
    } else {
      step.state = Step::kSuccess;
      step.principal.emplace();
    }
    co_return step;
  }

  const std::vector<std::optional<std::string>>& responses() const {
    return responses_;
  }

 private:
  std::vector<std::string> challenges_;
  size_t next_ = 0;
  bool fail_;
  std::string error_;
  std::vector<std::optional<std::string>> responses_;
};

class OneMechanismAuthenticator : public plugin::Authenticator {
 public:
  std::vector<std::string> Mechanisms(
      const plugin::Connection&) const override {
    return {"PLAIN", "X-TEST"};
  }
  bool PlaintextAllowed(const plugin::Connection&) const override {
    return plaintext_allowed;
  }
  std::unique_ptr<plugin::SaslExchange> Start(std::string_view mechanism,
                                              plugin::Connection&) override {
    started.emplace_back(mechanism);
    return std::make_unique<ScriptedExchange>(std::vector<std::string>{});
  }
  plugin::Task<absl::StatusOr<store::Principal>> CheckPassword(
      std::string_view, std::string_view, plugin::Connection&) override {
    co_return absl::PermissionDeniedError("no");
  }

  bool plaintext_allowed = false;
  std::vector<std::string> started;
};

plugin::Task<void> RunInto(ScriptedExchange& exchange,
                           testing::FakeConnection& conn,
                           std::optional<std::string_view> initial,
                           InitialResponse format, SaslWire& wire,
                           SaslResult* result) {
  *result = co_await RunSaslExchange(exchange, initial, format, wire, conn);
}

// The fake connection completes every read at once, so the exchange ends
// before Spawn returns.
SaslResult RunExchange(ScriptedExchange& exchange, testing::FakeConnection& conn,
               std::optional<std::string_view> initial,
               InitialResponse format = InitialResponse::kBase64OrEquals) {
  LineSaslWire wire(conn, 64, [] { return std::chrono::milliseconds(1000); },
                    "too long");
  SaslResult result;
  plugin::Spawn(RunInto(exchange, conn, initial, format, wire, &result));
  return result;
}

TEST(SaslDriverTest, ChallengesAreFramedAndResponsesDecoded) {
  testing::FakeConnection conn;
  conn.AddInput("cjE=\r\n");
  ScriptedExchange exchange({"c1"});
  const SaslResult result = RunExchange(exchange, conn, std::nullopt);
  EXPECT_EQ(result.kind, SaslResult::kSuccess);
  EXPECT_TRUE(result.principal.has_value());
  EXPECT_EQ(conn.output(), "+ YzE=\r\n");
  ASSERT_EQ(exchange.responses().size(), 2u);
  EXPECT_FALSE(exchange.responses()[0].has_value());
  EXPECT_EQ(exchange.responses()[1], "r1");
}

TEST(SaslDriverTest, InitialResponseEqualsIsEmptyOnlyWhereTheProtocolSaysSo) {
  testing::FakeConnection conn;
  ScriptedExchange exchange({});
  EXPECT_EQ(RunExchange(exchange, conn, "=").kind, SaslResult::kSuccess);
  ASSERT_EQ(exchange.responses().size(), 1u);
  EXPECT_EQ(exchange.responses()[0], "");

  ScriptedExchange plain({});
  EXPECT_EQ(RunExchange(plain, conn, "AGEAYg==", InitialResponse::kBase64).kind,
            SaslResult::kSuccess);
  EXPECT_EQ(plain.responses()[0], std::string("\0a\0b", 4));

  ScriptedExchange bad({});
  EXPECT_EQ(RunExchange(bad, conn, "not base64!").kind, SaslResult::kBadBase64);
  EXPECT_TRUE(bad.responses().empty()) << "the mechanism never saw it";
}

TEST(SaslDriverTest, StarCancels) {
  testing::FakeConnection conn;
  conn.AddInput("*\r\n");
  ScriptedExchange exchange({"c1"});
  EXPECT_EQ(RunExchange(exchange, conn, std::nullopt).kind, SaslResult::kCancelled);
  EXPECT_EQ(exchange.responses().size(), 1u);
}

TEST(SaslDriverTest, UndecodableResponseStops) {
  testing::FakeConnection conn;
  conn.AddInput("%%%\r\n");
  ScriptedExchange exchange({"c1"});
  EXPECT_EQ(RunExchange(exchange, conn, std::nullopt).kind, SaslResult::kBadBase64);
}

TEST(SaslDriverTest, LongResponseIsRefusedWithTheWiresText) {
  testing::FakeConnection conn;
  conn.AddInput(std::string(200, 'A') + "\r\n");
  ScriptedExchange exchange({"c1"});
  const SaslResult result = RunExchange(exchange, conn, std::nullopt);
  EXPECT_EQ(result.kind, SaslResult::kInvalid);
  EXPECT_EQ(result.text, "too long");
}

TEST(SaslDriverTest, ClosedConnectionEndsTheExchange) {
  testing::FakeConnection conn;
  ScriptedExchange exchange({"c1"});
  EXPECT_EQ(RunExchange(exchange, conn, std::nullopt).kind, SaslResult::kClosed);
}

TEST(SaslDriverTest, FailureCarriesTheMechanismsTextOrADefault) {
  testing::FakeConnection conn;
  ScriptedExchange quiet({}, /*fail=*/true);
  SaslResult result = RunExchange(quiet, conn, std::nullopt);
  EXPECT_EQ(result.kind, SaslResult::kFailed);
  EXPECT_EQ(result.text, "Authentication failed");
  ScriptedExchange told({}, /*fail=*/true, "Token expired");
  EXPECT_EQ(RunExchange(told, conn, std::nullopt).text, "Token expired");
}

TEST(SaslDriverTest, StartRefusesPlaintextWithoutTlsAndFindsMechanisms) {
  testing::FakeConnection conn;
  OneMechanismAuthenticator auth;
  EXPECT_EQ(StartSasl(auth, conn, "plain").kind, SaslStart::kPlaintextRefused);
  EXPECT_EQ(StartSasl(auth, conn, "LOGIN").kind, SaslStart::kPlaintextRefused);
  EXPECT_EQ(StartSasl(auth, conn, "X-OTHER").kind, SaslStart::kUnsupported);
  EXPECT_TRUE(auth.started.empty());

  const SaslStart start = StartSasl(auth, conn, "x-test");
  EXPECT_EQ(start.kind, SaslStart::kStarted);
  EXPECT_NE(start.exchange, nullptr);
  ASSERT_EQ(auth.started.size(), 1u);
  EXPECT_EQ(auth.started[0], "X-TEST");

  conn.set_tls_active(true);
  EXPECT_EQ(StartSasl(auth, conn, "plain").kind, SaslStart::kStarted);
  conn.set_tls_active(false);
  auth.plaintext_allowed = true;
  EXPECT_EQ(StartSasl(auth, conn, "PLAIN").kind, SaslStart::kStarted);
}

}  // namespace
}  // namespace mailroom::sasl
