// SORT and THREAD REFERENCES over synthetic mailboxes.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "protocols/imap/sort_thread.h"

namespace mailroom::imap {
namespace {

void BM_SortBySubjectThenDate(benchmark::State& state) {
  std::vector<SortValues> m(state.range(0));
  for (size_t i = 0; i < m.size(); ++i) {
    m[i].id = static_cast<uint32_t>(i + 1);
    m[i].sent_date = static_cast<int64_t>((i * 7919) % 100000);
    m[i].base_subject = absl::StrCat("subject ", (i * 31) % 997);
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(SortMessages(
        m, {{SortKey::kSubject, false}, {SortKey::kDate, true}}));
  }
  state.SetItemsProcessed(state.iterations() * m.size());
}
BENCHMARK(BM_SortBySubjectThenDate)->Arg(1000)->Arg(100000);

void BM_ThreadReferences(benchmark::State& state) {
  // Threads of ten messages, each replying to the previous one.
  std::vector<ThreadInput> m(state.range(0));
  for (size_t i = 0; i < m.size(); ++i) {
    m[i].id = static_cast<uint32_t>(i + 1);
    m[i].sent_date = static_cast<int64_t>(i);
    m[i].message_id = absl::StrCat(i, "@example.com");
    m[i].base_subject = absl::StrCat("topic ", i / 10);
    for (size_t r = i - i % 10; r < i; ++r) {
      m[i].references.push_back(absl::StrCat(r, "@example.com"));
    }
    m[i].is_reply_or_forward = i % 10 != 0;
  }
  for (auto _ : state) benchmark::DoNotOptimize(ThreadReferences(m));
  state.SetItemsProcessed(state.iterations() * m.size());
}
BENCHMARK(BM_ThreadReferences)->Arg(1000)->Arg(100000);

}  // namespace
}  // namespace mailroom::imap
