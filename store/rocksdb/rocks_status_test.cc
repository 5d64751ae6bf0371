#include "store/rocksdb/rocks_status.h"

#include "gtest/gtest.h"
#include "store/no_space.h"

namespace mailroom::store::rocksdb_engine {
namespace {

TEST(RocksStatusTest, FullDiskIsTemporaryResourceExhaustion) {
  absl::Status s = FromRocks(rocksdb::Status::NoSpace("While appending"));
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(IsNoSpace(s)) << s;
  EXPECT_TRUE(IsNoSpace(FromRocks(rocksdb::Status::SpaceLimit())));
}

TEST(RocksStatusTest, OtherIoErrorsStayUnavailable) {
  absl::Status s = FromRocks(rocksdb::Status::IOError("read failed"));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(IsNoSpace(s));
  EXPECT_FALSE(IsNoSpace(absl::ResourceExhaustedError("OVERQUOTA storage")));
  EXPECT_EQ(FromRocks(rocksdb::Status::Busy()).code(),
            absl::StatusCode::kAborted);
}

}  // namespace
}  // namespace mailroom::store::rocksdb_engine
