// Parse and text-extraction throughput on one core, on the real-mail corpus
// (when MAILROOM_CORPUS_DIR is set) and on synthetic messages with large
// base64 attachments.
//
//   bazel run -c opt //mime:mime_benchmark -- (with MAILROOM_CORPUS_DIR set)
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "mime/imap.h"
#include "mime/message.h"
#include "mime/text.h"

namespace mailroom::mime {
namespace {

struct Corpus {
  std::vector<std::string> messages;
  uint64_t bytes = 0;
  void Add(std::string m) {
    bytes += m.size();
    messages.push_back(std::move(m));
  }
};

const Corpus& RealCorpus() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus;
    const char* dir = std::getenv("MAILROOM_CORPUS_DIR");
    if (dir == nullptr || !std::filesystem::is_directory(dir)) return c;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream s;
      s << in.rdbuf();
      c->Add(s.str());
    }
    return c;
  }();
  return *corpus;
}

std::string Base64Lines(size_t bytes, std::mt19937* rng) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve(bytes + bytes / 38);
  while (out.size() < bytes) {
    for (int i = 0; i < 76; ++i) out.push_back(kAlphabet[(*rng)() % 64]);
    out += "\r\n";
  }
  return out;
}

// Ten messages, each a text part (quoted-printable), an HTML part and one
// 1-4 MB base64 attachment.
const Corpus& SyntheticCorpus() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus;
    std::mt19937 rng(42);
    for (int i = 0; i < 10; ++i) {
      std::string text;
      for (int line = 0; line < 200; ++line) {
        text += "Line " + std::to_string(line) +
                " of the report, caf=C3=A9 and d=C3=A9j=C3=A0 vu.\r\n";
      }
      std::string m =
          "From: Sender <sender@example.com>\r\nTo: a@example.org\r\n"
          "Subject: =?utf-8?q?Quarterly_r=C3=A9sum=C3=A9?=\r\n"
          "Date: Mon, 1 Jun 2020 10:00:00 +0200\r\nMIME-Version: 1.0\r\n"
          "Content-Type: multipart/mixed; boundary=\"=_outer\"\r\n\r\n"
          "--=_outer\r\nContent-Type: multipart/alternative; "
          "boundary=\"=_alt\"\r\n\r\n--=_alt\r\n"
          "Content-Type: text/plain; charset=utf-8\r\n"
          "Content-Transfer-Encoding: quoted-printable\r\n\r\n" +
          text +
          "\r\n--=_alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
          "<html><body><p>Report</p><table><tr><td>caf&eacute;</td></tr>"
          "</table></body></html>\r\n--=_alt--\r\n--=_outer\r\n"
          "Content-Type: application/pdf; name=\"report.pdf\"\r\n"
          "Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
          "Content-Transfer-Encoding: base64\r\n\r\n" +
          Base64Lines((1 + i % 4) << 20, &rng) + "--=_outer--\r\n";
      c->Add(std::move(m));
    }
    return c;
  }();
  return *corpus;
}

void RunParse(benchmark::State& state, const Corpus& corpus) {
  if (corpus.messages.empty()) {
    state.SkipWithError("MAILROOM_CORPUS_DIR not set");
    return;
  }
  for (auto _ : state) {
    for (const std::string& m : corpus.messages) {
      benchmark::DoNotOptimize(Parse(m));
    }
  }
  state.SetBytesProcessed(state.iterations() * corpus.bytes);
  state.counters["messages/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * corpus.messages.size()),
      benchmark::Counter::kIsRate);
}

void RunExtract(benchmark::State& state, const Corpus& corpus) {
  if (corpus.messages.empty()) {
    state.SkipWithError("MAILROOM_CORPUS_DIR not set");
    return;
  }
  std::vector<Message> parsed;
  for (const std::string& m : corpus.messages) parsed.push_back(Parse(m));
  for (auto _ : state) {
    for (size_t i = 0; i < parsed.size(); ++i) {
      benchmark::DoNotOptimize(ExtractText(parsed[i], corpus.messages[i]));
    }
  }
  state.SetBytesProcessed(state.iterations() * corpus.bytes);
}

void BM_ParseCorpus(benchmark::State& s) { RunParse(s, RealCorpus()); }
void BM_ExtractTextCorpus(benchmark::State& s) { RunExtract(s, RealCorpus()); }
void BM_ParseSynthetic(benchmark::State& s) { RunParse(s, SyntheticCorpus()); }
void BM_ExtractTextSynthetic(benchmark::State& s) {
  RunExtract(s, SyntheticCorpus());
}

void BM_BodyStructureCorpus(benchmark::State& state) {
  const Corpus& corpus = RealCorpus();
  if (corpus.messages.empty()) {
    state.SkipWithError("MAILROOM_CORPUS_DIR not set");
    return;
  }
  std::vector<Message> parsed;
  for (const std::string& m : corpus.messages) parsed.push_back(Parse(m));
  for (auto _ : state) {
    for (size_t i = 0; i < parsed.size(); ++i) {
      benchmark::DoNotOptimize(BodyStructure(parsed[i], corpus.messages[i], true));
      benchmark::DoNotOptimize(Envelope(parsed[i]));
    }
  }
  state.counters["messages/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * parsed.size()),
      benchmark::Counter::kIsRate);
}

void BM_Base64Decode(benchmark::State& state) {
  std::mt19937 rng(1);
  std::string data = Base64Lines(4 << 20, &rng);
  for (auto _ : state) {
    benchmark::DoNotOptimize(DecodeTransferEncoding(data, "base64"));
  }
  state.SetBytesProcessed(state.iterations() * data.size());
}

void BM_SearchFold(benchmark::State& state) {
  std::string ascii(1 << 16, 'A');
  std::string greek;
  while (greek.size() < (1 << 16)) greek += "\xCE\xA3\xCE\x8A\xCE\xA3 Stra\xC3\x9F" "e ";
  // Long runs without ASCII (Japanese): never memoised, every byte folded
  // by glib.
  std::string cjk;
  while (cjk.size() < (1 << 16)) {
    cjk += "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe6\x96\x87"
           "\xe7\xab\xa0\xe3\x81\xa7\xe3\x81\x99\xe3\x80\x82";
  }
  const std::string& text =
      state.range(0) == 2 ? cjk : state.range(0) ? greek : ascii;
  for (auto _ : state) benchmark::DoNotOptimize(SearchFold(text));
  state.SetBytesProcessed(state.iterations() * text.size());
  state.SetLabel(state.range(0) == 2 ? "long non-ASCII runs"
                 : state.range(0)    ? "non-ASCII"
                                     : "ASCII");
}

BENCHMARK(BM_ParseCorpus)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExtractTextCorpus)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BodyStructureCorpus)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseSynthetic)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExtractTextSynthetic)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Base64Decode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SearchFold)->Arg(0)->Arg(1)->Arg(2);

}  // namespace
}  // namespace mailroom::mime
