// The parsed structure of a body is stored with the body at append time, so
// the first FETCH BODYSTRUCTURE costs a read; stores written before that
// still parse lazily and cache the result.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "store/principal_issuer.h"
#include "mime/message.h"
#include "store/store.h"
#include "tests/store/store_fixture.h"

namespace mailroom::store {
namespace {

const char kMultipart[] =
    "Subject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; "
    "boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
    "--XX\r\nContent-Type: application/pdf\r\n\r\nPDF\r\n--XX--\r\n";

// Opens the store's RocksDB directly (the store must be closed) and runs
// `fn` on the structure column family.
void WithStructureCf(
    const std::string& dir,
    const std::function<void(rocksdb::DB*, rocksdb::ColumnFamilyHandle*)>& fn) {
  std::vector<std::string> names;
  ASSERT_TRUE(
      rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const std::string& n : names) {
    cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir, cfs, &handles, &db)
                  .ok());
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "structure") fn(db, handles[i]);
  }
  for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
  delete db;
}

size_t CountStructures(const std::string& dir) {
  size_t n = 0;
  WithStructureCf(dir, [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), cf));
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  });
  return n;
}

class StructureTest : public testing::StoreFixture {
 protected:
  StructureTest() : StoreFixture("structure") {}

  void Close() {
    ASSERT_TRUE(store_->CheckConsistency().ok());
    store_.reset();
  }
};

TEST_F(StructureTest, AppendAndDeliverStoreTheStructureWithTheBody) {
  ASSERT_TRUE(store_->Append(alice_, "INBOX", {AppendRequest{.data = kMultipart},
                                               AppendRequest{.data = kMultipart}})
                  .ok());
  auto delivered = store_->Deliver({{"alice"}, {"bob"}},
                                   testing::MakeMessage("hi", "there"));
  ASSERT_TRUE(delivered[0].ok() && delivered[1].ok());
  Close();
  EXPECT_EQ(CountStructures(dir_), 2u);  // one per distinct body
  Reopen();
  MailboxId inbox = store_->GetStatus(alice_, "INBOX")->id;
  auto structure = store_->GetStructure(alice_, inbox, 2);
  ASSERT_TRUE(structure.ok()) << structure.status();
  ASSERT_EQ((*structure)->root.children.size(), 2u);
  EXPECT_EQ((*structure)->root.children[1].subtype, "pdf");

  // The structure goes with the last reference to its body.
  ASSERT_TRUE(store_->Expunge(alice_, inbox, {.only_deleted = false}).ok());
  Close();
  EXPECT_EQ(CountStructures(dir_), 1u);
}

TEST_F(StructureTest, BodiesWithoutACachedStructureAreParsedAndCached) {
  ASSERT_TRUE(
      store_->Append(alice_, "INBOX", {AppendRequest{.data = kMultipart}}).ok());
  Close();
  // As a store written before structures were stored at append time.
  WithStructureCf(dir_, [](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), cf));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), cf, it->key()).ok());
    }
  });
  ASSERT_EQ(CountStructures(dir_), 0u);
  Reopen();
  MailboxId inbox = store_->GetStatus(alice_, "INBOX")->id;
  auto structure = store_->GetStructure(alice_, inbox, 1);
  ASSERT_TRUE(structure.ok()) << structure.status();
  EXPECT_EQ((*structure)->root.type, "multipart");
  Close();
  EXPECT_EQ(CountStructures(dir_), 1u);
}

TEST_F(StructureTest, GetStructuresMatchesGetStructurePerMessage) {
  ASSERT_TRUE(store_->Append(alice_, "INBOX",
                             {AppendRequest{.data = kMultipart},
                              AppendRequest{.data = testing::MakeMessage("a", "b")},
                              AppendRequest{.data = kMultipart},
                              AppendRequest{.data = testing::MakeMessage("c", "d")}})
                  .ok());
  MailboxId inbox = store_->GetStatus(alice_, "INBOX")->id;
  ASSERT_TRUE(store_->StoreFlags(alice_, inbox,
                                 {.uids = {3}, .op = FlagOp::kAdd,
                                  .flags = {.system = kDeleted}})
                  .ok());
  ASSERT_TRUE(store_->Expunge(alice_, inbox, {.only_deleted = true}).ok());
  auto metas = store_->GetMessages(alice_, inbox, {1, 2, 4});
  ASSERT_TRUE(metas.ok()) << metas.status();

  // Any order, duplicates and expunged or unknown UIDs.
  auto batch = store_->GetStructures(alice_, inbox, {4, 3, 1, 2, 1, 99});
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_EQ(batch->size(), 3u);
  for (size_t i = 0; i < batch->size(); ++i) {
    const MessageStructure& got = (*batch)[i];
    EXPECT_EQ(got.uid, (*metas)[i].uid);
    EXPECT_EQ(got.blob_id, (*metas)[i].blob_id);
    auto one = store_->GetStructure(alice_, inbox, got.uid);
    ASSERT_TRUE(one.ok()) << one.status();
    ASSERT_NE(got.structure, nullptr);
    EXPECT_EQ(mime::Serialize(*got.structure), mime::Serialize(**one));
  }
  EXPECT_EQ((*batch)[0].structure->root.children.size(), 2u);
  EXPECT_TRUE(store_->GetStructures(alice_, inbox, {}).value().empty());
  // Bob holds no right on alice's INBOX: it does not exist for him.
  EXPECT_EQ(store_->GetStructures(PrincipalIssuer::User("bob"), inbox, {1})
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_F(StructureTest, GetStructuresParsesAndCachesMissingStructures) {
  ASSERT_TRUE(store_->Append(alice_, "INBOX",
                             {AppendRequest{.data = kMultipart},
                              AppendRequest{.data = kMultipart}})
                  .ok());
  Close();
  WithStructureCf(dir_, [](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), cf));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), cf, it->key()).ok());
    }
  });
  Reopen();
  MailboxId inbox = store_->GetStatus(alice_, "INBOX")->id;
  auto batch = store_->GetStructures(alice_, inbox, {1, 2});
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_EQ(batch->size(), 2u);
  EXPECT_EQ((*batch)[1].structure->root.children[1].subtype, "pdf");
  // One body, parsed once for both of its messages.
  EXPECT_EQ((*batch)[0].structure, (*batch)[1].structure);
  Close();
  EXPECT_EQ(CountStructures(dir_), 1u);
}

}  // namespace
}  // namespace mailroom::store
