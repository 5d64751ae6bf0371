#include "server/auth/failure_throttle.h"

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

TEST(FailureThrottle, DoublesUpToTheCapAndDecays) {
  FakeClock clock;
  ThrottleOptions options;
  options.base = absl::Milliseconds(100);
  options.cap = absl::Seconds(1);
  options.decay = absl::Seconds(10);
  FailureThrottle throttle(options, [&] { return clock.Now(); });

  EXPECT_EQ(throttle.RecordFailure("1.2.3.4", "bob"), absl::Milliseconds(100));
  EXPECT_EQ(throttle.RecordFailure("1.2.3.4", "bob"), absl::Milliseconds(200));
  EXPECT_EQ(throttle.RecordFailure("1.2.3.4", "bob"), absl::Milliseconds(400));
  EXPECT_EQ(throttle.RecordFailure("1.2.3.4", "bob"), absl::Milliseconds(800));
  EXPECT_EQ(throttle.RecordFailure("1.2.3.4", "bob"), absl::Seconds(1));
  EXPECT_EQ(throttle.RecordFailure("1.2.3.4", "bob"), absl::Seconds(1));

  // Long quiet: everything is forgotten.
  clock.Advance(absl::Minutes(10));
  EXPECT_EQ(throttle.PendingDelay("1.2.3.4", "bob"), absl::ZeroDuration());
  EXPECT_EQ(throttle.RecordFailure("1.2.3.4", "bob"), absl::Milliseconds(100));
}

TEST(FailureThrottle, CountsPerAddressAndPerUser) {
  FakeClock clock;
  ThrottleOptions options;
  options.base = absl::Milliseconds(100);
  FailureThrottle throttle(options, [&] { return clock.Now(); });
  throttle.RecordFailure("10.0.0.1", "alice");
  throttle.RecordFailure("10.0.0.2", "alice");
  // A third address guessing alice's password is slowed by her count.
  EXPECT_EQ(throttle.RecordFailure("10.0.0.3", "Alice"),
            absl::Milliseconds(400));
  // One address guessing many users is slowed by the address count.
  throttle.RecordFailure("10.0.0.9", "u1");
  throttle.RecordFailure("10.0.0.9", "u2");
  EXPECT_EQ(throttle.RecordFailure("10.0.0.9", "u3"), absl::Milliseconds(400));
  // A success clears the user's record.
  throttle.RecordSuccess("alice");
  EXPECT_EQ(throttle.PendingDelay("10.0.0.77", "alice"),
            absl::ZeroDuration());
}

}  // namespace
}  // namespace mailroom::server::auth
