// Shared helpers of the store tests: a fresh store in a temporary folder.
#ifndef MAILROOM_TESTS_STORE_STORE_TEST_UTIL_H_
#define MAILROOM_TESTS_STORE_STORE_TEST_UTIL_H_

#include <atomic>
#include <cstdlib>
#include <random>
#include <filesystem>
#include <memory>
#include <string>

#include <unistd.h>

#include "store/store.h"

namespace mailroom::store::testing {

// Random per process: inside Bazel's sandbox every test has the same pid.
inline const std::string& RunToken() {
  static const std::string token = [] {
    std::random_device random;
    return std::to_string(random()) + std::to_string(random());
  }();
  return token;
}

// A new empty folder below TEST_TMPDIR (or /tmp).
inline std::string FreshDir(const std::string& tag) {
  static std::atomic<int> counter{0};
  const char* base = std::getenv("TEST_TMPDIR");
  std::filesystem::path dir =
      std::filesystem::path(base != nullptr ? base : "/tmp") /
      (tag + "-" + std::to_string(::getpid()) + "-" + RunToken() + "-" +
       std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

// Which engine the store tests run on: RocksDB, or RADOS when the test
// target sets MAILROOM_TEST_ENGINE=rados (the *_rados variants in BUILD),
// on the cluster MAILROOM_RADOS_CONF names (scripts/test.sh starts one).
inline bool TestOnRados() {
  const char* engine = std::getenv("MAILROOM_TEST_ENGINE");
  return engine != nullptr && std::string(engine) == "rados";
}

inline std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

// Options of a store for `dir` (from FreshDir). On RADOS each `dir` gets its
// own RADOS namespace, named after it (the same one again when the test, or
// a child process it starts, opens the store again), so tests never see each
// other's data or that of an earlier run.
inline StoreOptions TestOptions(const std::string& dir) {
  StoreOptions options;
  options.data_dir = dir;
  options.password_iterations = 64;  // fast; production uses 100000
  options.sync_writes = false;
  if (TestOnRados()) {
    options.engine = EngineKind::kRados;
    // An empty conf makes OpenStore fail and say what is missing.
    options.rados.conf_file = EnvOr("MAILROOM_RADOS_CONF", "");
    options.rados.pool = EnvOr("MAILROOM_RADOS_POOL", "mailroom");
    options.rados.user = EnvOr("MAILROOM_RADOS_USER", "admin");
    options.rados.ns =
        "test-" + std::filesystem::path(dir).filename().string();
  }
  return options;
}

// A small RFC 5322 message with CRLF line ends.
inline std::string MakeMessage(const std::string& subject,
                               const std::string& body,
                               const std::string& from = "Alice <alice@example.com>",
                               const std::string& date =
                                   "Mon, 7 Feb 1994 21:52:25 -0800") {
  return "From: " + from + "\r\nTo: Bob <bob@example.org>\r\nSubject: " +
         subject + "\r\nDate: " + date +
         "\r\nMessage-ID: <" + subject + "@example.com>\r\n\r\n" + body +
         "\r\n";
}

}  // namespace mailroom::store::testing

#endif  // MAILROOM_TESTS_STORE_STORE_TEST_UTIL_H_
