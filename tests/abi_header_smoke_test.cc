// Compiles every API header together and runs a Task chain.
#include "protocols/api/plugin.h"

#include "gtest/gtest.h"

namespace mailroom::plugin {
namespace {

Task<int> Two() { co_return 2; }
Task<int> Sum() {
  int a = co_await Two();
  int b = co_await Two();
  co_return a + b;
}

TEST(Task, ChainsAndReturnsValues) {
  int out = 0;
  Spawn([](int* o) -> Task<void> { *o = co_await Sum(); }(&out));
  EXPECT_EQ(out, 4);
}

}  // namespace
}  // namespace mailroom::plugin
