// Sieve scripts and delivery-time marks in the store: names, rights,
// limits, compile errors, the one active script, what renaming, deleting
// and account removal do, the active-script cache, and marks' expiry and
// atomic test-and-set.
#include <atomic>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "absl/strings/match.h"
#include "store/backup.h"
#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/store/store_fixture.h"

namespace mailroom::store {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kKeep[] = "keep;\n";
constexpr char kFileInto[] =
    "require \"fileinto\";\nif header :contains \"subject\" \"x\" {\n"
    "  fileinto \"Junk\";\n}\n";

class SieveScriptsTest : public testing::StoreFixture {
 protected:
  SieveScriptsTest() : StoreFixture("sieve") {}

  std::vector<SieveScriptInfo> List(const Principal& who,
                                    std::string_view owner) {
    auto list = store_->ListSieveScripts(who, owner);
    EXPECT_TRUE(list.ok()) << list.status();
    return list.ok() ? *list : std::vector<SieveScriptInfo>{};
  }
  std::optional<SieveScript> Active(std::string_view owner) {
    auto active = store_->GetActiveSieveScript(admin_, owner);
    EXPECT_TRUE(active.ok()) << active.status();
    return active.ok() ? *active : std::nullopt;
  }
};

TEST_F(SieveScriptsTest, PutListGetActivate) {
  EXPECT_THAT(List(alice_, "alice"), IsEmpty());
  EXPECT_EQ(Active("alice"), std::nullopt);
  ASSERT_TRUE(store_->PutSieveScript(alice_, "alice", "main", kFileInto).ok());
  ASSERT_TRUE(store_->PutSieveScript(alice_, "alice", "b", kKeep).ok());
  EXPECT_THAT(List(alice_, "alice"),
              ElementsAre(SieveScriptInfo{"b", 6, false},
                          SieveScriptInfo{"main", sizeof(kFileInto) - 1,
                                          false}));
  EXPECT_EQ(store_->GetSieveScript(alice_, "alice", "main").value(),
            kFileInto);
  EXPECT_EQ(store_->GetSieveScript(alice_, "alice", "none").status().code(),
            absl::StatusCode::kNotFound);

  ASSERT_TRUE(store_->ActivateSieveScript(alice_, "alice", "main").ok());
  std::optional<SieveScript> active = Active("alice");
  ASSERT_TRUE(active.has_value());
  EXPECT_EQ(active->name, "main");
  EXPECT_EQ(active->source, kFileInto);
  EXPECT_TRUE(List(alice_, "alice")[1].active);
  // One active script: activating another moves the mark.
  ASSERT_TRUE(store_->ActivateSieveScript(alice_, "alice", "b").ok());
  EXPECT_EQ(Active("alice")->name, "b");
  EXPECT_FALSE(List(alice_, "alice")[1].active);
  // Replacing the active script's source keeps it active, and the delivery
  // path sees the new source at once.
  ASSERT_TRUE(store_->PutSieveScript(alice_, "alice", "b", "discard;").ok());
  EXPECT_EQ(Active("alice")->source, "discard;");
  EXPECT_EQ(store_->ActivateSieveScript(alice_, "alice", "nope").code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Active("alice")->name, "b");
  ASSERT_TRUE(store_->ActivateSieveScript(alice_, "alice", "").ok());
  EXPECT_EQ(Active("alice"), std::nullopt);
  EXPECT_EQ(Active("bob"), std::nullopt);
}

TEST_F(SieveScriptsTest, CompileErrorsNameLineAndColumn) {
  absl::Status s =
      store_->PutSieveScript(alice_, "alice", "bad", "keep;\nfrobnicate;\n");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(s.message(), "2:1:")) << s;
  EXPECT_THAT(List(alice_, "alice"), IsEmpty());
  // A refused replacement keeps the old script.
  ASSERT_TRUE(store_->PutSieveScript(alice_, "alice", "s", kKeep).ok());
  EXPECT_FALSE(store_->PutSieveScript(alice_, "alice", "s", "if {").ok());
  EXPECT_EQ(store_->GetSieveScript(alice_, "alice", "s").value(), kKeep);
}

