// imap_load: an IMAP load generator for comparing IMAP servers on one machine.
//
// Opens --connections sessions to 127.0.0.1:--port, logs in with LOGIN,
// SELECTs INBOX and runs a weighted command mix (--workload) for --seconds,
// then prints one JSON line: commands/s and latency p50/p90/p99 per command.
// --idle_connections=N instead parks N logged-in sessions in IDLE and reports
// the memory the server process tree (--server_pid) gained per session.
// --populate=N first APPENDs N messages from a corpus directory.
//
// Everything runs on one thread: each session is a C++20 coroutine, so the
// tool itself stays cheap next to the server it measures. Every read has a
// timeout and every loop is bounded in time and count.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "asio.hpp"

ABSL_FLAG(int, port, 143, "IMAP port on 127.0.0.1");
ABSL_FLAG(std::string, user, "user1", "LOGIN user");
ABSL_FLAG(std::string, password, "pass", "LOGIN password");
ABSL_FLAG(std::string, label, "", "name of the server, copied into the JSON");
ABSL_FLAG(int, connections, 8, "concurrent sessions running the workload");
ABSL_FLAG(double, seconds, 20, "how long the workload runs");
ABSL_FLAG(std::string, workload, "mix",
          "mix|fetch-headers|fetch-parts|store|search|append|idle|noop");
ABSL_FLAG(int64_t, max_commands, 10'000'000,
          "upper bound on commands per session");
ABSL_FLAG(double, timeout_seconds, 30, "timeout of one command or connect");
ABSL_FLAG(int, populate, 0,
          "APPEND this many corpus messages to INBOX before the workload");
ABSL_FLAG(std::string, corpus_dir, "",
          "directory tree of messages for --populate (default "
          "$MAILROOM_CORPUS_DIR or ~/.cache/mailroom/corpus)");
ABSL_FLAG(int, idle_connections, 0,
          "if > 0: open this many sessions in IDLE and report memory instead "
          "of running a workload");
ABSL_FLAG(int, server_pid, 0,
          "server process whose tree's memory is sampled in idle mode");
ABSL_FLAG(int, open_parallelism, 32,
          "sessions opened at once in idle mode and for --populate");
ABSL_FLAG(double, idle_settle_seconds, 2,
          "wait after the last IDLE before sampling memory");
ABSL_FLAG(uint64_t, seed, 1, "random seed");

namespace mailroom::bench {
namespace {

using asio::awaitable;
using asio::ip::tcp;
using asio::use_awaitable;
using Clock = std::chrono::steady_clock;

// Words common enough in mail text that SEARCH returns something.
constexpr absl::string_view kSearchWords[] = {
    "money", "linux", "software", "network", "release",
    "people", "business", "python", "question", "server"};

// The result of one tagged command.
struct Reply {
  bool ok = false;
  std::string status_line;  // the tagged line
  std::vector<std::string> untagged;
};

// One IMAP session over plain TCP. Not thread-safe: used by one coroutine.
class Session {
 public:
  explicit Session(asio::io_context& io)
      : socket_(io), watchdog_(io) {}

  // Connects, reads the greeting and logs in. False on any failure.
  awaitable<bool> Open(int port, const std::string& user,
                       const std::string& password) {
    try {
      Arm();
      co_await socket_.async_connect(
          tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                        static_cast<uint16_t>(port)),
          use_awaitable);
      socket_.set_option(tcp::no_delay(true));
      std::string greeting = co_await ReadLine();
      if (!absl::StartsWith(greeting, "* OK")) co_return false;
      Reply login = co_await Command(
          absl::StrCat("LOGIN ", Quote(user), " ", Quote(password)));
      co_return login.ok;
    } catch (const std::exception&) {
      co_return false;
    }
  }

  // Sends one command and reads through its tagged reply. Literals in the
  // reply are consumed. Updates exists() from "* N EXISTS". Throws on I/O
  // errors and timeouts.
  awaitable<Reply> Command(absl::string_view text) {
    std::string tag = NextTag();
    Arm();
    co_await Write(absl::StrCat(tag, " ", text, "\r\n"));
    co_return co_await ReadReply(tag);
  }

