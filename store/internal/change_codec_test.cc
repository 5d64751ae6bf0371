#include "store/internal/change_codec.h"

#include "gtest/gtest.h"

namespace mailroom::store::internal {
namespace {

TEST(ChangeCodec, RoundTripsEveryField) {
  std::vector<ChangeEvent> events(2);
  events[0].mailbox = 0x0102030405060708ull;
  events[0].modseq = 99;
  events[0].owner = "shared";
  events[0].kind = ChangeEvent::kMessages;
  events[1].mailbox = 7;
  events[1].owner = "alice";
  events[1].kind = ChangeEvent::kSubscriptions;
  events[1].user = "bob";
  uint64_t node = 0;
  std::vector<ChangeEvent> out;
  ASSERT_TRUE(DecodeChanges(EncodeChanges(42, events), &node, &out));
  EXPECT_EQ(node, 42u);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].mailbox, events[0].mailbox);
  EXPECT_EQ(out[0].modseq, 99u);
  EXPECT_EQ(out[0].owner, "shared");
  EXPECT_EQ(out[1].kind, ChangeEvent::kSubscriptions);
  EXPECT_EQ(out[1].user, "bob");
}

TEST(ChangeCodec, RefusesTruncatedAndUnknownBytes) {
  std::vector<ChangeEvent> events(1);
  events[0].owner = "alice";
  const std::string good = EncodeChanges(1, events);
  uint64_t node;
  std::vector<ChangeEvent> out;
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(DecodeChanges(good.substr(0, n), &node, &out)) << n;
  }
  std::string newer = good;
  newer[0] = 2;
  EXPECT_FALSE(DecodeChanges(newer, &node, &out));
  EXPECT_FALSE(DecodeChanges(good + "x", &node, &out));
}

}  // namespace
}  // namespace mailroom::store::internal
