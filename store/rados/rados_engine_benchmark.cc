// Micro-benchmarks of the RADOS engine against a running cluster, by hand:
//
//   bazel build -c opt //store/rados:rados_engine_benchmark
//   MAILROOM_RADOS_CONF=DIR/ceph.conf
//   bazel-bin/store/rados/rados_engine_benchmark
//
// (MAILROOM_RADOS_POOL, default mailroom; MAILROOM_RADOS_USER, default
// admin.) It works in a fresh namespace "bench-<random>" and empties it at
// the end. Times are wall-clock (the work is network round trips).
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>

#include <benchmark/benchmark.h>
#include <rados/librados.hpp>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "store/engine/engine.h"
#include "store/rados/rados_engine.h"

namespace mailroom::store::rados {
namespace {

using engine::Engine;
using engine::Space;
using engine::Transaction;

std::string Env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : std::string(fallback);
}

std::string U64(uint64_t v) {
  std::string out;
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
  return out;
}

std::string Hash(uint64_t n) {
  std::string hash = U64(n * 0x9e3779b97f4a7c15ull);
  hash.resize(32, 'h');
  return hash;
}

RadosOptions Options() {
  static const std::string* ns = new std::string(
      absl::StrCat("bench-", absl::Uniform<uint64_t>(absl::BitGen())));
  RadosOptions options;
  options.conf_file = Env("MAILROOM_RADOS_CONF", "");
  options.pool = Env("MAILROOM_RADOS_POOL", "mailroom");
  options.user = Env("MAILROOM_RADOS_USER", "admin");
  options.ns = *ns;
  return options;
}

std::unique_ptr<Engine>& EngineSlot() {
  static std::unique_ptr<Engine>* slot = new std::unique_ptr<Engine>();
  return *slot;
}

// Opened once, by whichever benchmark thread comes first.
Engine* SharedEngine() {
  static std::once_flag once;
  std::call_once(once, [] {
    absl::StatusOr<std::unique_ptr<Engine>> opened = OpenRadosEngine(Options());
    if (!opened.ok()) {
      std::cerr << "cannot open the engine: " << opened.status() << "\n";
      std::exit(1);
    }
    EngineSlot() = *std::move(opened);
  });
  return EngineSlot().get();
}

// Retries kAborted like the store's RunTxn; reports other errors.
template <typename Body>
bool RunTxn(benchmark::State& state, Engine& engine, Body body) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    absl::StatusOr<std::unique_ptr<Transaction>> txn = engine.Begin(true);
    absl::Status s = txn.status();
    if (s.ok()) s = body(**txn);
    if (s.ok()) s = (*txn)->Commit();
    if (s.ok()) return true;
    if (s.code() != absl::StatusCode::kAborted) {
      state.SkipWithError(std::string(s.message()).c_str());
      return false;
    }
  }
  state.SkipWithError("transaction kept conflicting");
  return false;
}

// An update of one mailbox (a flag change): lock its state, write it and
// a message row. One object: the single-op fast path. Each thread has
// its own mailbox.
void BM_SingleObjectCommit(benchmark::State& state) {
  Engine& engine = *SharedEngine();
  const std::string mailbox = U64(1000 + state.thread_index());
  uint64_t uid = 0;
  for (auto _ : state) {
    ++uid;
    if (!RunTxn(state, engine, [&](Transaction& txn) -> absl::Status {
          absl::StatusOr<std::optional<std::string>> s =
              txn.GetForUpdate(Space::kMailboxState, mailbox);
          if (!s.ok()) return s.status();
          absl::Status put = txn.Put(Space::kMailboxState, mailbox, U64(uid));
          if (!put.ok()) return put;
          return txn.Put(Space::kMessages, mailbox + U64(uid).substr(4),
                         "flags");
        })) {
      break;
    }
  }
}
BENCHMARK(BM_SingleObjectCommit)->UseRealTime()->Threads(1)->Threads(4);

