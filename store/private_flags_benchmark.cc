// Cost of private flags on a shared mailbox: STORE rate and SELECT
// (OpenMailbox) time with three private flags (\Seen \Flagged $Todo) against
// none, and the logical bytes one private row costs.
//   bazel run -c opt //store:private_flags_benchmark
// Writes are not synced (sync_writes = false) so the figures show the mail
// logic and RocksDB work rather than the disk's fsync latency.

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "benchmark/benchmark.h"
#include "bench/bench_store.h"
#include "store/internal/keys.h"
#include "store/internal/records.h"
#include "store/principal_issuer.h"
#include "store/store.h"

namespace mailroom::store {
namespace {

constexpr char kDesk[] = "Shared/desk";
constexpr int kMessages = 2000;
const Flags kThreePrivate{kSeen | kFlagged, {"$Todo"}};

// One store per private-set size, with kMessages messages in kDesk and two
// agents; built once.
struct Desk {
  std::unique_ptr<Store> store;
  MailboxId id = 0;
};

Desk& DeskWith(int private_flags) {
  static std::map<int, Desk> desks;
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  Desk& desk = desks[private_flags];
  if (desk.store != nullptr) return desk;
  StoreOptions options;
  options.sync_writes = false;
  desk.store = bench::OpenBenchStore(
      "private_flags_benchmark-" + std::to_string(private_flags), options,
      {"shared", "agent1", "agent2"});
  Store& store = *desk.store;
  Principal admin = PrincipalIssuer::Admin();
  (void)store.CreateMailbox(admin, kDesk);
  for (const char* user : {"agent1", "agent2"}) {
    (void)store.SetAcl(admin, kDesk, user, "lrswipte");
  }
  if (private_flags > 0) (void)store.SetPrivateFlags(admin, kDesk, kThreePrivate);
  std::vector<AppendRequest> batch;
  std::vector<std::string> bodies;
  for (int i = 0; i < kMessages; ++i) {
    bodies.push_back("Subject: ticket " + std::to_string(i) +
                     "\r\n\r\nPlease help.\r\n");
  }
  for (const std::string& body : bodies) batch.push_back({.data = body});
  (void)store.Append(admin, kDesk, batch);
  desk.id = store.GetStatus(admin, kDesk)->id;
  // Agent 1 has touched every message: with private flags, one row each.
  std::vector<Uid> all;
  for (Uid uid = 1; uid <= kMessages; ++uid) all.push_back(uid);
  (void)store.StoreFlags(PrincipalIssuer::User("agent1"), desk.id,
                         {.uids = all, .flags = {kSeen | kFlagged, {"$Todo"}}});
  return desk;
}

// STORE +/-FLAGS (\Seen \Flagged $Todo) on one message at a time.
void BM_Store(benchmark::State& state) {
  Desk& desk = DeskWith(static_cast<int>(state.range(0)));
  Principal agent = PrincipalIssuer::User("agent2");
  Uid uid = 1;
  bool add = true;
  for (auto _ : state) {
    auto r = desk.store->StoreFlags(
        agent, desk.id,
        {.uids = {uid},
         .op = add ? FlagOp::kAdd : FlagOp::kRemove,
         .flags = {kSeen | kFlagged, {"$Todo"}}});
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    if (++uid > kMessages) {
      uid = 1;
      add = !add;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Store)->ArgName("private")->Arg(0)->Arg(3)->UseRealTime();

// SELECT: the status and every message's metadata as agent 1 sees them.
void BM_Select(benchmark::State& state) {
  Desk& desk = DeskWith(static_cast<int>(state.range(0)));
  Principal agent = PrincipalIssuer::User("agent1");
  for (auto _ : state) {
    auto r = desk.store->OpenMailbox(agent, kDesk);
    if (!r.ok() || r->messages.size() != kMessages) {
      state.SkipWithError("open failed");
    }
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Select)->ArgName("private")->Arg(0)->Arg(3)->UseRealTime();

// Logical bytes (key + value) of one user's private row and its change log
// entry, for a user name of 6 bytes; RocksDB compresses below this.
void BM_RowBytes(benchmark::State& state) {
  using internal::Encode;
  internal::SeenRow seen_only{true, 123456};
  internal::SeenRow three{true, 123456, kSeen | kFlagged, kFlagged,
                          {"$Todo"}, {"$Todo"}};
  const std::string user = "agent1";
  const size_t key = internal::SeenRowKey(7, user, 42).size();
  const size_t change = internal::SeenChangeKey(7, user, 123456).size() + 4;
  for (auto _ : state) benchmark::DoNotOptimize(Encode(three));
  state.counters["seen_row_bytes"] = key + Encode(seen_only).size() + change;
  state.counters["three_flag_row_bytes"] = key + Encode(three).size() + change;
}
BENCHMARK(BM_RowBytes);

}  // namespace
}  // namespace mailroom::store

BENCHMARK_MAIN();
