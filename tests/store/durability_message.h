// The deterministic messages of the crash test, so the parent can rebuild
// every acknowledged message byte for byte.
#ifndef MAILROOM_TESTS_STORE_DURABILITY_MESSAGE_H_
#define MAILROOM_TESTS_STORE_DURABILITY_MESSAGE_H_

#include <string>

namespace mailroom::store::testing {

// Sizes vary so that some bodies go to RocksDB blob files (>= 4 KB).
inline std::string DurabilityMessage(int round, int batch, int count,
                                     int index) {
  std::string id = "r" + std::to_string(round) + "-b" + std::to_string(batch) +
                   "-n" + std::to_string(count) + "-i" + std::to_string(index);
  std::string body;
  size_t size = (batch * 7919 + index * 104729) % 9000;
  for (size_t i = 0; body.size() < size; ++i) {
    body += id + " line " + std::to_string(i) + "\r\n";
  }
  return "Subject: " + id + "\r\nX-Crash-Id: " + id + "\r\n\r\n" + body;
}

}  // namespace mailroom::store::testing

#endif  // MAILROOM_TESTS_STORE_DURABILITY_MESSAGE_H_
