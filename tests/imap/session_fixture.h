// Shared fixture of the IMAP session tests: the real store in a temporary
// directory and a scripted connection (no daemon, no sockets).
#ifndef MAILROOM_TESTS_IMAP_SESSION_FIXTURE_H_
#define MAILROOM_TESTS_IMAP_SESSION_FIXTURE_H_

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "protocols/imap/session.h"
#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/imap/fake_host.h"

namespace mailroom::imap {

using testing::FakeAuthenticator;
using testing::FakeConnection;

inline constexpr char kLogin[] = "a0 LOGIN alice secret\r\n";
inline constexpr char kMessage[] =
    "From: Bob <bob@example.com>\r\nTo: alice@example.com\r\n"
    "Subject: Hello there\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\n"
    "\r\nBody text with a needle.\r\n";

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat("imap_session_test_", getpid(), "_",
                        ::testing::UnitTest::GetInstance()->random_seed(), "_",
                        counter_++);
    std::filesystem::remove_all(dir_);
    store::StoreOptions options;
    options.data_dir = dir_.string();
    options.sync_writes = false;
    options.password_iterations = 1000;
    auto s = store::OpenStore(options);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->CreateUser("alice", "secret").ok());
    auth_ = std::make_unique<FakeAuthenticator>(store_.get());
    config_.max_line_bytes = 1000;
    config_.max_literal_bytes = 10000;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  store::Uid Append(std::string_view data, std::string_view mailbox = "INBOX",
                    uint32_t flags = 0) {
    store::AppendRequest r;
    r.data = data;
    r.flags.system = flags;
    auto result = store_->Append(alice_, mailbox, {r});
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? result->uids[0] : 0;
  }

  // Runs a session to its end and returns its output lines.
  std::vector<std::string> Run(FakeConnection& conn, std::string_view input) {
    conn.AddInput(input);
    plugin::SessionContext context;
    context.connection = &conn;
    context.store = store_.get();
    context.auth = auth_.get();
    context.config = &config_;
    plugin::Spawn(RunSession(&context));
    std::vector<std::string> lines = absl::StrSplit(conn.output(), "\r\n");
    if (!lines.empty() && lines.back().empty()) lines.pop_back();
    return lines;
  }
  std::vector<std::string> Run(std::string_view input) {
    return Run(conn_, input);
  }

  // The line starting with `prefix`, or "" if none.
  static std::string Find(const std::vector<std::string>& lines,
                          absl::string_view prefix) {
    for (const auto& l : lines) {
      if (absl::StartsWith(l, prefix)) return l;
    }
    return "";
  }
  static int IndexOf(const std::vector<std::string>& lines,
                     absl::string_view prefix) {
    for (size_t i = 0; i < lines.size(); ++i) {
      if (absl::StartsWith(lines[i], prefix)) return static_cast<int>(i);
    }
    return -1;
  }

  static inline int counter_ = 0;
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<FakeAuthenticator> auth_;
  plugin::Config config_;
  FakeConnection conn_;
  store::Principal alice_ = store::PrincipalIssuer::User("alice");
};

}  // namespace mailroom::imap

#endif  // MAILROOM_TESTS_IMAP_SESSION_FIXTURE_H_