  // APPEND with a synchronizing literal.
  awaitable<Reply> Append(absl::string_view mailbox, absl::string_view message) {
    std::string tag = NextTag();
    Arm();
    co_await Write(absl::StrCat(tag, " APPEND ", mailbox, " (\\Seen) {",
                                message.size(), "}\r\n"));
    for (;;) {
      std::string line = co_await ReadLine();
      if (absl::StartsWith(line, "+")) break;
      if (absl::StartsWith(line, tag)) co_return Reply{false, line, {}};
    }
    co_await Write(absl::StrCat(message, "\r\n"));
    co_return co_await ReadReply(tag);
  }

  // IDLE until the continuation request arrives. True when idling.
  awaitable<bool> StartIdle() {
    idle_tag_ = NextTag();
    Arm();
    co_await Write(absl::StrCat(idle_tag_, " IDLE\r\n"));
    for (;;) {
      std::string line = co_await ReadLine();
      if (absl::StartsWith(line, "+")) {
        Disarm();
        co_return true;
      }
      if (absl::StartsWith(line, idle_tag_)) co_return false;
      NoteUntagged(line);
    }
  }

  // Ends IDLE and reads its tagged reply.
  awaitable<Reply> StopIdle() {
    Arm();
    co_await Write("DONE\r\n");
    co_return co_await ReadReply(idle_tag_);
  }

  void Close() {
    asio::error_code ignored;
    watchdog_.cancel();
    socket_.close(ignored);
  }

  int64_t exists() const { return exists_; }

 private:
  static std::string Quote(absl::string_view s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
    return out;
  }

  std::string NextTag() { return absl::StrCat("a", ++tag_counter_); }

  // A stuck server must not hang the run: the watchdog closes the socket,
  // which fails the pending read.
  void Arm() {
    watchdog_.expires_after(std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(absl::GetFlag(FLAGS_timeout_seconds))));
    watchdog_.async_wait([this](const asio::error_code& error) {
      if (!error) {
        asio::error_code ignored;
        socket_.close(ignored);
      }
    });
  }
  void Disarm() { watchdog_.cancel(); }

  awaitable<void> Write(std::string data) {
    co_await asio::async_write(socket_, asio::buffer(data), use_awaitable);
  }

  // One line without its CRLF.
  awaitable<std::string> ReadLine() {
    size_t n = co_await asio::async_read_until(
        socket_, asio::dynamic_buffer(buffer_), "\r\n", use_awaitable);
    std::string line = buffer_.substr(0, n - 2);
    buffer_.erase(0, n);
    co_return line;
  }

  awaitable<void> Skip(size_t bytes) {
    if (buffer_.size() < bytes) {
      co_await asio::async_read(socket_, asio::dynamic_buffer(buffer_),
                                asio::transfer_at_least(bytes - buffer_.size()),
                                use_awaitable);
    }
    buffer_.erase(0, bytes);
  }

  // A logical response line: literals ({N} at a line's end) are skipped and
  // the line continues after them.
  awaitable<std::string> ReadResponseLine() {
    std::string line = co_await ReadLine();
    for (int literals = 0; literals < 100000; ++literals) {
      if (line.empty() || line.back() != '}') break;
      size_t open = line.rfind('{');
      if (open == std::string::npos) break;
      absl::string_view digits(line.data() + open + 1, line.size() - open - 2);
      if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
      uint64_t size = 0;
      if (!absl::SimpleAtoi(digits, &size)) break;
      co_await Skip(size);
      absl::StrAppend(&line, "<literal>", co_await ReadLine());
    }
    co_return line;
  }

  awaitable<Reply> ReadReply(const std::string& tag) {
    Reply reply;
    for (;;) {
      std::string line = co_await ReadResponseLine();
      if (absl::StartsWith(line, tag) && line.size() > tag.size() &&
          line[tag.size()] == ' ') {
        Disarm();
        reply.ok = absl::StartsWith(line.substr(tag.size() + 1), "OK");
        reply.status_line = std::move(line);
        co_return reply;
      }
      NoteUntagged(line);
      if (reply.untagged.size() < 64) reply.untagged.push_back(line);
    }
  }

