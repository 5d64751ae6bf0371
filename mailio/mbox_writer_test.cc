#include "mailio/mbox_writer.h"

#include <sstream>

#include "gtest/gtest.h"
#include "mailio/mbox_reader.h"

namespace mailroom::mailio {
namespace {

TEST(MboxWriter, QuotesAndReadsBack) {
  const std::string one =
      "Subject: one\r\n\r\nFrom the start\r\n>From quoted\r\n\r\n";
  const std::string two = "Subject: two\r\n\r\nlast\r\n";
  std::ostringstream out;
  MboxWriter writer(&out);
  writer.Write(1700000000, one, "X-UID: 1\n");
  writer.Write(820631134, two, "");
  EXPECT_EQ(out.str(),
            "From MAILER-DAEMON Tue Nov 14 22:13:20 2023\n"
            "Subject: one\nX-UID: 1\n\n>From the start\n>>From quoted\n\n\n"
            "From MAILER-DAEMON Wed Jan  3 01:05:34 1996\n"
            "Subject: two\n\nlast\n\n");

  std::istringstream in(out.str());
  MboxReader reader(&in);
  std::optional<MboxMessage> m = reader.Next();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->data,
            "Subject: one\r\nX-UID: 1\r\n\r\nFrom the start\r\n"
            ">From quoted\r\n\r\n");
  EXPECT_EQ(m->internal_date, 1700000000);
  m = reader.Next();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->data, two);
  EXPECT_EQ(m->internal_date, 820631134);
  EXPECT_FALSE(reader.Next().has_value());
}

TEST(MboxWriter, HeaderOnlyMessage) {
  std::ostringstream out;
  MboxWriter writer(&out);
  writer.Write(0, "Subject: none\r\n", "X-UID: 3\n");
  EXPECT_EQ(out.str(),
            "From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n"
            "Subject: none\nX-UID: 3\n\n");
}

}  // namespace
}  // namespace mailroom::mailio
