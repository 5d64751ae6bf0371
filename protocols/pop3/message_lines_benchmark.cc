// Cost of putting a message on the POP3 wire (sizes and dot-stuffing).
#include <string>

#include "benchmark/benchmark.h"
#include "protocols/pop3/message_lines.h"

namespace mailroom::pop3 {
namespace {

std::string MakeMessage(size_t bytes, bool crlf) {
  std::string message = crlf ? "Subject: bench\r\n\r\n" : "Subject: bench\n\n";
  const std::string line =
      std::string("The quick brown fox jumps over the lazy dog; ") +
      "..and a line that starts with a dot" + (crlf ? "\r\n" : "\n");
  while (message.size() < bytes) message += line;
  return message;
}

void BM_WireSize(benchmark::State& state) {
  std::string message = MakeMessage(state.range(0), /*crlf=*/true);
  for (auto _ : state) benchmark::DoNotOptimize(WireSize(message));
  state.SetBytesProcessed(state.iterations() * message.size());
}
BENCHMARK(BM_WireSize)->Arg(4 << 10)->Arg(1 << 20);

void BM_AppendMultiline(benchmark::State& state) {
  std::string message = MakeMessage(state.range(0), state.range(1) != 0);
  for (auto _ : state) {
    std::string out;
    AppendMultiline(message, std::nullopt, &out);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * message.size());
}
BENCHMARK(BM_AppendMultiline)->Args({4 << 10, 1})->Args({1 << 20, 1})->Args({1 << 20, 0});

// RETR's path: the writer hands views of the stored bytes to the sink, which
// copies them once (as the connection's buffer does).
void BM_MultilineWriter(benchmark::State& state) {
  std::string message = MakeMessage(state.range(0), state.range(1) != 0);
  std::string out;
  for (auto _ : state) {
    out.clear();
    auto append = [&out](std::string_view piece) { out.append(piece); };
    MultilineWriter writer(std::nullopt, append);
    writer.Write(message);
    writer.Finish();
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * message.size());
}
BENCHMARK(BM_MultilineWriter)->Args({4 << 10, 1})->Args({1 << 20, 1})->Args({1 << 20, 0});

}  // namespace
}  // namespace mailroom::pop3
