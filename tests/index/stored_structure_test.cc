// The production index decodes a message from the structure the store
// parsed at append (handed over with the body) instead of parsing it again,
// and parses only when there is no usable structure.
#include <filesystem>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/xapian_index.h"
#include "mime/message.h"
#include "store/text_index.h"
#include "tests/index/index_test_util.h"

namespace mailroom::index::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kRaw[] =
    "Subject: zoo\r\nContent-Type: text/plain\r\n\r\nzebra crossing\r\n";
// The same bytes but for a type of the same length: parsed, its one part is
// an image, whose body is not text.
constexpr char kAsImage[] =
    "Subject: zoo\r\nContent-Type: image/jpeg\r\n\r\nzebra crossing\r\n";

std::shared_ptr<const std::string> StructureOf(const std::string& raw) {
  return std::make_shared<const std::string>(mime::Serialize(mime::Parse(raw)));
}

class StoredStructureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) / "stored_structure";
    fs::remove_all(root_);
    auto opened = OpenXapianIndex(root_.string());
    ASSERT_TRUE(opened.ok()) << opened.status();
    index_ = *opened;
  }

  std::vector<store::Uid> Query(store::MailboxId mailbox,
                                const store::SearchKey& key) {
    auto result = index_->Query("alice", mailbox, key);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : std::vector<store::Uid>{};
  }

  fs::path root_;
  std::shared_ptr<store::TextIndex> index_;
  BlobStore blobs_;
};

// Were the body parsed again, its text part would be found; the stored
// structure says it is an image, and that is what the index reads.
TEST_F(StoredStructureTest, DecodesFromTheStoredStructure) {
  ASSERT_EQ(std::string(kRaw).size(), std::string(kAsImage).size());
  blobs_.Put("m1", kRaw, StructureOf(kAsImage));
  ASSERT_TRUE(index_->Apply({AddWork("alice", 1, 1, "m1")}, blobs_.Loader())
                  .ok());
  EXPECT_THAT(Query(1, Body("zebra")), IsEmpty());
  EXPECT_THAT(Query(1, TextKey(store::SearchKey::Kind::kHeader, "zoo",
                               "subject")),
              ElementsAre(1));
}

TEST_F(StoredStructureTest, ParsesWithoutAUsableStructure) {
  blobs_.Put("none", kRaw);
  // A structure of another message (another size) is not trusted.
  blobs_.Put("other", kRaw, StructureOf(std::string(kAsImage) + "more"));
  blobs_.Put("garbage", kRaw,
             std::make_shared<const std::string>("not a structure"));
  ASSERT_TRUE(index_->Apply({AddWork("alice", 1, 1, "none"),
                             AddWork("alice", 1, 2, "other"),
                             AddWork("alice", 1, 3, "garbage")},
                            blobs_.Loader())
                  .ok());
  EXPECT_THAT(Query(1, Body("zebra")), ElementsAre(1, 2, 3));
}

// The text the stored structure gives is the text a parse gives.
TEST_F(StoredStructureTest, SameAnswersAsAParse) {
  blobs_.Put("parsed", kRaw);
  blobs_.Put("stored", kRaw, StructureOf(kRaw));
  ASSERT_TRUE(index_->Apply({AddWork("alice", 1, 1, "parsed"),
                             AddWork("alice", 2, 1, "stored")},
                            blobs_.Loader())
                  .ok());
  for (const char* key : {"zebra", "ebra cross", "g"}) {
    EXPECT_EQ(Query(1, Body(key)), Query(2, Body(key))) << key;
  }
  EXPECT_THAT(Query(2, Body("zebra crossing")), ElementsAre(1));
}

}  // namespace
}  // namespace mailroom::index::testing