// An append without a new body: the mailbox's state and message, the
// owner's quota (user object), an index queue item. Three objects: the
// multi-object protocol. Each thread has its own mailbox and owner.
void BM_MultiObjectCommit(benchmark::State& state) {
  Engine& engine = *SharedEngine();
  const std::string mailbox = U64(2000 + state.thread_index());
  const std::string owner = absl::StrCat("owner", state.thread_index());
  uint64_t uid = 0;
  for (auto _ : state) {
    ++uid;
    if (!RunTxn(state, engine, [&](Transaction& txn) -> absl::Status {
          for (auto [space, key] : {std::pair(Space::kMailboxState, mailbox),
                                    std::pair(Space::kQuota, owner)}) {
            absl::StatusOr<std::optional<std::string>> v =
                txn.GetForUpdate(space, key);
            if (!v.ok()) return v.status();
            absl::Status put = txn.Put(space, key, U64(uid));
            if (!put.ok()) return put;
          }
          absl::Status put =
              txn.Put(Space::kMessages, mailbox + U64(uid).substr(4), "record");
          if (!put.ok()) return put;
          return txn.Put(
              Space::kIndexQueue,
              U64((uid << 8) | static_cast<uint64_t>(state.thread_index())),
              "work");
        })) {
      break;
    }
  }
}
BENCHMARK(BM_MultiObjectCommit)->UseRealTime()->Threads(1)->Threads(4);

// A new 64 KiB body and its reference count: the data object, then one
// guarded op on the body's shard.
void BM_BlobPut64KiB(benchmark::State& state) {
  Engine& engine = *SharedEngine();
  const std::string body(64 << 10, 'b');
  uint64_t n = static_cast<uint64_t>(state.thread_index()) << 40;
  for (auto _ : state) {
    const std::string hash = Hash(++n);
    if (!RunTxn(state, engine, [&](Transaction& txn) -> absl::Status {
          absl::Status put = txn.Put(Space::kBlobs, hash, body);
          if (!put.ok()) return put;
          return txn.Put(Space::kBlobRefs, hash, U64(1));
        })) {
      break;
    }
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_BlobPut64KiB)->UseRealTime()->Threads(1)->Threads(4);

// 4 KiB at a random offset of a 1 MiB body (a part of a message): the
// presence row and the range, read in parallel.
void BM_ReadRange4KiB(benchmark::State& state) {
  Engine& engine = *SharedEngine();
  const std::string hash = Hash(0xbeef);
  static std::once_flag stored;
  std::call_once(stored, [&] {
    std::string body(1 << 20, 'r');
    RunTxn(state, engine, [&](Transaction& txn) {
      return txn.Put(Space::kBlobs, hash, body);
    });
  });
  absl::BitGen gen;
  for (auto _ : state) {
    uint64_t offset = absl::Uniform<uint64_t>(gen, 0, (1 << 20) - 4096);
    absl::StatusOr<std::string> part =
        engine.ReadRange(Space::kBlobs, hash, offset, 4096);
    if (!part.ok() || part->size() != 4096) {
      state.SkipWithError("ReadRange failed");
      break;
    }
  }
  state.SetBytesProcessed(state.iterations() * 4096);
}
BENCHMARK(BM_ReadRange4KiB)->UseRealTime()->Threads(1)->Threads(4);

// Removes everything the run wrote.
void EmptyNamespace() {
  RadosOptions options = Options();
  librados::Rados cluster;
  librados::IoCtx io;
  if (cluster.init(options.user.c_str()) < 0 ||
      cluster.conf_read_file(options.conf_file.c_str()) < 0 ||
      cluster.connect() < 0 ||
      cluster.ioctx_create(options.pool.c_str(), io) < 0) {
    return;
  }
  io.set_namespace(options.ns);
  std::vector<std::string> objects;
  for (auto it = io.nobjects_begin(); it != io.nobjects_end(); ++it) {
    objects.push_back(it->get_oid());
  }
  for (const std::string& object : objects) io.remove(object);
  io.close();
  cluster.shutdown();
}

}  // namespace
}  // namespace mailroom::store::rados

int main(int argc, char** argv) {
  if (std::getenv("MAILROOM_RADOS_CONF") == nullptr) {
    std::cerr << "set MAILROOM_RADOS_CONF to a Ceph cluster's ceph.conf\n";
    return 1;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  mailroom::store::rados::EngineSlot().reset();
  mailroom::store::rados::EmptyNamespace();
  return 0;
}
