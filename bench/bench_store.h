// A store of its own for an in-process benchmark: a fresh folder named after
// the benchmark below TEST_TMPDIR (or /tmp), synced writes unless the caller
// turns them off, and cheap password hashing so setup stays quick.
#ifndef MAILROOM_BENCH_BENCH_STORE_H_
#define MAILROOM_BENCH_BENCH_STORE_H_

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>

#include "store/store.h"

namespace mailroom::bench {

// Opens the store, creating `users` (password "pw"). `options.data_dir` is
// replaced by the fresh folder; aborts if the store cannot be opened, since
// no figure would mean anything then.
inline std::unique_ptr<store::Store> OpenBenchStore(
    const std::string& tag, store::StoreOptions options,
    std::initializer_list<const char*> users = {}) {
  const char* base = std::getenv("TEST_TMPDIR");
  const std::filesystem::path dir =
      std::filesystem::path(base != nullptr ? base : "/tmp") /
      (tag + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  options.data_dir = dir.string();
  options.password_iterations = 1000;
  std::unique_ptr<store::Store> store = store::OpenStore(options).value();
  for (const char* user : users) (void)store->CreateUser(user, "pw");
  return store;
}

}  // namespace mailroom::bench

#endif  // MAILROOM_BENCH_BENCH_STORE_H_
