// Crash-test helper: appends to a store in a loop and prints one line per
// acknowledged append ("ACK <batch> <count> <first uid>"), flushing each, so
// the parent knows exactly what was promised before it kills this process.
// Also copies to and expunges from Archive to exercise blob references.
//
// Usage: durability_child <data_dir> <round>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/store/store_test_util.h"
#include "tests/store/durability_message.h"

int main(int argc, char** argv) {
  using namespace mailroom::store;
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <data_dir> <round>\n", argv[0]);
    return 2;
  }
  StoreOptions options = testing::TestOptions(argv[1]);
  options.password_iterations = 16;
  options.sync_writes = true;
  auto store = OpenStore(options);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 1;
  }
  absl::Status created = (*store)->CreateUser("crash", "pw");
  if (!created.ok() && created.code() != absl::StatusCode::kAlreadyExists) {
    std::fprintf(stderr, "user: %s\n", created.ToString().c_str());
    return 1;
  }
  Principal who = PrincipalIssuer::User("crash");
  auto inbox = (*store)->GetStatus(who, "INBOX");
  if (!inbox.ok()) return 1;
  std::printf("READY\n");
  std::fflush(stdout);
  int round = std::atoi(argv[2]);
  for (int batch = 0;; ++batch) {
    int count = 1 + batch % 3;  // multi-message appends are all-or-none
    std::vector<std::string> bodies;
    std::vector<AppendRequest> requests;
    for (int i = 0; i < count; ++i) {
      bodies.push_back(
          mailroom::store::testing::DurabilityMessage(round, batch, count, i));
    }
    for (const std::string& b : bodies) {
      requests.push_back(AppendRequest{.data = b, .flags = {kFlagged, {"t"}}});
    }
    auto result = (*store)->Append(who, "INBOX", requests);
    if (!result.ok()) {
      std::fprintf(stderr, "append: %s\n", result.status().ToString().c_str());
      return 1;
    }
    std::printf("ACK %d %d %u\n", batch, count, result->uids[0]);
    std::fflush(stdout);
    if (batch % 4 == 0) {
      (void)(*store)->Copy(who, inbox->id, result->uids, "Archive");
    }
    if (batch % 7 == 6) {
      auto archive = (*store)->GetStatus(who, "Archive");
      if (archive.ok()) {
        (void)(*store)->Expunge(who, archive->id,
                                ExpungeRequest{.only_deleted = false});
      }
    }
  }
}
