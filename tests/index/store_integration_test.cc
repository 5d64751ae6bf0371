// The Xapian index behind the real store: every SEARCH answered through the
// index must equal the store's own scan (a second store without an index fed
// the same operations), across appends, copies, moves, expunges and a
// reindex.
#include <filesystem>
#include <string>
#include <vector>

#include "bench/search/mail_generator.h"
#include "gtest/gtest.h"
#include "index/xapian_index.h"
#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/index/index_test_util.h"

namespace mailroom::index::testing {
namespace {

namespace fs = std::filesystem;
using Kind = store::SearchKey::Kind;

class StoreIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) / "store_integration";
    fs::remove_all(root_);
    for (int i = 0; i < 2; ++i) {
      store::StoreOptions options;
      options.data_dir = (root_ / (i == 0 ? "indexed" : "scanned")).string();
      options.sync_writes = false;
      options.password_iterations = 1000;
      if (i == 0) {
        auto text_index = OpenXapianIndex(options.data_dir + "/index");
        ASSERT_TRUE(text_index.ok()) << text_index.status();
        options.text_index = *text_index;
        text_index_ = *text_index;
      }
      auto opened = store::OpenStore(options);
      ASSERT_TRUE(opened.ok()) << opened.status();
      stores_.push_back(std::move(*opened));
      ASSERT_TRUE(stores_.back()->CreateUser("alice", "secret").ok());
    }
  }

  // Runs `op` on both stores.
  template <typename Op>
  void Both(Op op) {
    for (auto& s : stores_) op(*s);
  }

  store::MailboxId Id(store::Store& s, const std::string& name) {
    auto snapshot = s.OpenMailbox(alice_, name);
    EXPECT_TRUE(snapshot.ok()) << snapshot.status();
    return snapshot.ok() ? snapshot->status.id : 0;
  }

  void ExpectSameAnswers(const std::string& mailbox,
                         const std::vector<store::SearchKey>& keys) {
    for (const store::SearchKey& key : keys) {
      std::vector<std::vector<store::Uid>> answers;
      for (auto& s : stores_) {
        auto uids = s->Search(alice_, Id(*s, mailbox), key);
        ASSERT_TRUE(uids.ok()) << uids.status();
        answers.push_back(*uids);
      }
      EXPECT_EQ(answers[0], answers[1])
          << mailbox << " key value '" << key.value << "'";
    }
  }

  std::vector<store::SearchKey> Keys() {
    return {Body("the"), Body("a"), Text("subject: re"), Text("example.com"),
            Header("subject", "RE"), Header("from", "=?"),
            Header("x-ticket", "open"), Header("cc", ""),
            Tree(Kind::kNot, {Body("ai")}),
            Tree(Kind::kOr, {Body("ou"), Header("to", "helpdesk")}),
            Tree(Kind::kAnd, {Text("e"), Tree(Kind::kNot, {Body("é")})})};
  }

  fs::path root_;
  store::Principal alice_ = store::PrincipalIssuer::User("alice");
  std::vector<std::unique_ptr<store::Store>> stores_;
  std::shared_ptr<store::TextIndex> text_index_;  // inside stores_[0]
};

TEST_F(StoreIntegrationTest, IndexedSearchEqualsScan) {
  bench::MailGeneratorOptions options;
  options.seed = 3;
  options.vocabulary_size = 800;
  options.median_words = 60;
  options.max_attachment_kb = 2;
  bench::MailGenerator generator(options);
  std::vector<std::string> messages;
  for (int i = 0; i < 150; ++i) messages.push_back(generator.Next());
  Both([&](store::Store& s) {
    std::vector<store::AppendRequest> requests;
    for (const std::string& m : messages) {
      store::AppendRequest r;
      r.data = m;
      requests.push_back(r);
    }
    ASSERT_TRUE(s.Append(alice_, "INBOX", requests).ok());
  });
  ExpectSameAnswers("INBOX", Keys());
  // The store answered from the index, not from a fallback scan: the index
  // itself holds the same answer.
  const store::MailboxId inbox = Id(*stores_[0], "INBOX");
  auto from_index = text_index_->Query("alice", inbox, Body("the"));
  ASSERT_TRUE(from_index.ok()) << from_index.status();
  EXPECT_FALSE(from_index->empty());
  EXPECT_EQ(*from_index, *stores_[1]->Search(alice_, Id(*stores_[1], "INBOX"),
                                             Body("the")));

  // Copies and moves reuse the indexed text; expunges remove it.
  Both([&](store::Store& s) {
    const store::MailboxId inbox = Id(s, "INBOX");
    std::vector<store::Uid> some, more;
    for (store::Uid uid = 1; uid <= 150; uid += 3) some.push_back(uid);
    for (store::Uid uid = 2; uid <= 150; uid += 7) more.push_back(uid);
    ASSERT_TRUE(s.Copy(alice_, inbox, some, "Archive").ok());
    ASSERT_TRUE(s.Move(alice_, inbox, more, "Trash").ok());
    store::StoreFlagsRequest flags;
    flags.uids = {4, 10, 40, 100};
    flags.flags.system = store::kDeleted;
    ASSERT_TRUE(s.StoreFlags(alice_, inbox, flags).ok());
    ASSERT_TRUE(s.Expunge(alice_, inbox, {}).ok());
  });
  for (const std::string mailbox : {"INBOX", "Archive", "Trash"}) {
    ExpectSameAnswers(mailbox, Keys());
  }

  // A reindex drops the owner's index and rebuilds it from the store.
  ASSERT_TRUE(stores_[0]->Reindex("alice").ok());
  ExpectSameAnswers("Archive", Keys());
}

}  // namespace
}  // namespace mailroom::index::testing
