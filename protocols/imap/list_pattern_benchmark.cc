// LIST pattern matching against a long name, for patterns of many
// wildcards: the work must follow the name's length, not the pattern's.
#include <string>

#include "benchmark/benchmark.h"
#include "protocols/imap/list_pattern.h"

namespace mailroom::imap {
namespace {

void BM_MatchManyWildcards(benchmark::State& state) {
  std::string pattern;
  for (int64_t i = 0; i < state.range(0); ++i) pattern += "%*";
  pattern += "z";
  const std::string name(255, 'a');
  for (auto _ : state) {
    benchmark::DoNotOptimize(MatchListPattern(pattern, name));
  }
}
BENCHMARK(BM_MatchManyWildcards)->Arg(8)->Arg(512);

void BM_MatchAlternating(benchmark::State& state) {
  std::string pattern;
  for (int64_t i = 0; i < state.range(0); ++i) pattern += "*a";
  const std::string name = std::string(254, 'a') + "b";
  for (auto _ : state) {
    benchmark::DoNotOptimize(MatchListPattern(pattern, name));
  }
}
BENCHMARK(BM_MatchAlternating)->Arg(8)->Arg(300);

}  // namespace
}  // namespace mailroom::imap
