// Test helper: queues outbound messages in a stopped daemon's store, as
// Sieve delivery does, so the end-to-end tests can watch the relay worker
// send them.
//   queue_outbound DATA_DIR FROM TO[,TO...] FILE [COUNT]
// FROM "" is the null reverse-path. Prints each queued id.
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "server/store_options.h"
#include "store/principal_issuer.h"
#include "store/store.h"

int main(int argc, char** argv) {
  if (argc < 5 || argc > 6) {
    std::cerr << "usage: queue_outbound DATA_DIR FROM TO[,TO...] FILE [COUNT]\n";
    return 2;
  }
  int count = 1;
  if (argc == 6 && !absl::SimpleAtoi(argv[5], &count)) return 2;
  std::ifstream in(argv[4], std::ios::binary);
  std::stringstream data;
  data << in.rdbuf();
  auto options = mailroom::server::MakeStoreOptions(argv[1]);
  if (!options.ok()) {
    std::cerr << options.status() << "\n";
    return 1;
  }
  auto store = mailroom::store::OpenStore(*options);
  if (!store.ok()) {
    std::cerr << store.status() << "\n";
    return 1;
  }
  mailroom::store::OutboundMessage message;
  message.envelope_from = argv[2];
  message.recipients = absl::StrSplit(argv[3], ',', absl::SkipEmpty());
  message.data = data.str();
  message.reason = "test";
  for (int i = 0; i < count; ++i) {
    auto id = (*store)->QueueOutbound(mailroom::store::PrincipalIssuer::Admin(),
                                      message);
    if (!id.ok()) {
      std::cerr << id.status() << "\n";
      return 1;
    }
    std::cout << *id << "\n";
  }
  return 0;
}
