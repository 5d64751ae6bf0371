// Comparators, :matches wildcards and captures, addresses and dates.
#include "sieve/comparator.h"

#include "gtest/gtest.h"
#include "sieve/address.h"
#include "sieve/date.h"

namespace mailroom::sieve {
namespace {

std::vector<std::string> Captures(std::string_view value, std::string_view pattern) {
  std::vector<std::string> c;
  if (!GlobMatch(Comparator::kOctet, value, pattern, &c)) return {"no match"};
  return c;
}

TEST(GlobTest, Wildcards) {
  EXPECT_TRUE(GlobMatch(Comparator::kOctet, "", "*", nullptr));
  EXPECT_FALSE(GlobMatch(Comparator::kOctet, "", "?", nullptr));
  EXPECT_TRUE(GlobMatch(Comparator::kAsciiCasemap, "Hello World", "h*O w?RLD", nullptr));
  EXPECT_FALSE(GlobMatch(Comparator::kOctet, "Hello World", "h*", nullptr));
  EXPECT_TRUE(GlobMatch(Comparator::kOctet, "a*b", "a\\*b", nullptr));
  EXPECT_FALSE(GlobMatch(Comparator::kOctet, "axb", "a\\*b", nullptr));
  EXPECT_TRUE(GlobMatch(Comparator::kOctet, "a?b\\", "a\\?b\\\\", nullptr));
  EXPECT_FALSE(GlobMatch(Comparator::kOctet, "abc", "ab", nullptr));
  EXPECT_TRUE(GlobMatch(Comparator::kOctet, "abcabd", "*abd", nullptr));
  // "?" is one UTF-8 character.
  EXPECT_TRUE(GlobMatch(Comparator::kOctet, "caf\xC3\xA9", "caf?", nullptr));
}

TEST(GlobTest, CapturesTakeAsLittleAsPossibleFromTheLeft) {
  EXPECT_EQ(Captures("[acme-users] [fwd] version 1.0 is out", "[*] *"),
            (std::vector<std::string>{"[acme-users] [fwd] version 1.0 is out", "acme-users",
                                      "[fwd] version 1.0 is out"}));
  EXPECT_EQ(Captures("abcabc", "*b*"), (std::vector<std::string>{"abcabc", "a", "cabc"}));
  EXPECT_EQ(Captures("xyz", "?*?"), (std::vector<std::string>{"xyz", "x", "y", "z"}));
  EXPECT_EQ(Captures("ab", "**b"), (std::vector<std::string>{"ab", "", "a"}));
  EXPECT_EQ(Captures("ab", "c*"), (std::vector<std::string>{"no match"}));
}

TEST(ComparatorTest, Ordering) {
  EXPECT_EQ(Compare(Comparator::kAsciiCasemap, "ABC", "abc"), 0);
  EXPECT_LT(Compare(Comparator::kOctet, "ABC", "abc"), 0);
  EXPECT_EQ(Compare(Comparator::kAsciiNumeric, "007", "7 dwarfs"), 0);
  EXPECT_LT(Compare(Comparator::kAsciiNumeric, "9", "10"), 0);
  EXPECT_LT(Compare(Comparator::kAsciiNumeric, "123456789012345678901234567890", "x"), 0);
  EXPECT_EQ(Compare(Comparator::kAsciiNumeric, "x", "y"), 0);
  EXPECT_TRUE(Contains(Comparator::kAsciiCasemap, "Hello", "LL"));
  EXPECT_FALSE(Contains(Comparator::kOctet, "Hello", "LL"));
  EXPECT_TRUE(Relate(Relation::kGe, 0));
  EXPECT_FALSE(Relate(Relation::kNe, 0));
  EXPECT_EQ(QuoteWildcards("a*b?c\\"), "a\\*b\\?c\\\\");
}

TEST(AddressTest, Lists) {
  auto list = ParseAddressList(
      "\"Doe, John\" <john.doe@example.com>, (comment) jane@example.org (Jane),"
      " undisclosed-recipients:;, team: a@x.example, <@route:b@y.example>;");
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0].all, "john.doe@example.com");
  EXPECT_EQ(list[1].all, "jane@example.org");
  EXPECT_EQ(list[2].localpart, "a");
  EXPECT_EQ(list[3].all, "b@y.example");
  Address quoted = ParseAddrSpec("\"odd user\"@example.com");
  EXPECT_EQ(quoted.localpart, "odd user");
  EXPECT_EQ(quoted.domain, "example.com");
  EXPECT_FALSE(ParseAddrSpec("no-domain").has_domain);
  EXPECT_EQ(PartOf(ParseAddrSpec("ken+a+b@x"), AddressPart::kDetail, "+"), "a+b");
  EXPECT_EQ(PartOf(ParseAddrSpec("ken@x"), AddressPart::kDetail, "+"), std::nullopt);
  EXPECT_EQ(PartOf(ParseAddrSpec("ken@x"), AddressPart::kUser, "+"), "ken");
}

TEST(DateTest, ParseAndParts) {
  auto d = ParseDateTime("Tue, 1 Apr 1997 09:06:31 -0800 (PST)");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->offset_minutes, -480);
  EXPECT_EQ(DatePart(d->time, 0, "iso8601"), "1997-04-01T17:06:31+00:00");
  EXPECT_EQ(DatePart(d->time, -480, "std11"), "Tue, 1 Apr 1997 09:06:31 -0800");
  EXPECT_EQ(DatePart(d->time, 0, "julian"), "50539");
  EXPECT_TRUE(ParseDateTime("1 Jan 70 00:00 GMT").has_value());
  EXPECT_FALSE(ParseDateTime("31 Feb 2020 00:00:00 +0000").has_value());
  EXPECT_FALSE(ParseDateTime("yesterday").has_value());
  EXPECT_EQ(ParseZone("+0530"), 330);
  EXPECT_EQ(ParseZone("-2400"), std::nullopt);
}

}  // namespace
}  // namespace mailroom::sieve
