// Micro-benchmarks of the RocksDB store with durable (synced) writes.
//   bazel run //store:store_benchmark
// Appends with several writer threads share fsyncs through RocksDB's group
// commit; all writers target one mailbox, the worst case for the UID lock.

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "bench/bench_store.h"
#include "store/principal_issuer.h"
#include "store/store.h"

namespace mailroom::store {
namespace {

Store& SharedStore() {
  static const std::unique_ptr<Store> store = [] {
    StoreOptions options;
    return bench::OpenBenchStore("store_benchmark", options, {"append", "flags", "status", "fetch", "copy", "structure"});
  }();
  return *store;
}

std::string Message(size_t size, int salt) {
  std::string header = "Subject: benchmark " + std::to_string(salt) + "\r\n\r\n";
  std::string body(size > header.size() ? size - header.size() : 0, 'x');
  for (size_t i = 78; i < body.size(); i += 80) body[i] = '\n';
  return header + body;
}

void BM_Append(benchmark::State& state) {
  Store& store = SharedStore();
  Principal who = PrincipalIssuer::User("append");
  size_t size = static_cast<size_t>(state.range(0));
  int n = state.thread_index() * 1000000;
  for (auto _ : state) {
    std::string data = Message(size, ++n);  // distinct bodies, no dedup
    auto r = store.Append(who, "INBOX", {AppendRequest{.data = data}});
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(size));
}
BENCHMARK(BM_Append)->Arg(4096)->Threads(1)->Threads(8)->UseRealTime();
BENCHMARK(BM_Append)->Arg(1 << 20)->Threads(1)->Threads(8)->UseRealTime()
    ->Iterations(40);

void BM_StoreFlags(benchmark::State& state) {
  Store& store = SharedStore();
  Principal who = PrincipalIssuer::User("flags");
  auto appended =
      store.Append(who, "INBOX", {AppendRequest{.data = Message(4096, 1)}});
  MailboxId inbox = store.GetStatus(who, "INBOX")->id;
  bool add = true;
  for (auto _ : state) {
    auto r = store.StoreFlags(
        who, inbox,
        {.uids = appended->uids,
         .op = add ? FlagOp::kAdd : FlagOp::kRemove,
         .flags = Flags{kSeen, {}}});
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    add = !add;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StoreFlags)->UseRealTime();

Store& KeywordStore() {
  static const std::unique_ptr<Store> store = [] {
    StoreOptions options;
    options.sync_writes = false;
    return bench::OpenBenchStore("store_benchmark_keywords", options);
  }();
  return *store;
}

// STORE +FLAGS/-FLAGS of `flags` on one message, in a mailbox whose other
// message carries state.range(0) distinct keywords: the cost of the
// per-mailbox keyword bound (max_keywords_per_mailbox) as the mailbox's
// keyword list grows. Unsynced writes, so the check is not hidden behind
// an fsync.
void StoreAmongKeywords(benchmark::State& state, const std::string& prefix,
                        const Flags& flags) {
  Store& store = KeywordStore();
  const std::string user = prefix + std::to_string(state.range(0));
  (void)store.CreateUser(user, "pw");
  Principal who = PrincipalIssuer::User(user);
  AppendRequest carrier{.data = Message(4096, 2)};
  for (int64_t k = 0; k < state.range(0); ++k) {
    carrier.flags.keywords.push_back("kw" + std::to_string(k));
  }
  auto appended = store.Append(
      who, "INBOX", {carrier, AppendRequest{.data = Message(4096, 3)}});
  if (!appended.ok()) {
    state.SkipWithError(appended.status().ToString().c_str());
    return;
  }
  MailboxId inbox = store.GetStatus(who, "INBOX")->id;
  bool add = true;
  for (auto _ : state) {
    auto r = store.StoreFlags(
        who, inbox,
        {.uids = {appended->uids[1]},
         .op = add ? FlagOp::kAdd : FlagOp::kRemove,
         .flags = flags});
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    add = !add;
  }
  state.SetItemsProcessed(state.iterations());
}

// A keyword the mailbox knows after the first iteration.
void BM_StoreKeyword(benchmark::State& state) {
  StoreAmongKeywords(state, "keywords", Flags{0, {"$Label1"}});
}
BENCHMARK(BM_StoreKeyword)->Arg(0)->Arg(100)->Arg(999)->UseRealTime();

// No keyword at all: the list is neither read nor written.
void BM_StoreSeenAmongKeywords(benchmark::State& state) {
  StoreAmongKeywords(state, "seen-keywords", Flags{kSeen, {}});
}
BENCHMARK(BM_StoreSeenAmongKeywords)->Arg(0)->Arg(100)->Arg(999)->UseRealTime();

void BM_GetStatus(benchmark::State& state) {
  Store& store = SharedStore();
  Principal who = PrincipalIssuer::User("status");
  for (auto _ : state) {
    auto r = store.GetStatus(who, "INBOX");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GetStatus);

void BM_GetMessagesRange(benchmark::State& state) {
  Store& store = SharedStore();
  Principal who = PrincipalIssuer::User("fetch");
  int count = static_cast<int>(state.range(0));
  auto status = store.GetStatus(who, "INBOX");
  std::vector<Uid> uids;
  if (status->messages < static_cast<uint32_t>(count)) {
    std::vector<std::string> bodies;
    for (int i = 0; i < count; ++i) bodies.push_back(Message(2000, i));
    std::vector<AppendRequest> requests;
    for (const std::string& b : bodies) requests.push_back({.data = b});
    (void)store.Append(who, "INBOX", requests);
  }
  for (int i = 1; i <= count; ++i) uids.push_back(i);
  for (auto _ : state) {
    auto r = store.GetMessages(who, status->id, uids);
    if (!r.ok() || r->size() != uids.size()) state.SkipWithError("short fetch");
  }
  state.SetItemsProcessed(state.iterations() * count);
}
BENCHMARK(BM_GetMessagesRange)->Arg(1000);

void BM_Copy(benchmark::State& state) {
  Store& store = SharedStore();
  Principal who = PrincipalIssuer::User("copy");
  auto appended =
      store.Append(who, "INBOX", {AppendRequest{.data = Message(50000, 1)}});
  MailboxId inbox = store.GetStatus(who, "INBOX")->id;
  for (auto _ : state) {
    auto r = store.Copy(who, inbox, appended->uids, "Archive");
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Copy)->UseRealTime();

// The first FETCH BODYSTRUCTURE over a mailbox: GetStructure of 1,000
// messages that were appended but never read. Appending is not timed.
void BM_FirstGetStructure(benchmark::State& state) {
  Store& store = SharedStore();
  Principal who = PrincipalIssuer::User("structure");
  MailboxId inbox = store.GetStatus(who, "INBOX")->id;
  constexpr int kCount = 1000;
  int salt = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<std::string> bodies;
    for (int i = 0; i < kCount; ++i) {
      bodies.push_back("Content-Type: multipart/mixed; boundary=b\r\n" +
                       Message(3000, ++salt) +
                       "\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\n");
    }
    std::vector<AppendRequest> requests;
    for (const std::string& b : bodies) requests.push_back({.data = b});
    auto appended = store.Append(who, "INBOX", requests);
    if (!appended.ok()) state.SkipWithError("append failed");
    state.ResumeTiming();
    for (Uid uid : appended->uids) {
      auto r = store.GetStructure(who, inbox, uid);
      if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    }
  }
  state.SetItemsProcessed(state.iterations() * kCount);
}
BENCHMARK(BM_FirstGetStructure)->UseRealTime()->Iterations(3)
    ->Unit(benchmark::kMillisecond);

// FETCH BODYSTRUCTURE over 1,000 stored messages, 64 at a time as the IMAP
// FETCH loads them: arg 0 reads each structure with GetStructure, arg 1
// each batch with one GetStructures.
void BM_StructuresOfBatch(benchmark::State& state) {
  Store& store = SharedStore();
  Principal who = PrincipalIssuer::User("structure");
  MailboxId inbox = store.GetStatus(who, "INBOX")->id;
  constexpr int kCount = 1000;
  constexpr size_t kBatch = 64;
  static std::vector<Uid> uids;
  if (uids.empty()) {
    std::vector<std::string> bodies;
    for (int i = 0; i < kCount; ++i) {
      bodies.push_back("Content-Type: multipart/mixed; boundary=b\r\n" +
                       Message(3000, 1000000 + i) +
                       "\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\n");
    }
    std::vector<AppendRequest> requests;
    for (const std::string& b : bodies) requests.push_back({.data = b});
    auto appended = store.Append(who, "INBOX", requests);
    if (!appended.ok()) {
      state.SkipWithError("append failed");
      return;
    }
    uids = appended->uids;
  }
  const bool batched = state.range(0) == 1;
  for (auto _ : state) {
    for (size_t start = 0; start < uids.size(); start += kBatch) {
      std::vector<Uid> batch(
          uids.begin() + start,
          uids.begin() + std::min(uids.size(), start + kBatch));
      if (batched) {
        auto r = store.GetStructures(who, inbox, batch);
        if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
      } else {
        for (Uid uid : batch) {
          auto r = store.GetStructure(who, inbox, uid);
          if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
        }
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * kCount);
}
BENCHMARK(BM_StructuresOfBatch)->Arg(0)->Arg(1)->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mailroom::store

BENCHMARK_MAIN();
