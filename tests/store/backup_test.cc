// Online backup of the embedded store with its Xapian index: incremental
// backups, restores of each backup point into new directories with exact
// contents and an index that answers exactly without a reindex, and the
// fallback when a backup's index copy is missing.
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/xapian_index.h"
#include "store/backup.h"
#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/store/store_test_util.h"

namespace mailroom::store {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

// Bodies above 4 KiB go to uncompressed blob files: filler makes the
// store's part of a backup clearly larger than the index copy, so
// incremental savings show.
std::string Body(int n) {
  std::string body = "common token" + std::to_string(n) + "x\r\n";
  for (int i = 0; i < 160; ++i) body += "filler line of a stored message\r\n";
  return body;
}

struct Opened {
  std::shared_ptr<TextIndex> index;
  std::unique_ptr<Store> store;
};

Opened OpenWithIndex(const std::string& data_dir) {
  Opened opened;
  opened.index = index::OpenXapianIndex(data_dir + "/index").value();
  StoreOptions options = testing::TestOptions(data_dir);
  options.text_index = opened.index;
  opened.store = OpenStore(options).value();
  return opened;
}

SearchKey BodyKey(const std::string& text) {
  SearchKey key;
  key.kind = SearchKey::Kind::kBody;
  key.value = text;
  return key;
}

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    live_dir_ = testing::FreshDir("live");
    backup_dir_ = testing::FreshDir("backups") + "/set";
    live_ = OpenWithIndex(live_dir_);
    ASSERT_TRUE(live_.store->CreateUser("alice", "pw").ok());
    inbox_ = live_.store->GetStatus(alice_, "INBOX")->id;
  }

  // Appends messages n in [from, to); remembers uid -> n.
  void Append(int from, int to) {
    for (int n = from; n < to; ++n) {
      std::string data = testing::MakeMessage("m" + std::to_string(n), Body(n));
      auto r = live_.store->Append(alice_, "INBOX", {AppendRequest{.data = data}});
      ASSERT_TRUE(r.ok()) << r.status();
      present_[r->uids[0]] = n;
      data_[n] = data;
    }
  }

  void ExpungeUids(const std::vector<Uid>& uids) {
    ExpungeRequest request;
    request.only_deleted = false;
    request.uids = uids;
    ASSERT_TRUE(live_.store->Expunge(alice_, inbox_, request).ok());
    for (Uid uid : uids) present_.erase(uid);
  }

  // The restored store in `dir` holds exactly `expected` (uid -> n), its
  // index answers exactly once caught up, and search agrees.
  void ExpectRestored(const std::string& dir,
                      const std::map<Uid, int>& expected) {
    Opened restored = OpenWithIndex(dir);
    Store& store = *restored.store;
    EXPECT_TRUE(store.CheckConsistency().ok());
    auto snapshot = store.OpenMailbox(alice_, "INBOX");
    ASSERT_TRUE(snapshot.ok()) << snapshot.status();
    std::vector<Uid> uids;
    for (const MessageMeta& m : snapshot->messages) uids.push_back(m.uid);
    std::vector<Uid> want;
    for (const auto& [uid, n] : expected) want.push_back(uid);
    EXPECT_EQ(uids, want);
    for (const auto& [uid, n] : expected) {
      auto body = store.ReadMessage(alice_, inbox_, uid);
      ASSERT_TRUE(body.ok()) << body.status();
      EXPECT_EQ(**body, data_.at(n));
    }
    ASSERT_TRUE(store.CatchUpIndex().ok());
    // The index itself (not a scan) must be exact: every present message
    // found by its own token, no expunged one found.
    auto all = restored.index->Query("alice", inbox_, BodyKey("common"));
    ASSERT_TRUE(all.ok()) << all.status();
    EXPECT_EQ(*all, want);
    for (const auto& [n, data] : data_) {
      auto found = restored.index->Query(
          "alice", inbox_, BodyKey("token" + std::to_string(n) + "x"));
      ASSERT_TRUE(found.ok()) << found.status();
      std::vector<Uid> expect_one;
      for (const auto& [uid, m] : expected) {
        if (m == n) expect_one.push_back(uid);
      }
      EXPECT_EQ(*found, expect_one) << "token" << n;
      auto searched = store.Search(alice_, inbox_,
                                   BodyKey("token" + std::to_string(n) + "x"));
      ASSERT_TRUE(searched.ok());
      EXPECT_EQ(*searched, expect_one);
    }
  }

  const Principal alice_ = PrincipalIssuer::User("alice");
  std::string live_dir_, backup_dir_;
  Opened live_;
  MailboxId inbox_ = 0;
  std::map<Uid, int> present_;
  std::map<int, std::string> data_;
};

