#include "server/auth/client_group.h"

#include <arpa/inet.h>

#include <cstring>

namespace mailroom::server::auth {

std::string ClientGroup(std::string_view address) {
  std::string text(address);
  // A scope id ("fe80::1%eth0") does not change the group.
  if (size_t percent = text.find('%'); percent != std::string::npos) {
    text.resize(percent);
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) return std::string(address);
  char buffer[INET6_ADDRSTRLEN];
  static constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0,    0,
                                                       0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(v6.s6_addr, kMappedPrefix, sizeof(kMappedPrefix)) == 0) {
    in_addr v4;
    std::memcpy(&v4, v6.s6_addr + 12, 4);
    if (inet_ntop(AF_INET, &v4, buffer, sizeof(buffer)) == nullptr) {
      return std::string(address);
    }
    return buffer;
  }
  std::memset(v6.s6_addr + 8, 0, 8);
  if (inet_ntop(AF_INET6, &v6, buffer, sizeof(buffer)) == nullptr) {
    return std::string(address);
  }
  return std::string(buffer) + "/64";
}

}  // namespace mailroom::server::auth
