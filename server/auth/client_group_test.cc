#include "server/auth/client_group.h"

#include "gtest/gtest.h"

namespace mailroom::server::auth {
namespace {

TEST(ClientGroup, Ipv4StandsForItself) {
  EXPECT_EQ(ClientGroup("192.0.2.7"), "192.0.2.7");
  EXPECT_NE(ClientGroup("192.0.2.7"), ClientGroup("192.0.2.8"));
}

TEST(ClientGroup, Ipv6GroupsBySlash64) {
  EXPECT_EQ(ClientGroup("2001:db8:1:2:aa::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(ClientGroup("2001:db8:1:2:ffff:ffff:ffff:ffff"),
            ClientGroup("2001:db8:1:2::1"));
  EXPECT_NE(ClientGroup("2001:db8:1:3::1"), ClientGroup("2001:db8:1:2::1"));
  EXPECT_EQ(ClientGroup("fe80::1%eth0"), "fe80::/64");
}

TEST(ClientGroup, MappedIpv4IsTheIpv4Address) {
  EXPECT_EQ(ClientGroup("::ffff:192.0.2.7"), "192.0.2.7");
}

TEST(ClientGroup, OtherNamesUnchanged) {
  EXPECT_EQ(ClientGroup("unix"), "unix");
}

}  // namespace
}  // namespace mailroom::server::auth
