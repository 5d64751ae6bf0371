#include "mailio/mbox_reader.h"

#include <sstream>

#include "gtest/gtest.h"

namespace mailroom::mailio {
namespace {

TEST(MboxReader, SplitsUnescapesAndConvertsLineEnds) {
  std::istringstream in(
      "From alice@example.com Sat Jan  3 01:05:34 1996\n"
      "Subject: one\n"
      "\n"
      ">From the start\n"
      ">>From deeper\n"
      "body\n"
      "\n"
      "From bob@example.com Thu Feb 29 23:59:59 2024\n"
      "Subject: two\n"
      "\n"
      "\n"
      "last\n");
  MboxReader reader(&in);
  std::optional<MboxMessage> first = reader.Next();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->data,
            "Subject: one\r\n\r\nFrom the start\r\n>From deeper\r\nbody\r\n");
  EXPECT_EQ(first->internal_date, 820631134);
  std::optional<MboxMessage> second = reader.Next();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->data, "Subject: two\r\n\r\n\r\nlast\r\n");
  EXPECT_EQ(second->internal_date, 1709251199);
  EXPECT_FALSE(reader.Next().has_value());
}

TEST(MboxReader, EmptyInputHasNoMessages) {
  std::istringstream in("");
  MboxReader reader(&in);
  EXPECT_FALSE(reader.Next().has_value());
}

TEST(ParseFromLineDate, HandlesZonesAndGarbage) {
  EXPECT_EQ(ParseFromLineDate("From x Sat Jan  3 01:05:34 1996"), 820631134);
  EXPECT_EQ(ParseFromLineDate("From x Sat Jan  3 02:05:34 +0100 1996"),
            820631134);
  EXPECT_EQ(ParseFromLineDate("From x"), std::nullopt);
  EXPECT_EQ(ParseFromLineDate("From x yesterday"), std::nullopt);
}

}  // namespace
}  // namespace mailroom::mailio
