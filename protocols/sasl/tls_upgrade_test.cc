#include "protocols/sasl/tls_upgrade.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "protocols/api/task.h"
#include "protocols/pop3/testing/fake_connection.h"

namespace mailroom::sasl {
namespace {

struct Replies {
  std::vector<std::string> refused;
  std::vector<std::string> accepted;
};

plugin::Task<void> RunInto(testing::FakeConnection& conn, Replies& replies,
                           TlsUpgrade* result) {
  *result = co_await UpgradeToTls(
      conn, "STLS",
      [&](std::string_view text) {
        replies.refused.emplace_back(text);
        conn.Write(std::string("-ERR ").append(text).append("\r\n"));
      },
      [&](std::string_view text) {
        replies.accepted.emplace_back(text);
        conn.Write(std::string("+OK ").append(text).append("\r\n"));
      });
}

// The fake connection completes every call at once.
TlsUpgrade Upgrade(testing::FakeConnection& conn, Replies& replies) {
  TlsUpgrade result = TlsUpgrade::kClosed;
  plugin::Spawn(RunInto(conn, replies, &result));
  return result;
}

TEST(TlsUpgradeTest, AcceptanceIsFlushedBeforeTheHandshake) {
  testing::FakeConnection conn;
  conn.set_tls_available(true);
  Replies replies;
  EXPECT_EQ(Upgrade(conn, replies), TlsUpgrade::kStarted);
  EXPECT_EQ(conn.output(), "+OK Begin TLS negotiation\r\n");
  EXPECT_TRUE(conn.unflushed().empty());
  EXPECT_EQ(conn.tls_starts(), 1);
  EXPECT_TRUE(replies.refused.empty());
}

TEST(TlsUpgradeTest, RefusesWhenActiveOrUnavailable) {
  testing::FakeConnection active;
  active.set_tls_available(true);
  active.set_tls_active(true);
  Replies replies;
  EXPECT_EQ(Upgrade(active, replies), TlsUpgrade::kRefused);
  EXPECT_EQ(replies.refused, std::vector<std::string>{"TLS is already active"});
  EXPECT_EQ(active.tls_starts(), 0);

  testing::FakeConnection plain;
  Replies plain_replies;
  EXPECT_EQ(Upgrade(plain, plain_replies), TlsUpgrade::kRefused);
  EXPECT_EQ(plain_replies.refused,
            std::vector<std::string>{"TLS is not available"});
  EXPECT_TRUE(plain_replies.accepted.empty());
  EXPECT_EQ(plain.tls_starts(), 0);
}

}  // namespace
}  // namespace mailroom::sasl
