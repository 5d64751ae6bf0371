// The engine conformance suite against the RocksDB engine, each test in a
// new directory.
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "gtest/gtest.h"
#include "store/engine/testing/engine_conformance.h"
#include "store/rocksdb/rocksdb_engine.h"

namespace mailroom::store::rocksdb_engine {
namespace {

using engine::conformance::EngineConformanceParam;
using engine::conformance::EngineConformanceTest;

absl::StatusOr<std::unique_ptr<engine::Engine>> OpenFresh() {
  static std::atomic<int> counter{0};
  const char* base = std::getenv("TEST_TMPDIR");
  std::filesystem::path dir =
      std::filesystem::path(base != nullptr ? base : "/tmp") /
      ("rocksdb-engine-" + std::to_string(::getpid()) + "-" +
       std::to_string(counter++));
  std::filesystem::remove_all(dir);
  return OpenRocksDbEngine({.dir = dir.string(), .sync_writes = false});
}

INSTANTIATE_TEST_SUITE_P(RocksDb, EngineConformanceTest,
                         ::testing::Values(EngineConformanceParam{"rocksdb",
                                                                  &OpenFresh}),
                         engine::conformance::ConformanceParamName);

}  // namespace
}  // namespace mailroom::store::rocksdb_engine
