// Sieve scripts in the store (RocksDB, synced commits):
//   bazel run -c opt //bench/sieve_store:sieve_store_benchmark
// PutSieveScript is one durable transaction that compiles the script first;
// GetActiveSieveScript runs for every recipient at delivery: a hit of the
// in-process cache, a miss (an owner seen for the first time), and a plain
// GetSieveScript read for comparison.

#include <atomic>
#include <memory>
#include <string>

#include "benchmark/benchmark.h"
#include "bench/bench_store.h"
#include "store/principal_issuer.h"
#include "store/store.h"

namespace mailroom::store {
namespace {

// About 1 KiB, a typical vacation-plus-filing script.
std::string Script() {
  std::string s =
      "require [\"fileinto\", \"vacation\", \"envelope\"];\n"
      "if header :contains \"list-id\" \"dev.example.org\" {\n"
      "  fileinto \"Lists/dev\";\n  stop;\n}\n";
  for (int i = 0; s.size() < 1000; ++i) {
    s += "if address :is \"from\" \"sender" + std::to_string(i) +
         "@example.com\" {\n  fileinto \"Senders\";\n}\n";
  }
  return s + "vacation :days 7 \"Away until Monday.\";\n";
}

Store& SharedStore() {
  static const std::unique_ptr<Store> store = [] {
    std::unique_ptr<Store> opened =
        bench::OpenBenchStore("sieve_store_benchmark", {}, {"put", "reader"});
    const Principal admin = PrincipalIssuer::Admin();
    (void)opened->PutSieveScript(admin, "reader", "main", Script());
    (void)opened->ActivateSieveScript(admin, "reader", "main");
    return opened;
  }();
  return *store;
}

void BM_PutSieveScript(benchmark::State& state) {
  Store& store = SharedStore();
  const Principal admin = PrincipalIssuer::Admin();
  const std::string source = Script();
  int i = 0;
  for (auto _ : state) {
    absl::Status s = store.PutSieveScript(admin, "put",
                                          "s" + std::to_string(i++ % 10),
                                          source);
    if (!s.ok()) state.SkipWithError(std::string(s.message()).c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PutSieveScript)->UseRealTime();

void BM_GetActiveSieveScript_Cached(benchmark::State& state) {
  Store& store = SharedStore();
  const Principal admin = PrincipalIssuer::Admin();
  for (auto _ : state) {
    auto active = store.GetActiveSieveScript(admin, "reader");
    if (!active.ok() || !active->has_value()) state.SkipWithError("no script");
    benchmark::DoNotOptimize(active);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GetActiveSieveScript_Cached)->Threads(1)->Threads(2)->UseRealTime();

// Owners never seen before: every call misses the cache and reads the
// store (these owners have no script, the common case at delivery).
void BM_GetActiveSieveScript_Miss(benchmark::State& state) {
  Store& store = SharedStore();
  const Principal admin = PrincipalIssuer::Admin();
  static std::atomic<uint64_t> next{0};
  for (auto _ : state) {
    auto active = store.GetActiveSieveScript(
        admin, "u" + std::to_string(next.fetch_add(1)));
    benchmark::DoNotOptimize(active);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GetActiveSieveScript_Miss)->UseRealTime();

void BM_GetSieveScript(benchmark::State& state) {
  Store& store = SharedStore();
  const Principal admin = PrincipalIssuer::Admin();
  for (auto _ : state) {
    auto source = store.GetSieveScript(admin, "reader", "main");
    if (!source.ok()) state.SkipWithError("no script");
    benchmark::DoNotOptimize(source);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GetSieveScript)->UseRealTime();

}  // namespace
}  // namespace mailroom::store

BENCHMARK_MAIN();
