#include "store/internal/rebuild_queue.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mailroom::store::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(RebuildQueueTest, AnOwnerIsRequestedOnceUntilItsRebuildIsDone) {
  RebuildQueue queue;
  uint64_t epoch = queue.Epoch();
  EXPECT_TRUE(queue.Request("alice", epoch));
  EXPECT_FALSE(queue.Request("alice", epoch));
  EXPECT_TRUE(queue.Request("bob", epoch));
  std::vector<std::string> taken = queue.Take();
  EXPECT_THAT(taken, ElementsAre("alice", "bob"));
  EXPECT_THAT(queue.Take(), IsEmpty());
  // Still being rebuilt: no second request.
  EXPECT_FALSE(queue.Request("alice", epoch));
  EXPECT_TRUE(queue.Pending("alice"));
  queue.Done(taken);
  EXPECT_FALSE(queue.Pending("alice"));
  // A query that started before the rebuild finished does not count...
  EXPECT_FALSE(queue.Request("alice", epoch));
  // ...one that started after it does.
  EXPECT_TRUE(queue.Request("alice", queue.Epoch()));
}

TEST(RebuildQueueTest, DoneIgnoresOwnersRequestedAgainAfterTake) {
  RebuildQueue queue;
  EXPECT_TRUE(queue.Request("alice", queue.Epoch()));
  queue.Done({"alice"});  // not taken yet: stays requested
  EXPECT_TRUE(queue.Pending("alice"));
  EXPECT_THAT(queue.Take(), ElementsAre("alice"));
}

}  // namespace
}  // namespace mailroom::store::internal
