#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "rocksdb/utilities/transaction_db.h"

TEST(Toolchain, Links) {
  absl::StatusOr<int> v = 3;
  EXPECT_EQ(*v, 3);
  rocksdb::Options o;
  EXPECT_TRUE(o.create_if_missing == false);
}
