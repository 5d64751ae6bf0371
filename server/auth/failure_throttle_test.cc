#include "server/auth/failure_throttle.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace mailroom::server::auth {
namespace {

class FakeClock {
 public:
  absl::Time Now() const { return now_; }
  void Advance(absl::Duration d) { now_ += d; }

 private:
  absl::Time now_ = absl::FromUnixSeconds(1000000);
};

// One admitted attempt with a wrong password; returns the answer's delay.
absl::Duration Fail(FailureThrottle& throttle, std::string_view address,
                    std::string_view user) {
  EXPECT_TRUE(throttle.Admit(address, user).allowed) << address << " " << user;
  return throttle.RecordFailure(address, user);
}

ThrottleOptions SmallLimits() {
  ThrottleOptions options;
  options.failures_per_address = 3;
  options.failures_per_user = 5;
  options.window = absl::Seconds(60);
  options.base = absl::Milliseconds(100);
  options.cap = absl::Seconds(1);
  return options;
}

TEST(FailureThrottle, DelayDoublesUpToTheCap) {
  FakeClock clock;
  ThrottleOptions options = SmallLimits();
  options.failures_per_address = 100;
  options.failures_per_user = 100;
  FailureThrottle throttle(options, [&] { return clock.Now(); });

  EXPECT_EQ(Fail(throttle, "1.2.3.4", "bob"), absl::Milliseconds(100));
  EXPECT_EQ(Fail(throttle, "1.2.3.4", "bob"), absl::Milliseconds(200));
  EXPECT_EQ(Fail(throttle, "1.2.3.4", "bob"), absl::Milliseconds(400));
  EXPECT_EQ(Fail(throttle, "1.2.3.4", "bob"), absl::Milliseconds(800));
  EXPECT_EQ(Fail(throttle, "1.2.3.4", "bob"), absl::Seconds(1));
}

TEST(FailureThrottle, AddressOverBudgetIsRefusedBeforeTheCheck) {
  FakeClock clock;
  FailureThrottle throttle(SmallLimits(), [&] { return clock.Now(); });
  for (int i = 0; i < 3; ++i) {
    Fail(throttle, "10.0.0.1", absl::StrCat("u", i));
  }
  // Any account, even one never tried: the address spent its budget.
  const FailureThrottle::Decision decision = throttle.Admit("10.0.0.1", "zed");
  EXPECT_FALSE(decision.allowed);
  EXPECT_GT(decision.delay, absl::ZeroDuration());
  // Another address is not affected.
  EXPECT_TRUE(throttle.Admit("10.0.0.2", "zed").allowed);
  EXPECT_EQ(throttle.stats().refused, 1u);
}

TEST(FailureThrottle, BudgetRefillsOverTheWindow) {
  FakeClock clock;
  FailureThrottle throttle(SmallLimits(), [&] { return clock.Now(); });
  for (int i = 0; i < 3; ++i) Fail(throttle, "10.0.0.1", "bob");
  EXPECT_FALSE(throttle.Admit("10.0.0.1", "carol").allowed);
  // One failure drains every window / 3 = 20 s.
  clock.Advance(absl::Seconds(19));
  EXPECT_FALSE(throttle.Admit("10.0.0.1", "carol").allowed);
  clock.Advance(absl::Seconds(2));
  Fail(throttle, "10.0.0.1", "carol");
  EXPECT_FALSE(throttle.Admit("10.0.0.1", "carol").allowed);
  clock.Advance(absl::Seconds(60));
  EXPECT_TRUE(throttle.Admit("10.0.0.1", "carol").allowed);
}

TEST(FailureThrottle, ClosedAccountStillAdmitsAnAddressWithoutFailures) {
  FakeClock clock;
  FailureThrottle throttle(SmallLimits(), [&] { return clock.Now(); });
  // Five attacking addresses, one guess each: alice's budget is spent.
  for (int i = 1; i <= 5; ++i) {
    const std::string address = absl::StrCat("10.0.0.", i);
    Fail(throttle, address, "Alice");
  }
  // Each attacker still has address budget, but alice is closed to them.
  EXPECT_FALSE(throttle.Admit("10.0.0.1", "alice").allowed);
  EXPECT_FALSE(throttle.Admit("10.0.0.5", "ALICE").allowed);
  // Other accounts stay open to them (their own budget rules there).
  EXPECT_TRUE(throttle.Admit("10.0.0.1", "bob").allowed);
  // Alice at home, with no failures, is checked.
  EXPECT_TRUE(throttle.Admit("192.0.2.50", "alice").allowed);
  // An attacker that goes quiet for a whole window counts as clean again,
  // but the account bucket has drained too by then.
  clock.Advance(absl::Seconds(61));
  EXPECT_TRUE(throttle.Admit("10.0.0.1", "alice").allowed);
}

TEST(FailureThrottle, RefusalsKeepAnAddressMarked) {
  FakeClock clock;
  FailureThrottle throttle(SmallLimits(), [&] { return clock.Now(); });
  for (int i = 1; i <= 5; ++i) {
    Fail(throttle, absl::StrCat("10.0.0.", i), "alice");
  }
  // 10.0.0.1 keeps knocking; its own single failure would be 60 s old,
  // but every refusal renews it, while the attack elsewhere keeps alice's
  // bucket full.
  for (int second = 0; second < 120; second += 10) {
    clock.Advance(absl::Seconds(10));
    Fail(throttle, absl::StrCat("10.0.1.", second), "alice");
    EXPECT_FALSE(throttle.Admit("10.0.0.1", "alice").allowed) << second;
  }
}

TEST(FailureThrottle, Ipv6AddressesShareTheirSlash64) {
  FakeClock clock;
  FailureThrottle throttle(SmallLimits(), [&] { return clock.Now(); });
  Fail(throttle, "2001:db8:0:1::1", "a");
  Fail(throttle, "2001:db8:0:1::2", "b");
  Fail(throttle, "2001:db8:0:1:ffff::3", "c");
  EXPECT_FALSE(throttle.Admit("2001:db8:0:1::99", "d").allowed);
  EXPECT_TRUE(throttle.Admit("2001:db8:0:2::1", "d").allowed);
}

TEST(FailureThrottle, FullTableDropsOnlyTheLeastRecentlyUsed) {
  FakeClock clock;
  ThrottleOptions options = SmallLimits();
  options.max_entries = 10;
  FailureThrottle throttle(options, [&] { return clock.Now(); });
  // The attacker's address is spent first.
  for (int i = 0; i < 3; ++i) Fail(throttle, "10.9.9.9", "victim");
  // Eight more entries (four addresses, four users) fill the table, the
  // attacker keeps being refused in between, so it stays recently used.
  for (int i = 0; i < 4; ++i) {
    Fail(throttle, absl::StrCat("10.1.0.", i), absl::StrCat("x", i));
    EXPECT_FALSE(throttle.Admit("10.9.9.9", "victim").allowed);
  }
  EXPECT_LE(throttle.stats().entries, 10u);
  // Before, a full table was cleared: the spent address was forgotten.
  EXPECT_FALSE(throttle.Admit("10.9.9.9", "victim").allowed);
  EXPECT_EQ(throttle.stats().entries, 10u);
  // The oldest of the fillers went first.
  Fail(throttle, "10.2.0.1", "y");
  EXPECT_LE(throttle.stats().entries, 10u);
  EXPECT_FALSE(throttle.Admit("10.9.9.9", "victim").allowed);
}

TEST(FailureThrottle, ParallelAttemptsAreChargedAtAdmission) {
  FakeClock clock;
  FailureThrottle throttle(SmallLimits(), [&] { return clock.Now(); });
  // Many connections from one address ask at once, before any check ends.
  int admitted = 0;
  for (int i = 0; i < 50; ++i) {
    if (throttle.Admit("10.0.0.1", "alice").allowed) ++admitted;
  }
  EXPECT_EQ(admitted, 3);
}

TEST(FailureThrottle, SuccessRefundsTheCharge) {
  FakeClock clock;
  FailureThrottle throttle(SmallLimits(), [&] { return clock.Now(); });
  Fail(throttle, "10.0.0.1", "alice");
  Fail(throttle, "10.0.0.1", "alice");
  // Many successful logins of a client opening connection after connection.
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(throttle.Admit("10.0.0.1", "alice").allowed) << i;
    throttle.Release("10.0.0.1", "alice");
  }
  // Its budget is what the two failures left.
  Fail(throttle, "10.0.0.1", "alice");
  EXPECT_FALSE(throttle.Admit("10.0.0.1", "alice").allowed);
}

TEST(FailureThrottle, OverLongNamesCountAgainstTheAddress) {
  FakeClock clock;
  FailureThrottle throttle(SmallLimits(), [&] { return clock.Now(); });
  for (int i = 0; i < 3; ++i) throttle.RecordAddressFailure("10.0.0.1");
  EXPECT_FALSE(throttle.Admit("10.0.0.1", "alice").allowed);
  EXPECT_EQ(throttle.stats().entries, 1u);
}

}  // namespace
}  // namespace mailroom::server::auth
