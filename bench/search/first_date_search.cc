// The first date and size searches after a restart on a large mailbox:
// fills a RocksDB store with --messages small messages (internal dates over
// 400 days, sizes 200 B to 20 KB), searches once so the search column is
// built and saved, then, for each case, closes the store, reopens it and
// times the first SINCE and the first LARGER search (wall and process CPU)
// and counts the message records they read:
//   - "no saved column": the saved column's keys are deleted before the
//     reopen, as a store that never saved one (the records are read);
//   - "saved column": the column saved by the first search is read back.
//
//   bazel run -c opt //bench/search:first_date_search -- --messages=100000
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "bench/bench_store.h"
#include "store/engine/engine.h"
#include "store/internal/keys.h"
#include "store/internal/search_eval.h"
#include "store/principal_issuer.h"
#include "store/rocksdb/rocksdb_engine.h"
#include "store/store.h"

ABSL_FLAG(int, messages, 100000, "messages in the mailbox");

namespace mailroom::bench {
namespace {

using store::SearchKey;
using K = SearchKey::Kind;

double CpuMs() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  auto ms = [](const timeval& t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

SearchKey Num(K kind, int64_t n) {
  SearchKey key;
  key.kind = kind;
  key.number = n;
  return key;
}

void Fill(store::Store& store, const store::Principal& who, int messages) {
  std::vector<store::AppendRequest> batch;
  for (int i = 0; i < messages; ++i) {
    std::string data = "Subject: m" + std::to_string(i) + "\r\n\r\n";
    data.append(200 + (i * 7919) % 20000, 'x');
    batch.push_back({.data = std::move(data),
                     .internal_date = 86400 * (19000 + i % 400) + i % 86400});
    if (batch.size() == 1000 || i + 1 == messages) {
      if (!store.Append(who, "INBOX", batch).ok()) std::abort();
      batch.clear();
    }
  }
}

void DropSavedColumn(const std::string& dir, store::MailboxId id) {
  auto engine = store::rocksdb_engine::OpenRocksDbEngine({.dir = dir});
  if (!engine.ok()) std::abort();
  std::vector<store::engine::Mutation> drops;
  const std::string begin = store::internal::MailboxColumnKey(id, 0);
  const std::string end =
      store::internal::PrefixEnd(store::internal::MailboxIdKey(id));
  if (!(*engine)
           ->Latest()
           .Scan(store::engine::Space::kMailboxView, begin, end,
                 [&](std::string_view key, std::string_view) {
                   drops.push_back({store::engine::Space::kMailboxView,
                                    std::string(key), std::nullopt});
                   return true;
                 })
           .ok() ||
      !(*engine)->WriteUnguarded(drops, true).ok()) {
    std::abort();
  }
}

int Main() {
  const int messages = absl::GetFlag(FLAGS_messages);
  const store::Principal alice = store::PrincipalIssuer::User("alice");
  store::StoreOptions options;
  options.sync_writes = false;
  std::unique_ptr<store::Store> store =
      OpenBenchStore("first_date_search", options, {"alice"});
  Fill(*store, alice, messages);
  const store::MailboxId inbox = store->GetStatus(alice, "INBOX")->id;
  // Where OpenBenchStore put it.
  const char* base = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(base != nullptr ? base : "/tmp") +
                          "/first_date_search-" + std::to_string(getpid());
  (void)store->Search(alice, inbox, Num(K::kSince, 19300));  // saves it
  store::internal::SearchCounters& counters =
      store::internal::GetSearchCounters();
  std::printf("%d messages\n", messages);
  for (const bool drop : {true, false}) {
    for (const auto& [name, key] :
         {std::pair{"SINCE", Num(K::kSince, 19300)},
          std::pair{"LARGER", Num(K::kLarger, 15000)}}) {
      store.reset();
      if (drop) DropSavedColumn(dir, inbox);
      options.data_dir = dir;
      store = store::OpenStore(options).value();
      const uint64_t records = counters.column_records_read;
      const double cpu = CpuMs();
      const auto start = std::chrono::steady_clock::now();
      auto uids = store->Search(alice, inbox, key);
      const double wall = std::chrono::duration<double, std::milli>(
                              std::chrono::steady_clock::now() - start)
                              .count();
      if (!uids.ok()) std::abort();
      std::printf("%-16s first %-6s after reopen: %8.1f ms wall %8.1f ms CPU"
                  " %7llu records read, %zu found\n",
                  drop ? "no saved column" : "saved column", name, wall,
                  CpuMs() - cpu,
                  static_cast<unsigned long long>(counters.column_records_read -
                                                  records),
                  uids->size());
    }
  }
  return 0;
}

}  // namespace
}  // namespace mailroom::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return mailroom::bench::Main();
}