  void NoteUntagged(absl::string_view line) {
    std::vector<absl::string_view> words = absl::StrSplit(line, ' ');
    int64_t n = 0;
    if (words.size() >= 3 && words[0] == "*" &&
        absl::EqualsIgnoreCase(words[2], "EXISTS") &&
        absl::SimpleAtoi(words[1], &n)) {
      exists_ = n;
    }
  }

  tcp::socket socket_;
  asio::steady_timer watchdog_;
  std::string buffer_;
  uint64_t tag_counter_ = 0;
  std::string idle_tag_;
  int64_t exists_ = 0;
};

// Latencies of one command kind, in microseconds. Not thread-safe (the tool
// runs on one thread).
struct Samples {
  std::vector<double> micros;
  int64_t errors = 0;
};

double Percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t index = static_cast<size_t>(p * (sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

// A command kind of the mix and its weight.
struct Op {
  std::string name;
  int weight;
};

std::vector<Op> MixFor(const std::string& workload) {
  if (workload == "mix") {
    return {{"fetch_headers", 25}, {"fetch_part", 20}, {"uid_store", 20},
            {"search", 10},        {"append", 10},     {"noop", 15}};
  }
  if (workload == "fetch-headers") return {{"fetch_headers", 1}};
  if (workload == "fetch-parts") return {{"fetch_part", 1}};
  if (workload == "store") return {{"uid_store", 1}};
  if (workload == "search") return {{"search", 1}};
  if (workload == "append") return {{"append", 1}};
  if (workload == "idle") return {{"idle", 1}};
  if (workload == "noop") return {{"noop", 1}};
  return {};
}

// A small message for the append workload; unique per call so that a
// deduplicating store still writes it.
std::string SmallMessage(uint64_t n) {
  return absl::StrCat(
      "From: Load Tool <load@example.test>\r\n"
      "To: user1@example.test\r\n"
      "Subject: load message ",
      n,
      "\r\n"
      "Date: Sun, 22 Nov 2026 03:00:00 +0000\r\n"
      "Message-ID: <load-",
      n,
      "@example.test>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: text/plain; charset=us-ascii\r\n"
      "\r\n"
      "A short body for the append workload, number ",
      n,
      ".\r\nIt mentions software and the network once.\r\n");
}

class LoadRun {
 public:
  explicit LoadRun(asio::io_context& io) : io_(io), rng_(absl::GetFlag(FLAGS_seed)) {}

  awaitable<void> Worker(std::vector<Op> mix, Clock::time_point end) {
    Session session(io_);
    auto t0 = Clock::now();
    if (!co_await session.Open(absl::GetFlag(FLAGS_port),
                               absl::GetFlag(FLAGS_user),
                               absl::GetFlag(FLAGS_password))) {
      ++failed_sessions_;
      co_return;
    }
    Record("login", t0, true);
    try {
      t0 = Clock::now();
      Reply select = co_await session.Command("SELECT INBOX");
      Record("select", t0, select.ok);
      if (!select.ok) co_return;
      int total_weight = 0;
      for (const Op& op : mix) total_weight += op.weight;
      int64_t max_commands = absl::GetFlag(FLAGS_max_commands);
      for (int64_t i = 0; i < max_commands && Clock::now() < end; ++i) {
        int pick = std::uniform_int_distribution<int>(0, total_weight - 1)(rng_);
        const Op* op = &mix.back();
        for (const Op& candidate : mix) {
          if (pick < candidate.weight) {
            op = &candidate;
            break;
          }
          pick -= candidate.weight;
        }
        t0 = Clock::now();
        bool ok = co_await RunOp(session, op->name);
        Record(op->name, t0, ok);
      }
      co_await session.Command("LOGOUT");
    } catch (const std::exception&) {
      ++failed_sessions_;
    }
    session.Close();
  }

  void PrintJson(double elapsed, int connections, const std::string& workload) {
    int64_t commands = 0;
    int64_t errors = 0;
    std::string per_command;
    for (auto& [name, samples] : samples_) {
      std::sort(samples.micros.begin(), samples.micros.end());
      if (name != "login" && name != "select") {
        commands += samples.micros.size();
        errors += samples.errors;
      }
      absl::StrAppendFormat(
          &per_command,
          "%s\"%s\":{\"count\":%d,\"errors\":%d,\"per_s\":%.1f,"
          "\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f}",
          per_command.empty() ? "" : ",", name, samples.micros.size(),
          samples.errors, samples.micros.size() / elapsed,
          Percentile(samples.micros, 0.5) / 1000,
          Percentile(samples.micros, 0.9) / 1000,
          Percentile(samples.micros, 0.99) / 1000);
    }
    std::cout << absl::StrFormat(
                     "{\"label\":\"%s\",\"workload\":\"%s\",\"connections\":%d,"
                     "\"seconds\":%.2f,\"commands\":%d,\"errors\":%d,"
                     "\"failed_sessions\":%d,\"commands_per_s\":%.1f,"
                     "\"per_command\":{%s}}",
                     absl::GetFlag(FLAGS_label), workload, connections, elapsed,
                     commands, errors, failed_sessions_, commands / elapsed,
                     per_command)
              << std::endl;
  }

  int failed_sessions() const { return failed_sessions_; }

 private:
  void Record(const std::string& name, Clock::time_point start, bool ok) {
    Samples& samples = samples_[name];
    if (!ok) {
      ++samples.errors;
      return;
    }
    samples.micros.push_back(
        std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }

  int64_t RandomSeq(int64_t exists) {
    return std::uniform_int_distribution<int64_t>(1, std::max<int64_t>(exists, 1))(
        rng_);
  }

  awaitable<bool> RunOp(Session& session, const std::string& name) {
    int64_t exists = session.exists();
    if (name == "noop") co_return (co_await session.Command("NOOP")).ok;
    if (name == "fetch_headers") {
      int64_t first = RandomSeq(exists);
      int64_t last = std::min(exists, first + 19);
      if (exists == 0) co_return (co_await session.Command("NOOP")).ok;
      co_return (co_await session.Command(absl::StrCat(
                     "FETCH ", first, ":", last,
                     " (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM TO "
                     "SUBJECT DATE MESSAGE-ID)])")))
          .ok;
    }
    if (name == "fetch_part") {
      if (exists == 0) co_return (co_await session.Command("NOOP")).ok;
      co_return (co_await session.Command(
                     absl::StrCat("FETCH ", RandomSeq(exists), " BODY.PEEK[1]")))
          .ok;
    }
    if (name == "uid_store") {
      // A fresh mailbox without expunges has UID == sequence number.
      if (exists == 0) co_return (co_await session.Command("NOOP")).ok;
      bool add = std::uniform_int_distribution<int>(0, 1)(rng_) == 0;
      co_return (co_await session.Command(absl::StrCat(
                     "UID STORE ", RandomSeq(exists), add ? " +" : " -",
                     "FLAGS.SILENT (\\Flagged $Load)")))
          .ok;
    }
    if (name == "search") {
      absl::string_view word = kSearchWords[std::uniform_int_distribution<size_t>(
          0, std::size(kSearchWords) - 1)(rng_)];
      co_return (co_await session.Command(absl::StrCat("SEARCH TEXT ", word))).ok;
    }
    if (name == "append") {
      co_return (co_await session.Append("INBOX", SmallMessage(++appended_))).ok;
    }
    if (name == "idle") {
      if (!co_await session.StartIdle()) co_return false;
      co_return (co_await session.StopIdle()).ok;
    }
    co_return false;
  }

  asio::io_context& io_;
  std::mt19937_64 rng_;
  std::map<std::string, Samples> samples_;
  int failed_sessions_ = 0;
  uint64_t appended_ = 0;
};

// ---- populate ---------------------------------------------------------------

std::string CorpusDir() {
  std::string dir = absl::GetFlag(FLAGS_corpus_dir);
  if (!dir.empty()) return dir;
  if (const char* env = std::getenv("MAILROOM_CORPUS_DIR"); env && *env) {
    return env;
  }
  const char* home = std::getenv("HOME");
  return absl::StrCat(home ? home : "", "/.cache/mailroom/corpus");
}

// Up to `limit` message files, in a stable order.
std::vector<std::filesystem::path> CorpusFiles(const std::string& dir,
                                               size_t limit) {
  std::vector<std::filesystem::path> files;
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, error);
       !error && it != std::filesystem::recursive_directory_iterator();
       it.increment(error)) {
    if (it->is_regular_file()) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  if (files.size() > limit) files.resize(limit);
  return files;
}

// The file with CRLF line ends, as APPEND wants it.
std::string ReadAsCrlf(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream raw;
  raw << in.rdbuf();
  std::string text = raw.str();
  std::string out;
  out.reserve(text.size() + text.size() / 30);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out.push_back('\r');
    out.push_back(text[i]);
  }
  return out;
}

awaitable<void> PopulateWorker(asio::io_context& io,
                               const std::vector<std::string>* messages,
                               size_t* next, int* appended, int* failed) {
  Session session(io);
  if (!co_await session.Open(absl::GetFlag(FLAGS_port),
                             absl::GetFlag(FLAGS_user),
                             absl::GetFlag(FLAGS_password))) {
    ++*failed;
    co_return;
  }
  try {
    while (*next < messages->size()) {
      const std::string& message = (*messages)[(*next)++];
      if ((co_await session.Append("INBOX", message)).ok) {
        ++*appended;
      } else {
        ++*failed;
      }
    }
    co_await session.Command("LOGOUT");
  } catch (const std::exception&) {
    ++*failed;
  }
  session.Close();
}

int Populate(int count) {
  std::string dir = CorpusDir();
  std::vector<std::filesystem::path> files = CorpusFiles(dir, count);
  if (files.empty()) {
    std::cerr << "imap_load: no messages under " << dir << "\n";
    return 1;
  }
  std::vector<std::string> messages;
  for (const auto& file : files) messages.push_back(ReadAsCrlf(file));
  asio::io_context io;
  size_t next = 0;
  int appended = 0;
  int failed = 0;
  int workers = std::clamp(absl::GetFlag(FLAGS_open_parallelism), 1, 8);
  for (int i = 0; i < workers; ++i) {
    asio::co_spawn(io, PopulateWorker(io, &messages, &next, &appended, &failed),
                   asio::detached);
  }
  io.run();
  std::cerr << "imap_load: appended " << appended << " of " << messages.size()
            << " messages from " << dir << " (" << failed << " failures)\n";
  return appended > 0 ? 0 : 1;
}

// ---- idle memory ------------------------------------------------------------

// Memory of a process and all its descendants, in KiB: summed VmRSS (counts
// pages shared between processes once per process) and summed Pss (shares
// them out), so that a process-per-connection server is judged fairly.
struct TreeMemory {
  int64_t rss_kb = 0;
  int64_t pss_kb = 0;
  int processes = 0;
};

int64_t FieldKb(const std::string& path, absl::string_view field) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (absl::StartsWith(line, field)) {
      std::vector<absl::string_view> words =
          absl::StrSplit(line, ' ', absl::SkipEmpty());
      int64_t kb = 0;
      if (words.size() >= 2 && absl::SimpleAtoi(words[1], &kb)) return kb;
    }
  }
  return 0;
}

