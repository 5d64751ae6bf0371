// Indexing throughput on real mail: every message under --corpus (the
// SpamAssassin corpus of scripts/fetch_corpus.sh by default) is indexed for
// one owner through the production index (OpenXapianIndex), in batches of
// --batch work items as the store's queue applies them. Bodies are kept in
// memory as the store would hand them over, so the figure is the index's own
// cost. Reports messages per CPU-second (user + sys of the whole process,
// every thread) and per wall-second, best of --rounds.
//
//   bazel run //bench/indexing:corpus_index_bench -- --rounds=3
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "index/xapian_index.h"
#include "mime/message.h"
#include "store/text_index.h"
#include "xapian.h"

ABSL_FLAG(std::string, corpus, "",
          "directory of .eml files (default ~/.cache/mailroom/corpus)");
ABSL_FLAG(std::string, dir, "/tmp/mailroom-corpus-index-bench",
          "index directory (emptied before each round)");
ABSL_FLAG(int, batch, 256, "index work items per Apply() (the store's)");
ABSL_FLAG(int, rounds, 3, "rounds; the best is reported");
ABSL_FLAG(bool, stats, false,
          "after the last round, print the index's terms and postings per "
          "term prefix (what each message costs Xapian)");
ABSL_FLAG(bool, reparse, false,
          "hand the index raw bytes only, as for a body stored without its "
          "structure, so that it parses every message itself");

namespace mailroom::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double CpuSeconds() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// The corpus keeps bare LF line ends; delivery stores CRLF.
std::string ToCrlf(const std::string& in) {
  std::string out;
  out.reserve(in.size() + in.size() / 32);
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r')) out.push_back('\r');
    out.push_back(in[i]);
  }
  return out;
}

struct StoredMessage {
  std::shared_ptr<const std::string> raw;
  std::shared_ptr<const std::string> structure;  // as append wrote it
};

std::vector<StoredMessage> LoadCorpus(const std::string& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".eml") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<StoredMessage> out;
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)),
                      std::istreambuf_iterator<char>());
    auto raw = std::make_shared<const std::string>(ToCrlf(bytes));
    auto structure =
        std::make_shared<const std::string>(mime::Serialize(mime::Parse(*raw)));
    out.push_back({std::move(raw), std::move(structure)});
  }
  return out;
}

struct Round {
  double cpu = 0;
  double wall = 0;
};

Round IndexOnce(const std::vector<StoredMessage>& messages,
                const std::string& dir, size_t batch_size) {
  fs::remove_all(dir);
  absl::StatusOr<std::shared_ptr<store::TextIndex>> index =
      index::OpenXapianIndex(dir);
  if (!index.ok()) {
    std::fprintf(stderr, "%s\n", index.status().ToString().c_str());
    std::exit(1);
  }
  std::map<std::string, size_t> by_blob;
  for (size_t i = 0; i < messages.size(); ++i) {
    by_blob[absl::StrCat("blob", i)] = i;
  }
  const bool reparse = absl::GetFlag(FLAGS_reparse);
  auto load = [&](const std::string& blob_id)
      -> absl::StatusOr<store::StoredBody> {
    auto it = by_blob.find(blob_id);
    if (it == by_blob.end()) return absl::NotFoundError("no such blob");
    const StoredMessage& m = messages[it->second];
    return store::StoredBody(m.raw, reparse ? nullptr : m.structure);
  };
  const double cpu0 = CpuSeconds();
  const Clock::time_point wall0 = Clock::now();
  for (size_t start = 0; start < messages.size(); start += batch_size) {
    std::vector<store::IndexWork> batch;
    const size_t end = std::min(messages.size(), start + batch_size);
    for (size_t i = start; i < end; ++i) {
      batch.push_back(store::IndexWork{.op = store::IndexWork::kAdd,
                                       .owner = "bench",
                                       .mailbox = 1,
                                       .uid = static_cast<store::Uid>(i + 1),
                                       .blob_id = absl::StrCat("blob", i)});
    }
    batch.push_back(store::IndexWork{.op = store::IndexWork::kMark,
                                     .owner = "bench",
                                     .mailbox = 1,
                                     .uid = static_cast<store::Uid>(end),
                                     .mark_modseq = end});
    absl::Status status = (*index)->Apply(batch, load);
    if (!status.ok()) {
      std::fprintf(stderr, "%s\n", status.ToString().c_str());
      std::exit(1);
    }
  }
  Round round;
  round.cpu = CpuSeconds() - cpu0;
  round.wall =
      std::chrono::duration<double>(Clock::now() - wall0).count();
  return round;
}