TEST_F(BackupTest, IncrementalBackupsRestoreExactlyWithTheirIndex) {
  Append(0, 40);
  // Part indexed, part still queued: the backup must carry both halves.
  ASSERT_TRUE(live_.store->CatchUpIndex().ok());
  Append(40, 60);
  auto first = live_.store->CreateBackup(backup_dir_, nullptr);
  ASSERT_TRUE(first.ok()) << first.status();
  const std::map<Uid, int> at_first = present_;

  Append(60, 70);
  ExpungeUids({present_.begin()->first, std::next(present_.begin(), 45)->first,
               std::prev(present_.end())->first});
  auto second = live_.store->CreateBackup(backup_dir_, nullptr);
  ASSERT_TRUE(second.ok()) << second.status();
  const std::map<Uid, int> at_second = present_;
  // Mail after the backup is not in it.
  Append(70, 72);

  EXPECT_EQ(first->id, 1u);
  EXPECT_EQ(second->id, 2u);
  EXPECT_GT(first->new_bytes, 0u);
  EXPECT_LT(second->new_bytes, first->new_bytes);
  EXPECT_GT(second->bytes, second->new_bytes);  // shares files with backup 1

  auto listed = ListBackups(backup_dir_);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].info.id, 1u);
  EXPECT_TRUE((*listed)[0].has_index);
  EXPECT_TRUE((*listed)[1].has_index);

  // Backup files are private.
  for (const auto& entry : fs::recursive_directory_iterator(backup_dir_)) {
    const fs::perms perms = entry.status().permissions();
    EXPECT_EQ(perms & (fs::perms::group_all | fs::perms::others_all),
              fs::perms::none)
        << entry.path();
  }

  const std::string r1 = testing::FreshDir("r1") + "/data";
  auto restored1 = RestoreBackup({.backup_dir = backup_dir_, .id = 1,
                                  .data_dir = r1, .index_dir = r1 + "/index"});
  ASSERT_TRUE(restored1.ok()) << restored1.status();
  EXPECT_TRUE(restored1->index_restored);
  const std::string r2 = testing::FreshDir("r2");  // empty and existing
  auto restored2 = RestoreBackup(
      {.backup_dir = backup_dir_, .data_dir = r2, .index_dir = r2 + "/index"});
  ASSERT_TRUE(restored2.ok()) << restored2.status();
  EXPECT_EQ(restored2->id, 2u);

  ExpectRestored(r1, at_first);
  ExpectRestored(r2, at_second);
}