TreeMemory MeasureTree(int root) {
  std::map<int, int> parent;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    int pid = 0;
    if (!absl::SimpleAtoi(entry.path().filename().string(), &pid)) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    std::getline(in, stat);
    size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::vector<absl::string_view> words =
        absl::StrSplit(absl::string_view(stat).substr(close + 2), ' ');
    int ppid = 0;
    if (words.size() >= 2 && absl::SimpleAtoi(words[1], &ppid)) {
      parent[pid] = ppid;
    }
  }
  TreeMemory memory;
  for (const auto& [pid, unused] : parent) {
    bool in_tree = false;
    for (int p = pid, hops = 0; p > 0 && hops < 64; ++hops) {
      if (p == root) {
        in_tree = true;
        break;
      }
      auto it = parent.find(p);
      if (it == parent.end()) break;
      p = it->second;
    }
    if (!in_tree) continue;
    std::string base = absl::StrCat("/proc/", pid);
    memory.rss_kb += FieldKb(base + "/status", "VmRSS:");
    memory.pss_kb += FieldKb(base + "/smaps_rollup", "Pss:");
    ++memory.processes;
  }
  return memory;
}

awaitable<void> OpenIdle(asio::io_context& io,
                         std::vector<std::unique_ptr<Session>>* sessions,
                         int* next, int total, int* idling, int* failed) {
  while (*next < total) {
    ++*next;
    auto session = std::make_unique<Session>(io);
    bool ok = co_await session->Open(absl::GetFlag(FLAGS_port),
                                     absl::GetFlag(FLAGS_user),
                                     absl::GetFlag(FLAGS_password));
    try {
      ok = ok && (co_await session->Command("SELECT INBOX")).ok &&
           co_await session->StartIdle();
    } catch (const std::exception&) {
      ok = false;
    }
    if (ok) {
      ++*idling;
    } else {
      ++*failed;
      session->Close();
    }
    sessions->push_back(std::move(session));
  }
}

