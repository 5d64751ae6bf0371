// The engine conformance suite: what every engine behind
// store/engine/engine.h must do, as parameterised gtest cases. An engine's
// test instantiates it with a factory that opens a fresh, empty engine for
// each test:
//
//   INSTANTIATE_TEST_SUITE_P(
//       Rados, EngineConformanceTest,
//       ::testing::Values(EngineConformanceParam{"rados", &OpenFreshEngine}),
//       ConformanceParamName);
//
// store/rados/rados_engine_test.cc instantiates it against a Ceph cluster;
// store/rocksdb instantiates the same suite (a factory opening a RocksDB
// engine in a new temporary directory), so both engines are held to one
// contract.
//
// Keys follow the shapes of store/internal/keys.h (a mailbox key starts
// with the 8-byte mailbox id, a user key with the user name and \0, ...),
// since an engine may place data by them.
#ifndef MAILROOM_STORE_ENGINE_TESTING_ENGINE_CONFORMANCE_H_
#define MAILROOM_STORE_ENGINE_TESTING_ENGINE_CONFORMANCE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "absl/status/statusor.h"
#include "store/engine/engine.h"

namespace mailroom::store::engine::conformance {

using EngineFactory = std::function<absl::StatusOr<std::unique_ptr<Engine>>()>;

struct EngineConformanceParam {
  std::string name;  // the instantiation's test name suffix
  EngineFactory factory;
};

// gtest prints a parameter by its name.
void PrintTo(const EngineConformanceParam& param, std::ostream* os);

std::string ConformanceParamName(
    const ::testing::TestParamInfo<EngineConformanceParam>& info);

class EngineConformanceTest
    : public ::testing::TestWithParam<EngineConformanceParam> {
 protected:
  void SetUp() override;

  // Commits one transaction putting (or, for std::nullopt, deleting) rows.
  void CommitWrites(
      const std::vector<std::pair<std::pair<Space, std::string>,
                                  std::optional<std::string>>>& writes);
  // Latest().Get, failing the test on an error.
  std::optional<std::string> Read(Space space, std::string_view key);
  // Every row of [begin, end) via Latest().Scan.
  std::vector<std::pair<std::string, std::string>> ScanAll(
      Space space, std::string_view begin, std::string_view end);

  std::unique_ptr<Engine> engine_;
};

// Key shapes (store/internal/keys.h).
std::string U32(uint32_t v);
std::string U64(uint64_t v);
std::string MailboxKey(uint64_t mailbox);
std::string MessageKey(uint64_t mailbox, uint32_t uid);
std::string BodyHash(int n);  // a 32-byte hash

}  // namespace mailroom::store::engine::conformance

#endif  // MAILROOM_STORE_ENGINE_TESTING_ENGINE_CONFORMANCE_H_