TEST_F(BackupTest, AnUnchangedOwnersIndexIsLinkedNotCopiedAgain) {
  ASSERT_TRUE(live_.store->CreateUser("bob", "pw").ok());
  const Principal bob = PrincipalIssuer::User("bob");
  std::string data = testing::MakeMessage("for bob", Body(1000));
  ASSERT_TRUE(live_.store->Append(bob, "INBOX", {AppendRequest{.data = data}}).ok());
  Append(0, 5);
  ASSERT_TRUE(live_.store->CatchUpIndex().ok());
  ASSERT_TRUE(live_.store->CreateBackup(backup_dir_, nullptr).ok());
  Append(5, 8);  // alice changes, bob does not
  ASSERT_TRUE(live_.store->CatchUpIndex().ok());
  auto second = live_.store->CreateBackup(backup_dir_, nullptr);
  ASSERT_TRUE(second.ok()) << second.status();

  auto links = [&](const std::string& owner) {
    fs::path file = fs::path(backup_dir_) / "mailroom_index" / "2" / owner /
                    "iamglass";
    return fs::hard_link_count(file);
  };
  EXPECT_EQ(links("bob"), 2u);
  EXPECT_EQ(links("alice"), 1u);

  const std::string target = testing::FreshDir("linked");
  ASSERT_TRUE(RestoreBackup({.backup_dir = backup_dir_, .data_dir = target,
                             .index_dir = target + "/index"})
                  .ok());
  {
    Opened restored = OpenWithIndex(target);
    ASSERT_TRUE(restored.store->CatchUpIndex().ok());
    const MailboxId bob_inbox = restored.store->GetStatus(bob, "INBOX")->id;
    auto found =
        restored.index->Query("bob", bob_inbox, BodyKey("token1000x"));
    ASSERT_TRUE(found.ok()) << found.status();
    EXPECT_EQ(found->size(), 1u);
  }
  ExpectRestored(target, present_);
}

TEST_F(BackupTest, RestoreRefusesANonEmptyTargetAndUnknownIds) {
  Append(0, 3);
  ASSERT_TRUE(live_.store->CreateBackup(backup_dir_, nullptr).ok());
  auto into_live = RestoreBackup({.backup_dir = backup_dir_,
                                  .data_dir = live_dir_,
                                  .index_dir = live_dir_ + "/index"});
  EXPECT_EQ(into_live.status().code(), absl::StatusCode::kFailedPrecondition);
  const std::string target = testing::FreshDir("target");
  auto unknown = RestoreBackup({.backup_dir = backup_dir_, .id = 9,
                                .data_dir = target,
                                .index_dir = target + "/index"});
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ListBackups(testing::FreshDir("none")).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(BackupTest, ABackupWithoutItsIndexCopyRestoresAndReindexes) {
  Append(0, 20);
  ASSERT_TRUE(live_.store->CatchUpIndex().ok());
  ExpungeUids({present_.begin()->first});
  ASSERT_TRUE(live_.store->CreateBackup(backup_dir_, nullptr).ok());
  fs::remove_all(backup_dir_ + "/mailroom_index/1");
  auto listed = ListBackups(backup_dir_);
  ASSERT_TRUE(listed.ok());
  EXPECT_FALSE((*listed)[0].has_index);

  const std::string target = testing::FreshDir("noindex");
  auto restored = RestoreBackup({.backup_dir = backup_dir_,
                                 .data_dir = target,
                                 .index_dir = target + "/index"});
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_FALSE(restored->index_restored);
  ExpectRestored(target, present_);
}

TEST_F(BackupTest, ADamagedBackupIsRefused) {
  Append(0, 5);
  ASSERT_TRUE(live_.store->CreateBackup(backup_dir_, nullptr).ok());
  // Flip a byte of a shared table file: checksums catch it before restore.
  bool damaged = false;
  for (const auto& entry : fs::recursive_directory_iterator(backup_dir_)) {
    if (entry.path().extension() == ".sst" && !damaged) {
      std::fstream f(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(10);
      f.put('\x5a');
      damaged = true;
    }
  }
  ASSERT_TRUE(damaged);
  const std::string target = testing::FreshDir("damaged");
  auto restored = RestoreBackup({.backup_dir = backup_dir_,
                                 .data_dir = target,
                                 .index_dir = target + "/index"});
  EXPECT_EQ(restored.status().code(), absl::StatusCode::kDataLoss)
      << restored.status();
}

}  // namespace
}  // namespace mailroom::store
