// Annotations (RFC 5464) in the store: names, scopes, DEPTH and MAXSIZE,
// rights, limits, what RENAME, DELETE and account removal do to them,
// change events, and that a backup carries them.
#include <filesystem>
#include <map>
#include <mutex>

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

using Values = std::map<std::string, std::string>;

class MetadataTest : public testing::StoreFixture {
 protected:
  MetadataTest() : StoreFixture("md") {}

  absl::Status Set(const Principal& who, std::string_view mailbox,
                   std::vector<MetadataEntry> entries) {
    return store_->SetMetadata(who, mailbox, entries);
  }
  absl::StatusOr<Values> Get(const Principal& who, std::string_view mailbox,
                             std::vector<std::string> entries,
                             MetadataDepth depth = MetadataDepth::kZero,
                             std::optional<uint64_t> max_size = std::nullopt,
                             uint64_t* longest = nullptr) {
    auto r = store_->GetMetadata(
        who, mailbox, {.entries = entries, .depth = depth, .max_size = max_size});
    if (!r.ok()) return r.status();
    if (longest != nullptr) *longest = r->longest_omitted;
    Values out;
    for (const MetadataEntry& e : r->entries) out[e.name] = e.value.value();
    return out;
  }
};

TEST_F(MetadataTest, SharedAndPrivateMailboxEntries) {
  ASSERT_TRUE(Set(alice_, "INBOX",
                  {{"/private/comment", "My own comment"},
                   {"/Shared/Comment", "Shared comment"}})
                  .ok());
  EXPECT_EQ(*Get(alice_, "INBOX", {"/shared/comment", "/PRIVATE/comment"}),
            (Values{{"/private/comment", "My own comment"},
                    {"/shared/comment", "Shared comment"}}));
  // Another mailbox has none; NIL deletes.
  EXPECT_THAT(*Get(alice_, "Sent", {"/shared/comment"}), IsEmpty());
  ASSERT_TRUE(Set(alice_, "INBOX", {{"/private/comment", std::nullopt}}).ok());
  EXPECT_EQ(*Get(alice_, "INBOX", {"/shared/comment", "/private/comment"}),
            (Values{{"/shared/comment", "Shared comment"}}));
  // Deleting what is absent is not an error.
  EXPECT_TRUE(Set(alice_, "INBOX", {{"/private/none", std::nullopt}}).ok());
}

TEST_F(MetadataTest, ValuesAreBinarySafe) {
  const std::string value("a\0b\r\nc\xff", 7);
  ASSERT_TRUE(Set(alice_, "INBOX", {{"/shared/blob", value}}).ok());
  EXPECT_EQ(Get(alice_, "INBOX", {"/shared/blob"})->at("/shared/blob"), value);
  ASSERT_TRUE(Set(alice_, "INBOX", {{"/shared/empty", ""}}).ok());
  EXPECT_EQ(Get(alice_, "INBOX", {"/shared/empty"})->count("/shared/empty"),
            1u);
}

