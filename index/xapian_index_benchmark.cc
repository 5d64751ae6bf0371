// Where indexing time goes: decoding (mime/), word-term document building, and
// Xapian's own work per document and per commit.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/search/mail_generator.h"
#include "benchmark/benchmark.h"
#include "index/document_builder.h"
#include "index/folded_text.h"
#include "index/tokenizer.h"
#include "index/xapian_index.h"
#include "xapian.h"

namespace mailroom::index {
namespace {

std::vector<std::string> Messages(int n) {
  bench::MailGenerator generator;
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(generator.Next());
  return out;
}

const OnWord kIgnoreWords = [](std::string_view, std::string_view) {};

uint64_t Bytes(const std::vector<std::string>& messages) {
  uint64_t total = 0;
  for (const auto& m : messages) total += m.size();
  return total;
}

void BM_ExtractAndFold(benchmark::State& state) {
  const auto messages = Messages(500);
  const TextSource source = MimeTextSource();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(source.extract(messages[i++ % messages.size()]));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * Bytes(messages) /
                          messages.size());
}
BENCHMARK(BM_ExtractAndFold);

void BM_SplitWords(benchmark::State& state) {
  const auto messages = Messages(500);
  const TextSource source = MimeTextSource();
  std::vector<std::string> bodies;
  for (const auto& m : messages) bodies.push_back(source.extract(m).body);
  size_t i = 0;
  size_t words = 0;
  for (auto _ : state) {
    ForEachWord(bodies[i++ % bodies.size()],
                [&](std::string_view) { ++words; });
  }
  benchmark::DoNotOptimize(words);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SplitWords);

void BM_BuildDocument(benchmark::State& state) {
  const auto messages = Messages(500);
  const TextSource source = MimeTextSource();
  std::vector<FoldedText> texts;
  for (const auto& m : messages) texts.push_back(source.extract(m));
  double terms = 0, body_bytes = 0;
  for (const auto& text : texts) {
    terms += BuildDocument(text, "blob", 1, 1, kIgnoreWords).termlist_count();
    body_bytes += text.body.size();
  }
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        BuildDocument(texts[i % texts.size()], "blob", 1, i + 1,
                      kIgnoreWords));
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["terms_per_doc"] = terms / texts.size();
  state.counters["body_bytes"] = body_bytes / texts.size();
}
BENCHMARK(BM_BuildDocument);

// Xapian's work: replace_document() of prebuilt documents, committed every
// 500 documents (as Apply() does per batch).
void BM_XapianReplaceAndCommit(benchmark::State& state) {
  const auto messages = Messages(2000);
  const TextSource source = MimeTextSource();
  std::vector<Xapian::Document> docs;
  for (size_t i = 0; i < messages.size(); ++i) {
    docs.push_back(
        BuildDocument(source.extract(messages[i]), "", 1, i + 1,
                      kIgnoreWords));
  }
  const std::string path = "/tmp/mailroom-xapian-index-benchmark";
  Xapian::WritableDatabase db(path, Xapian::DB_CREATE_OR_OVERWRITE);
  size_t i = 0;
  for (auto _ : state) {
    db.replace_document(UniqueIdTerm(1, i + 1), docs[i % docs.size()]);
    if (++i % 500 == 0) db.commit();
  }
  db.commit();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_XapianReplaceAndCommit)->Iterations(4000);

}  // namespace
}  // namespace mailroom::index

BENCHMARK_MAIN();
