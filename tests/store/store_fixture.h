// The common fixture of the store tests: a fresh store in its own folder
// (on the engine the test target names), users alice and bob, and a
// consistency check after every test.
#ifndef MAILROOM_TESTS_STORE_STORE_FIXTURE_H_
#define MAILROOM_TESTS_STORE_STORE_FIXTURE_H_

#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/store/store_test_util.h"

namespace mailroom::store::testing {

class StoreFixture : public ::testing::Test {
 protected:
  // `tag` names the folder, so a failing test's data is easy to find.
  explicit StoreFixture(std::string tag) : tag_(std::move(tag)) {}

  void SetUp() override {
    dir_ = FreshDir(tag_);
    options_ = TestOptions(dir_);
    Reopen();
    for (const char* user : {"alice", "bob"}) {
      ASSERT_TRUE(store_->CreateUser(user, "pw").ok());
    }
  }

  void TearDown() override {
    if (store_ == nullptr) return;
    absl::Status check = store_->CheckConsistency();
    EXPECT_TRUE(check.ok()) << check;
  }

  // Closes the store and opens it again with `options_`, as a restart does.
  void Reopen() {
    store_.reset();
    absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(options_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // Creates `name` as the admin, shares it with alice and bob (lrswipte)
  // and fills it with `count` messages appended by `by`; returns its id.
  MailboxId MakeSharedMailbox(std::string_view name, const Principal& by,
                              int count) {
    EXPECT_TRUE(store_->CreateMailbox(admin_, name).ok());
    EXPECT_TRUE(store_->SetAcl(admin_, name, "alice", "lrswipte").ok());
    EXPECT_TRUE(store_->SetAcl(admin_, name, "bob", "lrswipte").ok());
    for (int i = 1; i <= count; ++i) {
      const std::string data =
          MakeMessage("m" + std::to_string(i), "ticket body");
      EXPECT_TRUE(store_->Append(by, name, {{.data = data}}).ok());
    }
    absl::StatusOr<MailboxStatus> status = store_->GetStatus(alice_, name);
    EXPECT_TRUE(status.ok()) << status.status();
    return status.ok() ? status->id : 0;
  }

  const std::string tag_;
  std::string dir_;
  StoreOptions options_;
  std::unique_ptr<Store> store_;
  const Principal alice_ = PrincipalIssuer::User("alice");
  const Principal bob_ = PrincipalIssuer::User("bob");
  const Principal admin_ = PrincipalIssuer::Admin();
};

}  // namespace mailroom::store::testing

#endif  // MAILROOM_TESTS_STORE_STORE_FIXTURE_H_