TEST_F(MetadataTest, InvalidNamesAreRefused) {
  for (const char* bad : {"/comment", "/shared/a*", "/shared//x", "/shared/x/",
                          "/shared", "/shared/\x7f"}) {
    EXPECT_EQ(Set(alice_, "INBOX", {{bad, "v"}}).code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(Get(alice_, "INBOX", {"/shared/%"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(MetadataTest, DepthAndMaxSize) {
  ASSERT_TRUE(Set(alice_, "INBOX",
                  {{"/private/filters/values/small", "SMALLER 5000"},
                   {"/private/filters/values/boss", "FROM \"boss\""},
                   {"/private/filters/values/boss/deep", "x"},
                   {"/private/filtersx", "not below"}})
                  .ok());
  EXPECT_THAT(*Get(alice_, "INBOX", {"/private/filters/values"}), IsEmpty());
  EXPECT_EQ(*Get(alice_, "INBOX", {"/private/filters/values"},
                 MetadataDepth::kOne),
            (Values{{"/private/filters/values/boss", "FROM \"boss\""},
                    {"/private/filters/values/small", "SMALLER 5000"}}));
  EXPECT_EQ(Get(alice_, "INBOX", {"/private/filters"},
                MetadataDepth::kInfinity)
                ->size(),
            3u);
  // The bare scope lists everything below it.
  EXPECT_EQ(Get(alice_, "INBOX", {"/private"}, MetadataDepth::kInfinity)->size(),
            4u);
  uint64_t longest = 0;
  EXPECT_EQ(*Get(alice_, "INBOX", {"/private/filters/values"},
                 MetadataDepth::kOne, 5, &longest),
            Values{});
  EXPECT_EQ(longest, 12u);
  // "FROM \"boss\"" is 11 bytes: kept at 11, "SMALLER 5000" (12) is not.
  EXPECT_EQ(*Get(alice_, "INBOX", {"/private/filters/values"},
                 MetadataDepth::kOne, 11, &longest),
            (Values{{"/private/filters/values/boss", "FROM \"boss\""}}));
  EXPECT_EQ(longest, 12u);
  EXPECT_EQ(Get(alice_, "INBOX", {"/private/filters/values"},
                MetadataDepth::kOne, 12, &longest)
                ->size(),
            2u);
  EXPECT_EQ(longest, 0u);
}

TEST_F(MetadataTest, PrivateEntriesAreEachUsersOwn) {
  ASSERT_TRUE(store_->SetAcl(alice_, "INBOX", "bob", "lr").ok());
  ASSERT_TRUE(Set(alice_, "INBOX", {{"/private/comment", "alice's"},
                                    {"/shared/comment", "for all"}})
                  .ok());
  ASSERT_TRUE(Set(bob_, "Other Users/alice/INBOX",
                  {{"/private/comment", "bob's"}})
                  .ok());
  EXPECT_EQ(*Get(bob_, "Other Users/alice/INBOX",
                 {"/private/comment", "/shared/comment"}),
            (Values{{"/private/comment", "bob's"},
                    {"/shared/comment", "for all"}}));
  EXPECT_EQ(Get(alice_, "INBOX", {"/private/comment"})->at("/private/comment"),
            "alice's");
}

TEST_F(MetadataTest, MailboxRights) {
  const std::string inbox = "Other Users/alice/INBOX";
  ASSERT_TRUE(Set(alice_, "INBOX", {{"/shared/comment", "c"}}).ok());
  // No right at all: the mailbox does not exist for bob.
  EXPECT_EQ(Get(bob_, inbox, {"/shared/comment"}).status().code(),
            absl::StatusCode::kNotFound);
  // `l` alone is not enough (RFC 5464 section 3.3).
  ASSERT_TRUE(store_->SetAcl(alice_, "INBOX", "bob", "l").ok());
  EXPECT_EQ(Get(bob_, inbox, {"/private/comment"}).status().code(),
            absl::StatusCode::kPermissionDenied);
  // `r` without `l`: still not listable, so not found.
  ASSERT_TRUE(store_->SetAcl(alice_, "INBOX", "bob", "r").ok());
  EXPECT_EQ(Get(bob_, inbox, {"/shared/comment"}).status().code(),
            absl::StatusCode::kNotFound);
  // `l` + `r`: reads /shared, keeps /private, cannot write /shared.
  ASSERT_TRUE(store_->SetAcl(alice_, "INBOX", "bob", "lr").ok());
  EXPECT_EQ(Get(bob_, inbox, {"/shared/comment"})->at("/shared/comment"), "c");
  EXPECT_TRUE(Set(bob_, inbox, {{"/private/note", "mine"}}).ok());
  EXPECT_EQ(Set(bob_, inbox, {{"/shared/comment", "x"}}).code(),
            absl::StatusCode::kPermissionDenied);
  // `l` + `w`: writes /shared but does not read it.
  ASSERT_TRUE(store_->SetAcl(alice_, "INBOX", "bob", "lw").ok());
  EXPECT_TRUE(Set(bob_, inbox, {{"/shared/comment", "by bob"}}).ok());
  EXPECT_EQ(Get(bob_, inbox, {"/shared/comment"}).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Get(alice_, "INBOX", {"/shared/comment"})->at("/shared/comment"),
            "by bob");
  // A refused SETMETADATA changes nothing (all or none).
  ASSERT_TRUE(store_->SetAcl(alice_, "INBOX", "bob", "lr").ok());
  EXPECT_FALSE(Set(bob_, inbox, {{"/private/note", "changed"},
                                 {"/shared/comment", "nope"}})
                   .ok());
  EXPECT_EQ(Get(bob_, inbox, {"/private/note"})->at("/private/note"), "mine");
}

TEST_F(MetadataTest, ServerEntries) {
  // Only administrators set /shared server entries; everyone reads them.
  EXPECT_EQ(Set(alice_, "", {{"/shared/comment", "x"}}).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(Set(admin_, "", {{"/shared/admin", "mailto:postmaster@example.com"},
                               {"/shared/comment", "Welcome"}})
                  .ok());
  EXPECT_EQ(*Get(bob_, "", {"/shared/admin", "/shared/comment"}),
            (Values{{"/shared/admin", "mailto:postmaster@example.com"},
                    {"/shared/comment", "Welcome"}}));
  // /private server entries are per user.
  ASSERT_TRUE(Set(alice_, "", {{"/private/vendor/x/theme", "dark"}}).ok());
  EXPECT_EQ(Get(alice_, "", {"/private/vendor/x/theme"})->size(), 1u);
  EXPECT_THAT(*Get(bob_, "", {"/private/vendor/x/theme"}), IsEmpty());
  // A principal with no user name has no private entries.
  EXPECT_TRUE(absl::StartsWith(
      Set(admin_, "", {{"/private/comment", "x"}}).message(),
      "METADATA NOPRIVATE"));
}

TEST_F(MetadataTest, Limits) {
  options_.metadata_max_entry_bytes = 16;
  options_.metadata_max_entries = 3;
  options_.metadata_max_total_bytes = 100;
  Reopen();
  absl::Status big = Set(alice_, "INBOX", {{"/shared/a", std::string(17, 'x')}});
  EXPECT_EQ(big.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(absl::StartsWith(big.message(), "METADATA MAXSIZE 16")) << big;
  ASSERT_TRUE(Set(alice_, "INBOX", {{"/shared/a", "1"}, {"/shared/b", "2"}}).ok());
  // Two more would be five: refused, and neither is set.
  absl::Status many =
      Set(alice_, "Sent", {{"/shared/c", "3"}, {"/private/d", "4"}});
  EXPECT_TRUE(absl::StartsWith(many.message(), "METADATA TOOMANY")) << many;
  EXPECT_THAT(*Get(alice_, "Sent", {"/shared"}, MetadataDepth::kInfinity),
              IsEmpty());
  // Replacing an entry does not count it twice; deleting frees room.
  EXPECT_TRUE(Set(alice_, "INBOX", {{"/shared/a", "one"}}).ok());
  EXPECT_TRUE(Set(alice_, "Sent", {{"/shared/c", "3"}}).ok());
  EXPECT_FALSE(Set(alice_, "Sent", {{"/shared/d", "4"}}).ok());
  EXPECT_TRUE(Set(alice_, "INBOX", {{"/shared/a", std::nullopt}}).ok());
  EXPECT_TRUE(Set(alice_, "Sent", {{"/shared/d", "4"}}).ok());
  // Total bytes: names and values, per owner charged.
  EXPECT_TRUE(Set(alice_, "INBOX", {{"/shared/b", std::nullopt}}).ok());
  absl::Status total = Set(alice_, "INBOX", {{"/shared/" + std::string(80, 'n'), "v"}});
  EXPECT_TRUE(absl::StartsWith(total.message(), "METADATA TOOMANY")) << total;
  // Other users are charged separately.
  EXPECT_TRUE(Set(bob_, "INBOX", {{"/shared/a", "1"}, {"/shared/b", "2"},
                                  {"/shared/c", "3"}})
                  .ok());
}

TEST_F(MetadataTest, RenameKeepsDeleteDrops) {
  ASSERT_TRUE(store_->CreateMailbox(alice_, "Projects/Alpha").ok());
  ASSERT_TRUE(Set(alice_, "Projects/Alpha", {{"/shared/comment", "alpha"},
                                             {"/private/comment", "mine"}})
                  .ok());
  ASSERT_TRUE(store_->RenameMailbox(alice_, "Projects", "Work").ok());
  EXPECT_EQ(Get(alice_, "Work/Alpha", {"/shared/comment", "/private/comment"})
                ->size(),
            2u);
  ASSERT_TRUE(store_->DeleteMailbox(alice_, "Work/Alpha").ok());
  ASSERT_TRUE(store_->CreateMailbox(alice_, "Work/Alpha").ok());
  EXPECT_THAT(*Get(alice_, "Work/Alpha", {"/shared/comment", "/private/comment"}),
              IsEmpty());
}

TEST_F(MetadataTest, RenameInboxCopiesAndKeeps) {
  ASSERT_TRUE(Set(alice_, "INBOX", {{"/shared/comment", "inbox"}}).ok());
  ASSERT_TRUE(store_->RenameMailbox(alice_, "INBOX", "Old").ok());
  EXPECT_EQ(Get(alice_, "Old", {"/shared/comment"})->at("/shared/comment"),
            "inbox");
  EXPECT_EQ(Get(alice_, "INBOX", {"/shared/comment"})->at("/shared/comment"),
            "inbox");
}

TEST_F(MetadataTest, DeletingAUserDropsTheirAnnotations) {
  options_.metadata_max_entries = 2;
  Reopen();
  ASSERT_TRUE(store_->SetAcl(alice_, "INBOX", "bob", "lr").ok());
  ASSERT_TRUE(Set(bob_, "Other Users/alice/INBOX",
                  {{"/private/comment", "bob's"}})
                  .ok());
  ASSERT_TRUE(Set(bob_, "", {{"/private/x", "1"}}).ok());
  ASSERT_TRUE(store_->DeleteUser("bob").ok());
  ASSERT_TRUE(store_->CreateUser("bob", "pw").ok());
  ASSERT_TRUE(store_->SetAcl(alice_, "INBOX", "bob", "lr").ok());
  EXPECT_THAT(*Get(bob_, "Other Users/alice/INBOX", {"/private/comment"}),
              IsEmpty());
  EXPECT_THAT(*Get(bob_, "", {"/private/x"}), IsEmpty());
  // The new bob starts with nothing charged.
  EXPECT_TRUE(Set(bob_, "", {{"/private/a", "1"}, {"/private/b", "2"}}).ok());
  // Deleting alice removes the rows of her mailboxes, and uncharges bob.
  ASSERT_TRUE(Set(alice_, "INBOX", {{"/shared/x", "1"}}).ok());
  ASSERT_TRUE(store_->DeleteUser("alice").ok());
  EXPECT_TRUE(Set(bob_, "", {{"/private/a", std::nullopt}}).ok());
}

TEST_F(MetadataTest, ChangesAreAnnouncedWithTheirEntries) {
  std::mutex mu;
  std::vector<ChangeEvent> seen;
  auto watch = store_->WatchChanges(std::nullopt, [&](const ChangeEvent& e) {
    std::lock_guard<std::mutex> lock(mu);
    if (e.kind == ChangeEvent::kMetadata) seen.push_back(e);
  });
  const MailboxId inbox = store_->GetStatus(alice_, "INBOX")->id;
  ASSERT_TRUE(Set(alice_, "INBOX", {{"/shared/comment", "c"},
                                    {"/private/comment", "p"}})
                  .ok());
  ASSERT_TRUE(Set(admin_, "", {{"/shared/comment", "s"}}).ok());
  // Setting the same value again changes nothing and says nothing.
  ASSERT_TRUE(Set(admin_, "", {{"/shared/comment", "s"}}).ok());
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].mailbox, inbox);
  EXPECT_THAT(seen[0].entries, ElementsAre("/shared/comment"));
  EXPECT_EQ(seen[0].user, "");
  EXPECT_THAT(seen[1].entries, ElementsAre("/private/comment"));
  EXPECT_EQ(seen[1].user, "alice");
  EXPECT_EQ(seen[2].mailbox, 0u);
}

TEST_F(MetadataTest, BackupCarriesAnnotations) {
  if (testing::TestOnRados()) GTEST_SKIP() << "no online backup on RADOS";
  ASSERT_TRUE(Set(alice_, "INBOX", {{"/shared/comment", "kept"}}).ok());
  ASSERT_TRUE(Set(admin_, "", {{"/shared/comment", "server"}}).ok());
  const std::string backups = testing::FreshDir("md-backups") + "/set";
  ASSERT_TRUE(store_->CreateBackup(backups, nullptr).ok());
  const std::string restored = testing::FreshDir("md-restored") + "/data";
  ASSERT_TRUE(RestoreBackup({.backup_dir = backups,
                             .data_dir = restored,
                             .index_dir = restored + "/index"})
                  .ok());
  std::unique_ptr<Store> copy =
      OpenStore(testing::TestOptions(restored)).value();
  auto inbox = copy->GetMetadata(alice_, "INBOX", {.entries = {"/shared/comment"}});
  ASSERT_TRUE(inbox.ok()) << inbox.status();
  ASSERT_EQ(inbox->entries.size(), 1u);
  EXPECT_EQ(inbox->entries[0].value, "kept");
  auto server = copy->GetMetadata(bob_, "", {.entries = {"/shared/comment"}});
  ASSERT_EQ(server->entries.size(), 1u);
  EXPECT_EQ(server->entries[0].value, "server");
}

}  // namespace
}  // namespace mailroom::store
