// Verification cost of one stored body: inflating it whole and searching,
// against DocText::BodyContains, which stops at the first occurrence.
#include <string.h>

#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "index/doc_text.h"

namespace mailroom::index {
namespace {

// Bodies of ~6 KB of pseudo-words (the size of a typical folded text part).
const std::vector<std::string>& Bodies() {
  static const std::vector<std::string>* bodies = [] {
    std::mt19937 rng(7);
    auto* out = new std::vector<std::string>;
    for (int i = 0; i < 256; ++i) {
      std::string body;
      while (body.size() < 6000) {
        const int len = 2 + static_cast<int>(rng() % 8);
        for (int c = 0; c < len; ++c) body.push_back('a' + rng() % 20);
        body.push_back(rng() % 12 == 0 ? '\n' : ' ');
      }
      out->push_back(EncodeBodyValue(body));
    }
    return out;
  }();
  return *bodies;
}

// "zz" never occurs (letters stop at 't'); "#" marks a needle put in the
// middle of every body.
void Verify(benchmark::State& state, bool whole, const std::string& needle) {
  const std::string data = EncodeDocData({});
  const std::vector<std::string>& bodies = Bodies();
  size_t i = 0;
  for (auto _ : state) {
    auto doc = DocText::Decode(data, bodies[i++ % bodies.size()]);
    bool found;
    if (whole) {
      std::string_view body = *doc->body();
      found = memmem(body.data(), body.size(), needle.data(),
                     needle.size()) != nullptr;
    } else {
      found = *doc->BodyContains(needle);
    }
    benchmark::DoNotOptimize(found);
  }
}

void BM_WholeBodyMiss(benchmark::State& state) { Verify(state, true, "zz q"); }
void BM_BodyContainsMiss(benchmark::State& state) {
  Verify(state, false, "zz q");
}
// The first few bytes of every generated body occur at its start.
void BM_WholeBodyEarlyHit(benchmark::State& state) {
  Verify(state, true, " ");
}
void BM_BodyContainsEarlyHit(benchmark::State& state) {
  Verify(state, false, " ");
}
BENCHMARK(BM_WholeBodyMiss);
BENCHMARK(BM_BodyContainsMiss);
BENCHMARK(BM_WholeBodyEarlyHit);
BENCHMARK(BM_BodyContainsEarlyHit);

}  // namespace
}  // namespace mailroom::index

BENCHMARK_MAIN();
