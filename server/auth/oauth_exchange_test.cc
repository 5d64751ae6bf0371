// OAUTHBEARER through the host authenticator: the token's signature is
// checked on the hashing pool, so the network thread serves other
// connections while a check is in flight.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "server/auth/authenticator.h"
#include "server/auth/jwt_test_keys.h"
#include "server/auth/oauth_issuers.h"
#include "server/auth/parking_connection.h"
#include "store/store.h"

namespace mailroom::server::auth {
namespace {

using plugin::SaslExchange;
using testing::ParkingConnection;
using testing::TestSigner;

constexpr char kIssuer[] = "https://login.corp.example";

class OAuthExchangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/oauth_exchange_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store::StoreOptions options;
    options.data_dir = dir_ + "/store";
    options.password_iterations = 64;
    auto store = store::OpenStore(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_->CreateUser("alice", "secret").ok());

    std::ofstream(dir_ + "/corp.jwks") << signer_.JwksText();
    OAuthIssuerConfig corp;
    corp.source = "corp.conf";
    corp.issuer = kIssuer;
    corp.audience = "mail";
    corp.jwks_path = dir_ + "/corp.jwks";
    corp.strip_domains = {"corp.example"};
    // The clock is read only while a token is verified: it tells the test
    // whether a check has run yet.
    auto issuers = OAuthIssuers::Create({corp}, {}, [this] {
      verifications_.fetch_add(1);
      return absl::Now();
    });
    ASSERT_TRUE(issuers.ok()) << issuers.status();
    auth_ = std::make_unique<HostAuthenticator>(store_.get(),
                                                /*allow_plaintext_auth=*/false);
    auth_->SetOAuthIssuers(*std::move(issuers));
    verifications_ = 0;
  }

  std::string Message(const std::string& email) const {
    const int64_t now = absl::ToUnixSeconds(absl::Now());
    const std::string token = signer_.Token({{"iss", kIssuer},
                                             {"aud", "mail"},
                                             {"exp", now + 600},
                                             {"iat", now},
                                             {"email", email}});
    return "n,,\x01" "auth=Bearer " + token + "\x01\x01";
  }

  // Starts an OAUTHBEARER exchange with `message` as its initial response;
  // `step` is set when the exchange answers.
  std::unique_ptr<SaslExchange> Start(ParkingConnection& conn,
                                      const std::string& message,
                                      std::optional<SaslExchange::Step>& step) {
    std::unique_ptr<SaslExchange> exchange = auth_->Start("OAUTHBEARER", conn);
    EXPECT_NE(exchange, nullptr);
    plugin::Spawn([](SaslExchange& exchange, std::string message,
                     std::optional<SaslExchange::Step>& step)
                      -> plugin::Task<void> {
      step = co_await exchange.Next(message);
    }(*exchange, message, step));
    return exchange;
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  TestSigner signer_ = TestSigner::EcP256("corp-1");
  std::atomic<int> verifications_{0};
  std::unique_ptr<HostAuthenticator> auth_;
};

TEST_F(OAuthExchangeTest, SignatureCheckLeavesTheNetworkThreadFree) {
  ParkingConnection first(1);
  std::optional<SaslExchange::Step> first_step;
  auto first_exchange = Start(first, Message("alice@corp.example"), first_step);
  // The check waits on the pool: it has not run on this thread, and the
  // exchange has not answered.
  EXPECT_EQ(verifications_.load(), 0);
  EXPECT_EQ(first.parked(), 1u);
  EXPECT_FALSE(first_step.has_value());

  // Meanwhile this thread serves another connection's login, whose check
  // is handed off too.
  ParkingConnection second(2);
  std::optional<SaslExchange::Step> second_step;
  auto second_exchange =
      Start(second, Message("nobody@corp.example"), second_step);
  EXPECT_EQ(second.parked(), 1u);
  EXPECT_EQ(verifications_.load(), 0);

  // The first check runs; the account lookup that follows is a store call,
  // handed off as well.
  first.ReleaseAll();
  EXPECT_GT(verifications_.load(), 0);
  first.ReleaseAll();
  ASSERT_TRUE(first_step.has_value());
  ASSERT_EQ(first_step->state, SaslExchange::Step::kSuccess);
  EXPECT_EQ(first_step->principal->user(), "alice");

  // A valid token for an account the store does not have is refused.
  second.ReleaseAll();
  second.ReleaseAll();
  ASSERT_TRUE(second_step.has_value());
  EXPECT_EQ(second_step->state, SaslExchange::Step::kContinue);
  EXPECT_NE(second_step->challenge.find("invalid_token"), std::string::npos);
}

}  // namespace
}  // namespace mailroom::server::auth