int RunIdle(int count) {
  int server_pid = absl::GetFlag(FLAGS_server_pid);
  TreeMemory before;
  if (server_pid > 0) before = MeasureTree(server_pid);
  asio::io_context io;
  std::vector<std::unique_ptr<Session>> sessions;
  int next = 0, idling = 0, failed = 0;
  auto start = Clock::now();
  for (int i = 0; i < std::max(1, absl::GetFlag(FLAGS_open_parallelism)); ++i) {
    asio::co_spawn(io, OpenIdle(io, &sessions, &next, count, &idling, &failed),
                   asio::detached);
  }
  io.run();
  double open_seconds =
      std::chrono::duration<double>(Clock::now() - start).count();
  io.restart();
  std::this_thread::sleep_for(std::chrono::duration<double>(
      absl::GetFlag(FLAGS_idle_settle_seconds)));
  // Let the sessions read anything the server sent meanwhile.
  io.poll();
  TreeMemory after;
  if (server_pid > 0) after = MeasureTree(server_pid);
  int per = std::max(idling, 1);
  std::cout << absl::StrFormat(
                   "{\"label\":\"%s\",\"workload\":\"idle_memory\","
                   "\"idle_requested\":%d,\"idle_open\":%d,\"failed\":%d,"
                   "\"open_seconds\":%.2f,\"server_pid\":%d,"
                   "\"processes_before\":%d,\"processes_after\":%d,"
                   "\"rss_before_kb\":%d,\"rss_after_kb\":%d,"
                   "\"pss_before_kb\":%d,\"pss_after_kb\":%d,"
                   "\"rss_per_idle_kb\":%.2f,\"pss_per_idle_kb\":%.2f}",
                   absl::GetFlag(FLAGS_label), count, idling, failed,
                   open_seconds, server_pid, before.processes, after.processes,
                   before.rss_kb, after.rss_kb, before.pss_kb, after.pss_kb,
                   static_cast<double>(after.rss_kb - before.rss_kb) / per,
                   static_cast<double>(after.pss_kb - before.pss_kb) / per)
            << std::endl;
  for (auto& session : sessions) session->Close();
  return idling > 0 ? 0 : 1;
}

