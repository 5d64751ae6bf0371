// The unit a client address is throttled by. An IPv4 address stands for
// itself; an IPv6 address for its /64, since one host or one customer line
// usually owns a whole /64 and could otherwise rotate through 2^64 fresh
// addresses. IPv4-mapped IPv6 addresses count as the IPv4 address.
#ifndef MAILROOM_SERVER_AUTH_CLIENT_GROUP_H_
#define MAILROOM_SERVER_AUTH_CLIENT_GROUP_H_

#include <string>
#include <string_view>

namespace mailroom::server::auth {

// "192.0.2.7" -> "192.0.2.7"; "2001:db8:1:2:aa::1" -> "2001:db8:1:2::/64";
// "::ffff:192.0.2.7" -> "192.0.2.7". Anything else (a UNIX socket's "unix")
// is returned unchanged.
std::string ClientGroup(std::string_view address);

}  // namespace mailroom::server::auth

#endif  // MAILROOM_SERVER_AUTH_CLIENT_GROUP_H_
