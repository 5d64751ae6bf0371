#include "server/auth/verified_login_cache.h"

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace mailroom::server::auth {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

TEST(VerifiedLoginCacheTest, HitOnlyForTheSamePasswordAndStoredKey) {
  VerifiedLoginCache cache(absl::Minutes(5), 100);
  cache.Insert("alice", "secret", "key1", kT0);
  EXPECT_TRUE(cache.Matches("alice", "secret", "key1", kT0 + absl::Seconds(1)));
  EXPECT_FALSE(cache.Matches("alice", "Secret", "key1", kT0));
  EXPECT_FALSE(cache.Matches("alice", "secret2", "key1", kT0));
  EXPECT_FALSE(cache.Matches("alice", "", "key1", kT0));
  // A password change gives a new stored key: the old entry is useless.
  EXPECT_FALSE(cache.Matches("alice", "secret", "key2", kT0));
  EXPECT_FALSE(cache.Matches("bob", "secret", "key1", kT0));
}

TEST(VerifiedLoginCacheTest, EntriesExpire) {
  VerifiedLoginCache cache(absl::Minutes(5), 100);
  cache.Insert("alice", "secret", "key1", kT0);
  EXPECT_TRUE(cache.Matches("alice", "secret", "key1", kT0 + absl::Minutes(4)));
  EXPECT_FALSE(cache.Matches("alice", "secret", "key1", kT0 + absl::Minutes(5)));
  // A clock stepping back does not extend an entry's life.
  EXPECT_FALSE(cache.Matches("alice", "secret", "key1", kT0 - absl::Seconds(1)));
}

TEST(VerifiedLoginCacheTest, ZeroTtlDisablesIt) {
  VerifiedLoginCache cache(absl::ZeroDuration(), 100);
  EXPECT_FALSE(cache.enabled());
  cache.Insert("alice", "secret", "key1", kT0);
  EXPECT_FALSE(cache.Matches("alice", "secret", "key1", kT0));
}

TEST(VerifiedLoginCacheTest, EraseAndReplace) {
  VerifiedLoginCache cache(absl::Minutes(5), 100);
  cache.Insert("alice", "secret", "key1", kT0);
  cache.Erase("alice");
  EXPECT_FALSE(cache.Matches("alice", "secret", "key1", kT0));
  cache.Insert("alice", "old", "key1", kT0);
  cache.Insert("alice", "new", "key2", kT0);
  EXPECT_FALSE(cache.Matches("alice", "old", "key1", kT0));
  EXPECT_TRUE(cache.Matches("alice", "new", "key2", kT0));
}

TEST(VerifiedLoginCacheTest, FullCacheDropsTheOldestEntry) {
  VerifiedLoginCache cache(absl::Minutes(5), 2);
  cache.Insert("a", "pa", "ka", kT0);
  cache.Insert("b", "pb", "kb", kT0 + absl::Seconds(1));
  cache.Insert("c", "pc", "kc", kT0 + absl::Seconds(2));
  const absl::Time now = kT0 + absl::Seconds(3);
  EXPECT_FALSE(cache.Matches("a", "pa", "ka", now));
  EXPECT_TRUE(cache.Matches("b", "pb", "kb", now));
  EXPECT_TRUE(cache.Matches("c", "pc", "kc", now));
}

}  // namespace
}  // namespace mailroom::server::auth