// Distinct terms, postings (term, document pairs: each one a posting and
// a position list) and positions per term prefix (the leading upper-case
// letters; none for body words) of every database under `dir`.
void PrintStats(const std::string& dir, size_t messages) {
  struct Count {
    uint64_t terms = 0;
    uint64_t postings = 0;
    uint64_t positions = 0;
  };
  std::map<std::string, Count> by_prefix;
  uint64_t doc_bytes = 0, value_bytes = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_directory()) continue;
    Xapian::Database db(entry.path().string());
    auto prefix_of = [](const std::string& term) {
      size_t n = 0;
      while (n < term.size() && term[n] >= 'A' && term[n] <= 'Z') ++n;
      return term.substr(0, n);
    };
    for (auto t = db.allterms_begin(); t != db.allterms_end(); ++t) {
      ++by_prefix[prefix_of(*t)].terms;
    }
    for (auto p = db.postlist_begin(""); p != db.postlist_end(""); ++p) {
      const Xapian::Document doc = db.get_document(*p);
      for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
        Count& count = by_prefix[prefix_of(*t)];
        ++count.postings;
        count.positions += t.positionlist_count();
      }
      // The body and the headers (index/schema.h).
      value_bytes += doc.get_value(3).size();
      doc_bytes += doc.get_value(4).size();
    }
  }
  std::printf("%-8s %10s %12s %12s %10s\n", "prefix", "terms", "postings",
              "positions", "post/msg");
  for (const auto& [prefix, count] : by_prefix) {
    std::printf("%-8s %10llu %12llu %12llu %10.1f\n",
                prefix.empty() ? "(body)" : prefix.c_str(),
                static_cast<unsigned long long>(count.terms),
                static_cast<unsigned long long>(count.postings),
                static_cast<unsigned long long>(count.positions),
                static_cast<double>(count.postings) / messages);
  }
  std::printf("header values %.1f MB, body values %.1f MB\n", doc_bytes / 1e6,
              value_bytes / 1e6);
}

int Main() {
  std::string corpus = absl::GetFlag(FLAGS_corpus);
  if (corpus.empty()) {
    const char* home = std::getenv("HOME");
    corpus = absl::StrCat(home ? home : "", "/.cache/mailroom/corpus");
  }
  const std::vector<StoredMessage> messages = LoadCorpus(corpus);
  if (messages.empty()) {
    std::fprintf(stderr, "no .eml files under %s (scripts/fetch_corpus.sh)\n",
                 corpus.c_str());
    return 1;
  }
  uint64_t bytes = 0;
  for (const StoredMessage& m : messages) bytes += m.raw->size();
  std::printf("corpus: %zu messages, %.1f MB\n", messages.size(), bytes / 1e6);
  Round best;
  for (int r = 0; r < absl::GetFlag(FLAGS_rounds); ++r) {
    Round round = IndexOnce(messages, absl::GetFlag(FLAGS_dir),
                            static_cast<size_t>(absl::GetFlag(FLAGS_batch)));
    std::printf("round %d: %.2f CPU-s, %.2f wall-s: %.0f msgs/CPU-s, %.0f "
                "msgs/wall-s\n",
                r + 1, round.cpu, round.wall, messages.size() / round.cpu,
                messages.size() / round.wall);
    if (r == 0 || round.cpu < best.cpu) best = round;
  }
  std::printf("best: %.0f msgs/CPU-s (%.0f msgs/wall-s)\n",
              messages.size() / best.cpu, messages.size() / best.wall);
  if (absl::GetFlag(FLAGS_stats)) {
    PrintStats(absl::GetFlag(FLAGS_dir), messages.size());
  }
  fs::remove_all(absl::GetFlag(FLAGS_dir));
  return 0;
}

}  // namespace
}  // namespace mailroom::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return mailroom::bench::Main();
}
