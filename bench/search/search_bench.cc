// Search benchmark: indexes a synthetic mailbox with the production index
// (OpenXapianIndex, text decoded by mime/), then reports indexing
// throughput, index size as a share of the raw mail, and query latency
// percentiles per query class (with CPU time and instructions per query).
//
//   bazel run //bench/search:search_bench -- --messages=100000
//       --dir=/tmp/mailroom-search-bench   (one command line)
//
// With --data_dir the index is kept: a file there records the index schema,
// seed, message count and how many messages are indexed, so a later run with
// the same schema, seed and count reuses it, and an interrupted build goes on
// where it stopped (a million messages take over an hour to index):
//   nice -n 19 bazel-bin/bench/search/search_bench --messages=1000000
//       --data_dir=/root/.cache/mailroom-bench/search-1m
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/search/mail_generator.h"
#include "index/query_planner.h"
#include "index/schema.h"
#include "index/xapian_index.h"
#include "mime/message.h"
#include "mime/text.h"
#include "store/search_key.h"
#include "store/text_index.h"

ABSL_FLAG(int, messages, 100000, "messages in the benchmark mailbox");
ABSL_FLAG(std::string, dir, "/tmp/mailroom-search-bench",
          "index directory (emptied first)");
ABSL_FLAG(int, batch, 500, "index work items per Apply()");
ABSL_FLAG(int, queries, 100, "queries per class");
ABSL_FLAG(uint64_t, seed, 1, "generator seed");
ABSL_FLAG(bool, reuse_index, false,
          "query the index a previous run left in --dir (same --messages and "
          "--seed) instead of building it");
ABSL_FLAG(std::string, data_dir, "",
          "persistent index directory (overrides --dir): reused when it holds "
          "an index of this schema, seed and size, resumed when partly built, "
          "rebuilt otherwise");
ABSL_FLAG(std::string, only, "",
          "run only the query classes whose name holds this text");

namespace mailroom::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using Kind = store::SearchKey::Kind;

// CPU seconds used by this process so far (the machine may be shared, so
// wall time alone can mislead).
double CpuSeconds() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// Instructions this thread retires, user and kernel: steadier than CPU time
// on a loaded machine. Reads -1 when there is no such counter (a virtual
// machine without one): the column then shows "-".
class InstructionCounter {
 public:
  InstructionCounter() {
    perf_event_attr attr{};
    attr.type = PERF_TYPE_HARDWARE;
    attr.size = sizeof(attr);
    attr.config = PERF_COUNT_HW_INSTRUCTIONS;
    fd_ = static_cast<int>(syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0));
  }
  ~InstructionCounter() {
    if (fd_ >= 0) close(fd_);
  }
  double Read() const {
    uint64_t count = 0;
    if (fd_ < 0 || read(fd_, &count, sizeof(count)) != sizeof(count)) {
      return -1;
    }
    return static_cast<double>(count);
  }

 private:
  int fd_ = -1;
};

double Ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

uint64_t DirectoryBytes(const fs::path& dir) {
  uint64_t total = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) total += entry.file_size();
  }
  return total;
}

store::SearchKey Leaf(Kind kind, std::string value, std::string field = "") {
  store::SearchKey key;
  key.kind = kind;
  key.value = std::move(value);
  key.field = std::move(field);
  return key;
}

// Words of a decoded text, split on spaces.
std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> out;
  std::string word;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '.' || c == '?') {
      if (!word.empty()) out.push_back(std::move(word));
      word.clear();
    } else {
      word.push_back(c);
    }
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

// The address of a From: value ("name" <local@domain>), as it was decoded.
std::string AddressOf(const std::string& value) {
  const size_t open = value.find('<');
  if (open == std::string::npos) return value;
  return value.substr(open + 1, value.find('>', open) - open - 1);
}

// What a kept index directory holds: "<schema> <seed> <messages> <indexed>".
struct KeptIndex {
  std::string schema;
  uint64_t seed = 0;
  int messages = 0;
  int indexed = 0;
};

constexpr char kKeptIndexFile[] = "search_bench.state";

std::optional<KeptIndex> ReadKeptIndex(const fs::path& dir) {
  std::FILE* file = std::fopen((dir / kKeptIndexFile).c_str(), "r");
  if (file == nullptr) return std::nullopt;
  char schema[32] = {0};
  KeptIndex kept;
  unsigned long long seed = 0;
  const int fields = std::fscanf(file, "%31s %llu %d %d", schema, &seed,
                                 &kept.messages, &kept.indexed);
  std::fclose(file);
  if (fields != 4) return std::nullopt;
  kept.schema = schema;
  kept.seed = seed;
  return kept;
}