int RunWorkload() {
  std::string workload = absl::GetFlag(FLAGS_workload);
  std::vector<Op> mix = MixFor(workload);
  if (mix.empty()) {
    std::cerr << "imap_load: unknown --workload=" << workload << "\n";
    return 2;
  }
  int connections = std::max(1, absl::GetFlag(FLAGS_connections));
  double seconds = std::max(0.0, absl::GetFlag(FLAGS_seconds));
  asio::io_context io;
  LoadRun run(io);
  auto start = Clock::now();
  auto end = start + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(seconds));
  for (int i = 0; i < connections; ++i) {
    asio::co_spawn(io, run.Worker(mix, end), asio::detached);
  }
  io.run();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  run.PrintJson(std::max(elapsed, 1e-3), connections, workload);
  return run.failed_sessions() == connections ? 1 : 0;
}

}  // namespace
}  // namespace mailroom::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  using namespace mailroom::bench;
  if (int n = absl::GetFlag(FLAGS_populate); n > 0) {
    if (int rc = Populate(n); rc != 0) return rc;
    if (absl::GetFlag(FLAGS_seconds) <= 0 &&
        absl::GetFlag(FLAGS_idle_connections) <= 0) {
      return 0;
    }
  }
  if (int n = absl::GetFlag(FLAGS_idle_connections); n > 0) return RunIdle(n);
  return RunWorkload();
}
