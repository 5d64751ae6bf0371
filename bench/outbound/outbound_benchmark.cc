// Micro-benchmarks of the outbound queue on the RocksDB store with durable
// (synced) writes:
//   bazel run -c opt //bench/outbound:outbound_benchmark
// QueueOutbound: one transaction over the count, the message and its due
// row (several threads share fsyncs through group commit).
// ClaimEmpty: what the relay worker's poll costs when nothing is due.
// ClaimRemove: a worker's bookkeeping per message (claim, then remove).

#include <ctime>
#include <memory>
#include <string>

#include "benchmark/benchmark.h"
#include "bench/bench_store.h"
#include "store/principal_issuer.h"
#include "store/store.h"

namespace mailroom::store {
namespace {

Store& SharedStore() {
  static const std::unique_ptr<Store> store = [] {
    StoreOptions options;
    options.outbound_max_queued = 100000000;
    return bench::OpenBenchStore("outbound_benchmark", options, {});
  }();
  return *store;
}

OutboundMessage Vacation() {
  OutboundMessage m;
  m.recipients = {"sender@example.org"};
  m.reason = "vacation bench";
  m.data = "From: bench@example.net\r\nTo: sender@example.org\r\n"
           "Subject: Auto: away\r\nAuto-Submitted: auto-replied\r\n\r\n" +
           std::string(2000, 'x') + "\r\n";
  return m;
}

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

void BM_QueueOutbound(benchmark::State& state) {
  Store& store = SharedStore();
  const OutboundMessage m = Vacation();
  for (auto _ : state) {
    auto id = store.QueueOutbound(PrincipalIssuer::Admin(), m);
    if (!id.ok()) state.SkipWithError(std::string(id.status().message()).c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_QueueOutbound)->Threads(1)->Threads(4)->UseRealTime();

void BM_ClaimEmpty(benchmark::State& state) {
  Store& store = SharedStore();
  // Everything queued so far is claimed far into the future first.
  while (!store.ClaimOutbound(Now(), 86400, 1000).value().empty()) {
  }
  for (auto _ : state) {
    auto claimed = store.ClaimOutbound(Now(), 60, 16);
    if (!claimed.ok() || !claimed->empty()) state.SkipWithError("not empty");
  }
}
BENCHMARK(BM_ClaimEmpty);

void BM_ClaimRemove(benchmark::State& state) {
  Store& store = SharedStore();
  const OutboundMessage m = Vacation();
  const int batch = static_cast<int>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    for (int i = 0; i < batch; ++i) {
      (void)store.QueueOutbound(PrincipalIssuer::Admin(), m);
    }
    state.ResumeTiming();
    auto claimed = store.ClaimOutbound(Now(), 60, batch);
    for (const OutboundMessage& c : claimed.value()) {
      (void)store.RemoveOutbound(c.id);
    }
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_ClaimRemove)->Arg(1)->Arg(16);

}  // namespace
}  // namespace mailroom::store

BENCHMARK_MAIN();
