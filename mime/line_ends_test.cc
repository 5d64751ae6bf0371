#include "mime/line_ends.h"

#include "gtest/gtest.h"

namespace mailroom::mime {
namespace {

TEST(LineEndsTest, CrlfMessageKeepsItsSize) {
  EXPECT_EQ(CrlfSize("A: b\r\n\r\nbody\r\n"), 14u);
  EXPECT_EQ(CrlfSize(""), 0u);
}

TEST(LineEndsTest, BareLfCountsTwo) {
  EXPECT_EQ(CrlfSize("A: b\n\nbody\n"), 14u);
  EXPECT_EQ(CrlfSize("\n"), 2u);
  EXPECT_EQ(CrlfSize("\r\n\n"), 4u);
}

TEST(LineEndsTest, MissingFinalLineEndIsCounted) {
  EXPECT_EQ(CrlfSize("body"), 6u);
  EXPECT_EQ(CrlfSize("x\r"), 3u);  // the final CR is half of it
  EXPECT_EQ(CrlfSize("\r"), 2u);
}

TEST(LineEndsTest, BareCrInsideALineIsContent) {
  EXPECT_EQ(CrlfSize("a\rb\r\n"), 5u);
  EXPECT_EQ(CrlfSize("x\r\r\n"), 4u);
}

}  // namespace
}  // namespace mailroom::mime