TEST_F(SieveScriptsTest, Names) {
  for (std::string bad : {std::string(), std::string("a/b"),
                          std::string("tab\there"), std::string("\xc2\x85"),
                          std::string("\xe2\x80\xa8"), std::string("\xff"),
                          std::string(129, 'x')}) {
    EXPECT_EQ(store_->PutSieveScript(alice_, "alice", bad, kKeep).code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  // 128 characters, not bytes.
  std::string long_name;
  for (int i = 0; i < 128; ++i) long_name += "\xc3\xa9";
  EXPECT_TRUE(store_->PutSieveScript(alice_, "alice", long_name, kKeep).ok());
  // Exact comparison.
  ASSERT_TRUE(store_->PutSieveScript(alice_, "alice", "Main", kKeep).ok());
  EXPECT_EQ(store_->GetSieveScript(alice_, "alice", "main").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(SieveScriptsTest, Limits) {
  options_.sieve_max_script_bytes = 100;
  options_.sieve_max_scripts = 2;
  Reopen();
  absl::Status s = store_->PutSieveScript(alice_, "alice", "big",
                                          "keep;" + std::string(100, ' '));
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(absl::StartsWith(s.message(), "QUOTA/MAXSIZE")) << s;
  EXPECT_TRUE(absl::StartsWith(
      store_->CheckSieveSpace(alice_, "alice", "x", 101).message(),
      "QUOTA/MAXSIZE"));
  EXPECT_TRUE(store_->CheckSieveSpace(alice_, "alice", "x", 100).ok());
  ASSERT_TRUE(store_->PutSieveScript(alice_, "alice", "one", kKeep).ok());
  ASSERT_TRUE(store_->PutSieveScript(alice_, "alice", "two", kKeep).ok());
  s = store_->PutSieveScript(alice_, "alice", "three", kKeep);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(absl::StartsWith(s.message(), "QUOTA/MAXSCRIPTS")) << s;
  EXPECT_TRUE(absl::StartsWith(
      store_->CheckSieveSpace(alice_, "alice", "three", 5).message(),
      "QUOTA/MAXSCRIPTS"));
  // Replacing an existing one does not add a script.
  EXPECT_TRUE(store_->CheckSieveSpace(alice_, "alice", "two", 5).ok());
  EXPECT_TRUE(store_->PutSieveScript(alice_, "alice", "two", "stop;").ok());
  // Limits are per owner.
  EXPECT_TRUE(store_->PutSieveScript(bob_, "bob", "three", kKeep).ok());
}

TEST_F(SieveScriptsTest, Rights) {
  ASSERT_TRUE(store_->PutSieveScript(alice_, "alice", "main", kKeep).ok());
  // Another user's scripts look missing.
  EXPECT_EQ(store_->ListSieveScripts(bob_, "alice").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetSieveScript(bob_, "alice", "main").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetActiveSieveScript(bob_, "alice").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->PutSieveScript(bob_, "alice", "x", kKeep).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->ActivateSieveScript(bob_, "alice", "main").code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->DeleteSieveScript(bob_, "alice", "main").code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->RenameSieveScript(bob_, "alice", "main", "x").code(),
            absl::StatusCode::kNotFound);
  // Case of the owner name does not matter; the admin reaches everyone.
  EXPECT_EQ(List(alice_, "ALICE").size(), 1u);
  EXPECT_EQ(List(admin_, "alice").size(), 1u);
  EXPECT_EQ(store_->ListSieveScripts(admin_, "nobody").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->PutSieveScript(admin_, "nobody", "x", kKeep).code(),
            absl::StatusCode::kNotFound);

  // Global scripts: admins write them, users may read them.
  EXPECT_EQ(store_->PutSieveScript(alice_, "", "before", kKeep).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(store_->PutSieveScript(admin_, "", "before", kKeep).ok());
  EXPECT_EQ(store_->GetSieveScript(alice_, "", "before").value(), kKeep);
  EXPECT_EQ(store_->DeleteSieveScript(alice_, "", "before").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(store_->ActivateSieveScript(admin_, "", "before").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Active(""), std::nullopt);
  EXPECT_EQ(List(admin_, "").size(), 1u);

  // Marks are delivery's.
  EXPECT_EQ(store_->HasSieveMark(alice_, "alice", "k", 1).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(store_->TestAndSetSieveMark(alice_, "alice", "k", 1, 2, false)
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(SieveScriptsTest, DeleteAndRename) {
  ASSERT_TRUE(store_->PutSieveScript(alice_, "alice", "a", kKeep).ok());
  ASSERT_TRUE(store_->PutSieveScript(alice_, "alice", "b", kKeep).ok());
  ASSERT_TRUE(store_->ActivateSieveScript(alice_, "alice", "a").ok());
  absl::Status s = store_->DeleteSieveScript(alice_, "alice", "a");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StartsWith(s.message(), "ACTIVE")) << s;
  EXPECT_EQ(store_->DeleteSieveScript(alice_, "alice", "zz").code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->RenameSieveScript(alice_, "alice", "a", "b").code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->RenameSieveScript(alice_, "alice", "zz", "y").code(),
            absl::StatusCode::kNotFound);
  // Renaming keeps the active mark.
  ASSERT_TRUE(store_->RenameSieveScript(alice_, "alice", "a", "c").ok());
  EXPECT_EQ(Active("alice")->name, "c");
  EXPECT_THAT(List(alice_, "alice"),
              ElementsAre(SieveScriptInfo{"b", 6, false},
                          SieveScriptInfo{"c", 6, true}));
  ASSERT_TRUE(store_->DeleteSieveScript(alice_, "alice", "b").ok());
  ASSERT_TRUE(store_->ActivateSieveScript(alice_, "alice", "").ok());
  ASSERT_TRUE(store_->DeleteSieveScript(alice_, "alice", "c").ok());
  EXPECT_THAT(List(alice_, "alice"), IsEmpty());
}

TEST_F(SieveScriptsTest, DeleteUserDropsScriptsAndMarks) {
  ASSERT_TRUE(store_->PutSieveScript(alice_, "alice", "a", kKeep).ok());
  ASSERT_TRUE(store_->ActivateSieveScript(alice_, "alice", "a").ok());
  ASSERT_TRUE(Active("alice").has_value());
  ASSERT_FALSE(
      store_->TestAndSetSieveMark(admin_, "alice", "k", 100, 200, false)
          .value());
  ASSERT_TRUE(store_->DeleteUser("alice").ok());
  ASSERT_TRUE(store_->CreateUser("alice", "pw").ok());
  EXPECT_THAT(List(alice_, "alice"), IsEmpty());
  EXPECT_EQ(Active("alice"), std::nullopt);
  EXPECT_FALSE(store_->HasSieveMark(admin_, "alice", "k", 100).value());
}

TEST_F(SieveScriptsTest, MarksExpire) {
  EXPECT_FALSE(store_->HasSieveMark(admin_, "alice", "k", 100).value());
  EXPECT_FALSE(
      store_->TestAndSetSieveMark(admin_, "alice", "k", 100, 200, false)
          .value());
  EXPECT_TRUE(store_->HasSieveMark(admin_, "alice", "k", 150).value());
  EXPECT_FALSE(store_->HasSieveMark(admin_, "bob", "k", 150).value());
  EXPECT_FALSE(store_->HasSieveMark(admin_, "alice", "other", 150).value());
  // Without `extend` the first expiry stays.
  EXPECT_TRUE(
      store_->TestAndSetSieveMark(admin_, "alice", "k", 150, 400, false)
          .value());
  EXPECT_FALSE(store_->HasSieveMark(admin_, "alice", "k", 200).value());
  // Expired: marked anew.
  EXPECT_FALSE(
      store_->TestAndSetSieveMark(admin_, "alice", "k", 250, 300, false)
          .value());
  // With `extend` the expiry moves.
  EXPECT_TRUE(
      store_->TestAndSetSieveMark(admin_, "alice", "k", 260, 500, true)
          .value());
  EXPECT_TRUE(store_->HasSieveMark(admin_, "alice", "k", 450).value());
  // Long keys are fine.
  const std::string long_key(100000, 'k');
  EXPECT_FALSE(store_->TestAndSetSieveMark(admin_, "alice", long_key, 1, 9,
                                           false)
                   .value());
  EXPECT_TRUE(store_->HasSieveMark(admin_, "alice", long_key, 1).value());
}

TEST_F(SieveScriptsTest, TestAndSetIsAtomic) {
  constexpr int kThreads = 8;
  for (int round = 0; round < 5; ++round) {
    std::atomic<int> first{0}, failed{0};
    std::vector<std::thread> threads;
    const std::string key = "dup-" + std::to_string(round);
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&] {
        auto r = store_->TestAndSetSieveMark(admin_, "alice", key, 100, 1000,
                                             false);
        if (!r.ok()) {
          ++failed;
        } else if (!*r) {
          ++first;
        }
      });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(first.load(), 1);
  }
}

TEST_F(SieveScriptsTest, ScriptCountHoldsUnderConcurrentPuts) {
  options_.sieve_max_scripts = 3;
  Reopen();
  std::vector<std::thread> threads;
  std::atomic<int> stored{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      if (store_->PutSieveScript(alice_, "alice", "s" + std::to_string(i),
                                 kKeep)
              .ok()) {
        ++stored;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(stored.load(), 3);
  EXPECT_EQ(List(alice_, "alice").size(), 3u);
}

// Another node of a shared store (RADOS) changes the active script: this
// node's cached answer must not outlive the change.
TEST_F(SieveScriptsTest, OtherNodesWritesAreSeen) {
  if (!testing::TestOnRados()) GTEST_SKIP() << "one node on RocksDB";
  std::unique_ptr<Store> other = OpenStore(options_).value();
  ASSERT_TRUE(store_->PutSieveScript(alice_, "alice", "a", kKeep).ok());
  ASSERT_TRUE(store_->ActivateSieveScript(alice_, "alice", "a").ok());
  EXPECT_EQ(Active("alice")->source, kKeep);
  ASSERT_TRUE(other->PutSieveScript(alice_, "alice", "a", "stop;").ok());
  EXPECT_EQ(Active("alice")->source, "stop;");
  ASSERT_TRUE(other->ActivateSieveScript(alice_, "alice", "").ok());
  EXPECT_EQ(Active("alice"), std::nullopt);
}

TEST_F(SieveScriptsTest, BackupCarriesScriptsMarksAndTheActiveOne) {
  if (testing::TestOnRados()) GTEST_SKIP() << "no online backup on RADOS";
  ASSERT_TRUE(store_->PutSieveScript(alice_, "alice", "a", kKeep).ok());
  ASSERT_TRUE(store_->PutSieveScript(alice_, "alice", "b", kFileInto).ok());
  ASSERT_TRUE(store_->ActivateSieveScript(alice_, "alice", "b").ok());
  ASSERT_TRUE(store_->PutSieveScript(admin_, "", "before", kKeep).ok());
  ASSERT_FALSE(
      store_->TestAndSetSieveMark(admin_, "alice", "k", 100, 200, false)
          .value());
  const std::string backups = testing::FreshDir("sieve-backups") + "/set";
  ASSERT_TRUE(store_->CreateBackup(backups, nullptr).ok());
  const std::string restored = testing::FreshDir("sieve-restored") + "/data";
  ASSERT_TRUE(RestoreBackup({.backup_dir = backups,
                             .data_dir = restored,
                             .index_dir = restored + "/index"})
                  .ok());
  std::unique_ptr<Store> copy =
      OpenStore(testing::TestOptions(restored)).value();
  auto list = copy->ListSieveScripts(alice_, "alice");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_THAT(*list, ElementsAre(SieveScriptInfo{"a", 6, false},
                                 SieveScriptInfo{"b", sizeof(kFileInto) - 1,
                                                 true}));
  auto active = copy->GetActiveSieveScript(admin_, "alice");
  ASSERT_TRUE(active.ok() && active->has_value());
  EXPECT_EQ((*active)->source, kFileInto);
  EXPECT_EQ(copy->GetSieveScript(admin_, "", "before").value(), kKeep);
  EXPECT_TRUE(copy->HasSieveMark(admin_, "alice", "k", 150).value());
}

TEST_F(SieveScriptsTest, VerifyRepairsOrphansAndSweepsExpiredMarks) {
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(store_
                    ->TestAndSetSieveMark(admin_, "bob",
                                          "m" + std::to_string(i), 10, 20,
                                          false)
                    .ok());
  }
  // Without repair expired marks are no problem; repair sweeps them.
  auto report = store_->Verify("", /*repair=*/false, nullptr);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(report->problems, IsEmpty());
  report = store_->Verify("", /*repair=*/true, nullptr);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->problems.size(), 1u);
  EXPECT_EQ(report->problems[0].user, "bob");
  EXPECT_EQ(report->problems[0].repair, "swept 40");
  report = store_->Verify("", /*repair=*/true, nullptr);
  EXPECT_THAT(report->problems, IsEmpty());
}

TEST_F(SieveScriptsTest, WritesSweepExpiredMarks) {
  // 40 marks expire; each later write of the owner sweeps a batch, so three
  // writes leave none for repair to find.
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(store_
                    ->TestAndSetSieveMark(admin_, "bob",
                                          "m" + std::to_string(i), 10, 20,
                                          false)
                    .ok());
  }
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_
                    ->TestAndSetSieveMark(admin_, "bob",
                                          "n" + std::to_string(i), 30,
                                          int64_t{1} << 40, false)
                    .ok());
  }
  auto report = store_->Verify("", /*repair=*/true, nullptr);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(report->problems, IsEmpty());
  EXPECT_TRUE(store_->HasSieveMark(admin_, "bob", "n1", 40).value());
}

}  // namespace
}  // namespace mailroom::store
