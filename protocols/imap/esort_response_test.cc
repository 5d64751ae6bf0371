#include "protocols/imap/esort_response.h"

#include "gtest/gtest.h"

namespace mailroom::imap {
namespace {

TEST(EsortResponseTest, OrderedNumberSetKeepsSortOrder) {
  // RFC 5267 section 3.2: ranges only where the order ascends.
  EXPECT_EQ(OrderedNumberSet({23765, 23764, 23763, 23761, 7, 8, 9, 2}),
            "23765,23764,23763,23761,7:9,2");
  EXPECT_EQ(OrderedNumberSet({1, 2, 3}), "1:3");
  EXPECT_EQ(OrderedNumberSet({5}), "5");
  EXPECT_EQ(OrderedNumberSet({}), "");
}

TEST(EsortResponseTest, MinMaxAreFirstAndLastInSortOrder) {
  const std::vector<uint32_t> sorted = {9, 3, 4, 1};
  EXPECT_EQ(EsortResponse("E1", true, {"MIN", "MAX", "COUNT"}, sorted),
            "ESEARCH (TAG \"E1\") UID MIN 9 MAX 1 COUNT 4");
  // An empty RETURN () means ALL (section 3.3).
  EXPECT_EQ(EsortResponse("E2", false, {}, sorted),
            "ESEARCH (TAG \"E2\") ALL 9,3:4,1");
  EXPECT_EQ(EsortResponse("E3", false, {"ALL", "COUNT"}, {}),
            "ESEARCH (TAG \"E3\") COUNT 0");
}

}  // namespace
}  // namespace mailroom::imap
