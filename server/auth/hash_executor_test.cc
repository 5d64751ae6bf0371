#include "server/auth/hash_executor.h"

#include <vector>

#include "gtest/gtest.h"
#include "server/auth/parking_connection.h"

namespace mailroom::server::auth {
namespace {

using testing::ParkingConnection;

TEST(HashExecutor, FullQueueFailsFastWithUnavailable) {
  HashExecutor executor({/*threads=*/1, /*queue=*/2});
  ParkingConnection conn;
  std::vector<absl::Status> results;
  int ran = 0;
  auto start = [&] {
    plugin::Spawn([](HashExecutor& executor, ParkingConnection& conn,
                     std::vector<absl::Status>& results,
                     int& ran) -> plugin::Task<void> {
      results.push_back(co_await executor.Run(conn, [&ran] { ++ran; }));
    }(executor, conn, results, ran));
  };
  for (int i = 0; i < 5; ++i) start();
  // One running plus two queued are in flight; the other two were turned
  // away at once, without running.
  EXPECT_EQ(conn.parked(), 3u);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(absl::IsUnavailable(results[0]));
  EXPECT_TRUE(absl::IsUnavailable(results[1]));
  EXPECT_EQ(executor.jobs_rejected(), 2u);

  conn.ReleaseAll();
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(ran, 3);
  for (size_t i = 2; i < results.size(); ++i) EXPECT_TRUE(results[i].ok());
  // Slots are free again.
  start();
  EXPECT_EQ(conn.parked(), 1u);
  conn.ReleaseAll();
  EXPECT_EQ(ran, 4);
  EXPECT_EQ(executor.jobs_run(), 4u);
}

}  // namespace
}  // namespace mailroom::server::auth
