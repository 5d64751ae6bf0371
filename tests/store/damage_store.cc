// damage_store --data_dir=DIR DAMAGE WORDS... [-- DAMAGE WORDS...]: applies
// named damages (tests/store/store_damage.h) to a stopped RocksDB store, for
// the end-to-end tests of mailroomctl verify and repair.
#include <cstdio>
#include <string>
#include <vector>

#include "store/store.h"
#include "tests/store/store_damage.h"

int main(int argc, char** argv) {
  mailroom::store::StoreOptions options;
  std::vector<std::vector<std::string>> damages(1);
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--data_dir=", 0) == 0) {
      options.data_dir = arg.substr(11);
    } else if (arg == "--") {
      damages.emplace_back();
    } else {
      damages.back().push_back(arg);
    }
  }
  if (options.data_dir.empty() || damages.front().empty()) {
    std::fprintf(stderr, "usage: damage_store --data_dir=DIR DAMAGE WORDS... [-- ...]\n");
    return 2;
  }
  auto damage = mailroom::store::testing::StoreDamage::Open(options);
  if (!damage.ok()) {
    std::fprintf(stderr, "%s\n", damage.status().ToString().c_str());
    return 1;
  }
  for (const auto& words : damages) {
    absl::Status s = (*damage)->Apply(words);
    if (!s.ok()) {
      std::fprintf(stderr, "%s: %s\n", words[0].c_str(), s.ToString().c_str());
      return 1;
    }
  }
  return 0;
}