// Written after each committed batch, so a kill loses at most one batch.
bool WriteKeptIndex(const fs::path& dir, const KeptIndex& kept) {
  const fs::path temp = dir / (std::string(kKeptIndexFile) + ".tmp");
  std::FILE* file = std::fopen(temp.c_str(), "w");
  if (file == nullptr) return false;
  std::fprintf(file, "%s %llu %d %d\n", kept.schema.c_str(),
               static_cast<unsigned long long>(kept.seed), kept.messages,
               kept.indexed);
  if (std::fclose(file) != 0) return false;
  std::error_code error;
  fs::rename(temp, dir / kKeptIndexFile, error);
  return !error;
}

int Run() {
  const int total = absl::GetFlag(FLAGS_messages);
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  const fs::path dir = data_dir.empty() ? fs::path(absl::GetFlag(FLAGS_dir))
                                        : fs::path(data_dir);
  bool reuse = absl::GetFlag(FLAGS_reuse_index);
  // Messages already in a kept index; batches below this are not re-applied.
  int already_indexed = 0;
  KeptIndex kept{index::kSchemaVersion, absl::GetFlag(FLAGS_seed), total, 0};
  if (!data_dir.empty()) {
    const std::optional<KeptIndex> found = ReadKeptIndex(dir);
    if (found && found->schema == kept.schema && found->seed == kept.seed &&
        found->messages == total) {
      already_indexed = found->indexed;
      reuse = already_indexed >= total;
      std::printf("kept index in %s: %d of %d messages indexed\n",
                  dir.c_str(), already_indexed, total);
    } else {
      reuse = false;
    }
    if (already_indexed == 0) {
      fs::remove_all(dir);
      fs::create_directories(dir);
      if (!WriteKeptIndex(dir, kept)) {
        std::fprintf(stderr, "cannot write %s\n", dir.c_str());
        return 1;
      }
    }
  } else if (!reuse) {
    fs::remove_all(dir);
  }
  auto opened = index::OpenXapianIndex(dir.string());
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 1;
  }
  std::shared_ptr<store::TextIndex> text_index = *opened;

  MailGeneratorOptions options;
  options.seed = absl::GetFlag(FLAGS_seed);
  MailGenerator generator(options);
  std::mt19937_64 rng(options.seed);

  // Index in batches, as the store's background thread does.
  uint64_t raw_bytes = 0;
  Clock::duration indexing{};
  double indexing_cpu = 0;
  std::vector<std::string> sample_bodies, sample_subjects, sample_from;
  const int batch_size = absl::GetFlag(FLAGS_batch);
  for (int first = 0; first < total; first += batch_size) {
    std::map<std::string, std::shared_ptr<const std::string>> blobs;
    std::vector<store::IndexWork> work;
    for (int i = first; i < std::min(total, first + batch_size); ++i) {
      auto raw = std::make_shared<const std::string>(generator.Next());
      raw_bytes += raw->size();
      if (i % 997 == 0) {  // keep some decoded text to cut queries from
        const mime::ExtractedText text =
            mime::ExtractText(mime::Parse(*raw), *raw);
        sample_bodies.push_back(text.body);
        for (const auto& [name, value] : text.headers) {
          if (name == "subject") sample_subjects.push_back(value);
          if (name == "from") sample_from.push_back(value);
        }
      }
      store::IndexWork item;
      item.op = store::IndexWork::kAdd;
      item.owner = "bench";
      item.mailbox = 1;
      item.uid = static_cast<store::Uid>(i + 1);
      item.blob_id = absl::StrCat("blob-", i);
      blobs[item.blob_id] = std::move(raw);
      work.push_back(std::move(item));
    }
    if (reuse || first + batch_size <= already_indexed) continue;
    const auto start = Clock::now();
    const double cpu_start = CpuSeconds();
    const absl::Status status = text_index->Apply(
        work, [&](const std::string& id)
                  -> absl::StatusOr<std::shared_ptr<const std::string>> {
          return blobs.at(id);
        });
    indexing += Clock::now() - start;
    indexing_cpu += CpuSeconds() - cpu_start;
    if (!status.ok()) {
      std::fprintf(stderr, "Apply: %s\n", status.ToString().c_str());
      return 1;
    }
    if (!data_dir.empty()) {
      kept.indexed = std::min(total, first + batch_size);
      if (!WriteKeptIndex(dir, kept)) {
        std::fprintf(stderr, "cannot write %s\n", dir.c_str());
        return 1;
      }
    }
  }
  const uint64_t index_bytes = DirectoryBytes(dir);
  const double seconds = Ms(indexing) / 1000;
  std::printf("messages            %d\n", total);
  std::printf("raw mail            %.1f MiB\n", raw_bytes / 1048576.0);
  std::printf("indexing            %.1f s, %.0f msgs/s, %.1f MiB/s\n", seconds,
              total / seconds, raw_bytes / 1048576.0 / seconds);
  std::printf("indexing CPU        %.1f s, %.0f msgs per CPU second\n",
              indexing_cpu, total / indexing_cpu);
  std::printf("index size          %.1f MiB (%.0f%% of the raw mail), "
              "%.0f bytes/message\n",
              index_bytes / 1048576.0, 100.0 * index_bytes / raw_bytes,
              static_cast<double>(index_bytes) / total);

  // Query classes.
  const std::vector<std::string>& vocabulary = generator.vocabulary();
  auto pick = [&](const std::vector<std::string>& from) -> const std::string& {
    return from[rng() % from.size()];
  };
  auto word_in = [&](size_t lo, size_t hi) -> const std::string& {
    hi = std::min(hi, vocabulary.size());
    return vocabulary[lo + rng() % (hi - lo)];
  };
  // Generated mail is dated from 2020-01-01 (day 18262), 613 s apart.
  const int64_t first_day = 18262;
  const int64_t last_day = first_day + static_cast<int64_t>(total) * 613 / 86400;
  auto day_in = [&] {
    return first_day + static_cast<int64_t>(rng() % (last_day - first_day + 1));
  };
  using Maker = std::function<store::SearchKey()>;
  const std::vector<std::pair<std::string, Maker>> classes = {
      {"rare word (BODY)",
       [&] { return Leaf(Kind::kBody, word_in(20000, 50000)); }},
      {"mid word (BODY)",
       [&] { return Leaf(Kind::kBody, word_in(500, 5000)); }},
      {"common word (BODY)",
       [&] { return Leaf(Kind::kBody, word_in(5, 50)); }},
      {"phrase (BODY)",
       [&] {
         const std::vector<std::string> words = Words(pick(sample_bodies));
         const size_t at = rng() % (words.size() - 1);
         return Leaf(Kind::kBody, words[at] + " " + words[at + 1]);
       }},
      {"common phrase (BODY)",
       [&] {
         // Two common words, rarely side by side.
         return Leaf(Kind::kBody, word_in(5, 50) + " " + word_in(5, 50));
       }},
      {"phrase 3 words (TEXT)",
       [&] {
         std::vector<std::string> words = Words(pick(sample_bodies));
         while (words.size() < 3) words = Words(pick(sample_bodies));
         const size_t at = rng() % (words.size() - 2);
         return Leaf(Kind::kText, words[at] + " " + words[at + 1] + " " +
                                      words[at + 2]);
       }},
      {"NOT common word",
       [&] {
         store::SearchKey key;
         key.kind = Kind::kNot;
         key.children.push_back(Leaf(Kind::kBody, word_in(5, 50)));
         return key;
       }},
      {"inside word (BODY)",
       [&] {
         std::string word = word_in(100, 20000);
         while (word.size() < 6) word = word_in(100, 20000);
         return Leaf(Kind::kBody, word.substr(1, word.size() - 2));
       }},
      {"two letters (BODY)",
       [&] { return Leaf(Kind::kBody, word_in(0, 2000).substr(0, 2)); }},
      {"subject word",
       [&] {
         const std::vector<std::string> words = Words(pick(sample_subjects));
         return Leaf(Kind::kHeader, pick(words), "subject");
       }},
      {"address (FROM)",
       [&] {
         const std::vector<std::string> words = Words(pick(sample_from));
         return Leaf(Kind::kHeader, pick(words), "from");
       }},
      // Substrings of addresses that span separators ('@', '.'): words
      // alone cannot decide them.
      {"address across @ (TO)",
       [&] {
         const std::string address = AddressOf(pick(sample_from));
         const size_t at = address.find('@');
         const size_t dot = address.rfind('.', at);
         const size_t from = dot == std::string::npos ? 0 : dot + 1;
         const size_t end = address.find('.', at);
         return Leaf(Kind::kHeader, address.substr(from, end - from), "to");
       }},
      {"domain (FROM)",
       [&] {
         const std::string address = AddressOf(pick(sample_from));
         return Leaf(Kind::kHeader, address.substr(address.find('@') + 1),
                     "from");
       }},
      // A field without a prefix of its own: any-header words.
      {"any header (HEADER)",
       [&] {
         const char* const states[] = {"open", "pending", "closed"};
         return Leaf(Kind::kHeader, states[rng() % 3], "x-ticket");
       }},
      {"TEXT word",
       [&] { return Leaf(Kind::kText, word_in(1000, 20000)); }},
      {"OR of 3 words",
       [&] {
         store::SearchKey key;
         key.kind = Kind::kOr;
         for (int i = 0; i < 3; ++i) {
           key.children.push_back(Leaf(Kind::kBody, word_in(200, 20000)));
         }
         return key;
       }},
      {"NOT (OR of 2 words)",
       [&] {
         store::SearchKey either;
         either.kind = Kind::kOr;
         either.children.push_back(Leaf(Kind::kBody, word_in(200, 20000)));
         either.children.push_back(Leaf(Kind::kHeader, word_in(200, 20000),
                                        "subject"));
         store::SearchKey key;
         key.kind = Kind::kNot;
         key.children.push_back(std::move(either));
         return key;
       }},
      // Answered by QuerySentDate (below): SENTSINCE a day, or SENTON one.
      {"SENTSINCE a day",
       [&] {
         store::SearchKey key;
         key.kind = Kind::kSentSince;
         key.number = day_in();
         return key;
       }},
      {"SENTON a day",
       [&] {
         store::SearchKey key;
         key.kind = Kind::kSentOn;
         key.number = day_in();
         return key;
       }},
  };
  std::printf("\n%-22s %10s %10s %10s %12s %12s %12s %10s %10s\n",
              "query class", "p50 ms", "p99 ms", "max ms", "cpu ms/query",
              "Minstr/query", "avg matches", "verified", "phrases");
  const InstructionCounter instructions;
  index::PlannerCounters& counters = index::GetPlannerCounters();
  const int queries = absl::GetFlag(FLAGS_queries);
  const std::string only = absl::GetFlag(FLAGS_only);
  for (const auto& [name, make] : classes) {
    // Every class still draws its queries, so a filtered run asks the same
    // queries as a full one.
    const bool skip = name.find(only) == std::string::npos;
    std::vector<double> latencies;
    double matches = 0;
    const double cpu_start = CpuSeconds();
    double instructions_in_queries = 0;
    const uint64_t verified = counters.documents_verified;
    const uint64_t placed = counters.phrases_from_positions;
    for (int q = 0; q < queries; ++q) {
      const store::SearchKey key = make();
      if (skip) continue;
      const double instructions_start = instructions.Read();
      const auto start = Clock::now();
      size_t found = 0;
      absl::Status status;
      if (key.kind == Kind::kSentSince || key.kind == Kind::kSentOn) {
        auto result = text_index->QuerySentDate("bench", 1, key);
        status = result.status();
        if (result.ok()) found = result->matches.size();
      } else {
        auto result = text_index->Query("bench", 1, key);
        status = result.status();
        if (result.ok()) found = result->size();
      }
      latencies.push_back(Ms(Clock::now() - start));
      instructions_in_queries += instructions.Read() - instructions_start;
      if (!status.ok()) {
        std::fprintf(stderr, "Query: %s\n", status.ToString().c_str());
        return 1;
      }
      matches += found;
    }
    if (skip) continue;
    std::sort(latencies.begin(), latencies.end());
    auto at = [&](double p) {
      return latencies[std::min(latencies.size() - 1,
                                static_cast<size_t>(p * latencies.size()))];
    };
    const double cpu_ms = (CpuSeconds() - cpu_start) * 1000 / queries;
    // Documents checked against their text per query, and the share of
    // queries placed by word positions.
    const std::string instructions_column =
        instructions.Read() < 0
            ? "-"
            : absl::StrFormat("%.2f", instructions_in_queries / 1e6 / queries);
    std::printf("%-22s %10.2f %10.2f %10.2f %12.2f %12s %12.0f %10.0f "
                "%9.0f%%\n",
                name.c_str(), at(0.5), at(0.99), latencies.back(), cpu_ms,
                instructions_column.c_str(), matches / queries,
                static_cast<double>(counters.documents_verified - verified) /
                    queries,
                100.0 * (counters.phrases_from_positions - placed) / queries);
  }
  return 0;
}

}  // namespace
}  // namespace mailroom::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return mailroom::bench::Run();
}
