#include "store/rocksdb/disk_reserve.h"

#include <sys/statvfs.h>

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"
#include "store/no_space.h"

namespace mailroom::store::rocksdb_engine {
namespace {

std::string Dir() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return tmp != nullptr ? tmp : "/tmp";
}

uint64_t FreeBytes() {
  struct statvfs fs;
  EXPECT_EQ(statvfs(Dir().c_str(), &fs), 0);
  return static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
}

TEST(DiskReserveTest, OffWhenZero) {
  DiskReserve reserve(Dir(), 0);
  EXPECT_TRUE(reserve.Check().ok());
}

TEST(DiskReserveTest, WritesPassWithRoom) {
  DiskReserve reserve(Dir(), 1);
  EXPECT_TRUE(reserve.Check().ok());
  EXPECT_TRUE(reserve.Check(/*deletes_only=*/true).ok());
}

TEST(DiskReserveTest, ShortReserveIsNoSpaceButDeletesGoThrough) {
  // Three times what is free: a write is refused; a delete needs only a
  // quarter of the reserve, which is there.
  DiskReserve reserve(Dir(), 3 * FreeBytes());
  absl::Status refused = reserve.Check();
  EXPECT_TRUE(IsNoSpace(refused)) << refused;
  EXPECT_TRUE(reserve.Check(/*deletes_only=*/true).ok());
}

TEST(DiskReserveTest, UnreadableDirectoryDoesNotBlockWrites) {
  DiskReserve reserve("/nonexistent/mailroom/store", 1ull << 60);
  EXPECT_TRUE(reserve.Check().ok());
}

}  // namespace
}  // namespace mailroom::store::rocksdb_engine
