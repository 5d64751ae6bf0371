// Behaviour of the Xapian text index with a simple text source: matching
// semantics, removal, copy reuse, crash recovery and damaged databases.
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/query_planner.h"
#include "index/xapian_text_index.h"
#include "tests/index/index_test_util.h"
#include "tests/index/simple_text_source.h"
#include "xapian.h"

namespace mailroom::index::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Kind = store::SearchKey::Kind;

class XapianIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(root_);
    Reopen();
    blobs_.Put("hello", "Subject: Hello World\r\nFrom: Alice Example "
                        "<alice@example.com>\r\nTo: bob@example.org\r\n"
                        "X-Ticket: T-42\r\n\r\nSay hello to the Swordfish.\r\n");
    blobs_.Put("report", "Subject: Quarterly report\r\nFrom: carol@example.net"
                         "\r\nCc: Dave <dave@example.com>\r\n\r\nNumbers are "
                         "up. See the attached WORDS.\r\n");
    blobs_.Put("empty", "Subject: \r\n\r\n");
  }

  void Reopen() {
    index_.reset();
    auto opened = OpenXapianTextIndex(root_.string(), SimpleTextSource());
    ASSERT_TRUE(opened.ok()) << opened.status();
    index_ = *opened;
  }

  absl::Status Apply(const std::vector<store::IndexWork>& batch,
                     const std::string& fail_on = "") {
    return index_->Apply(batch, blobs_.Loader(fail_on));
  }

  std::vector<store::Uid> Query(store::MailboxId mailbox,
                                const store::SearchKey& key,
                                const std::string& owner = "alice") {
    auto result = index_->Query(owner, mailbox, key);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : std::vector<store::Uid>{};
  }

  void AddThree() {
    ASSERT_TRUE(Apply({AddWork("alice", 1, 10, "hello"),
                       AddWork("alice", 1, 11, "report"),
                       AddWork("alice", 1, 12, "empty")})
                    .ok());
  }

  fs::path root_;
  BlobStore blobs_;
  std::shared_ptr<store::TextIndex> index_;
};

TEST_F(XapianIndexTest, SubstringInsideWordsAnyCase) {
  AddThree();
  EXPECT_THAT(Query(1, Body("WORD")), ElementsAre(10, 11));  // swordfish
  EXPECT_THAT(Query(1, Body("ordf")), ElementsAre(10));
  EXPECT_THAT(Query(1, Body("rdfish.")), ElementsAre(10));
  EXPECT_THAT(Query(1, Body("swordfishes")), IsEmpty());
  EXPECT_THAT(Query(1, Body("ay")), ElementsAre(10));  // shorter than a gram
  EXPECT_THAT(Query(1, Body("s")), ElementsAre(10, 11));
  EXPECT_THAT(Query(1, Body("")), ElementsAre(10, 11, 12));
}

TEST_F(XapianIndexTest, HeaderFieldsAndText) {
  AddThree();
  EXPECT_THAT(Query(1, Header("subject", "LLO wor")), ElementsAre(10));
  EXPECT_THAT(Query(1, Header("from", "alice@")), ElementsAre(10));
  EXPECT_THAT(Query(1, Header("from", "example")), ElementsAre(10, 11));
  EXPECT_THAT(Query(1, Header("cc", "dave")), ElementsAre(11));
  EXPECT_THAT(Query(1, Header("to", "dave")), IsEmpty());
  EXPECT_THAT(Query(1, Header("x-ticket", "t-42")), ElementsAre(10));
  // The text is in another field, not in X-Ticket.
  EXPECT_THAT(Query(1, Header("x-ticket", "hello")), IsEmpty());
  // An empty value asks whether the field is present.
  EXPECT_THAT(Query(1, Header("cc", "")), ElementsAre(11));
  EXPECT_THAT(Query(1, Header("subject", "")), ElementsAre(10, 11, 12));
  // TEXT covers header values and the body.
  EXPECT_THAT(Query(1, Text("quarterly")), ElementsAre(11));
  EXPECT_THAT(Query(1, Text("numbers")), ElementsAre(11));
  EXPECT_THAT(Query(1, Body("quarterly")), IsEmpty());
  // No match across two header fields.
  EXPECT_THAT(Query(1, Text("world alice")), IsEmpty());
}

TEST_F(XapianIndexTest, BooleanTrees) {
  AddThree();
  EXPECT_THAT(Query(1, Tree(Kind::kNot, {Body("hello")})), ElementsAre(11, 12));
  EXPECT_THAT(Query(1, Tree(Kind::kNot, {Body("sa")})), ElementsAre(11, 12));
  EXPECT_THAT(Query(1, Tree(Kind::kOr, {Body("hello"), Header("cc", "")})),
              ElementsAre(10, 11));
  EXPECT_THAT(Query(1, Tree(Kind::kAnd, {Text("example"),
                                         Tree(Kind::kNot, {Body("sword")})})),
              ElementsAre(11));
  EXPECT_THAT(Query(1, Tree(Kind::kAnd, {})), ElementsAre(10, 11, 12));
  EXPECT_THAT(Query(1, Tree(Kind::kOr, {})), IsEmpty());
}

TEST_F(XapianIndexTest, NonTextKeyIsRejected) {
  AddThree();
  store::SearchKey key;
  key.kind = Kind::kLarger;
  EXPECT_EQ(index_->Query("alice", 1, key).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(XapianIndexTest, MailboxesAndOwnersAreSeparate) {
  AddThree();
  ASSERT_TRUE(Apply({AddWork("bob", 1, 5, "hello"),
                     AddWork("alice", 2, 7, "hello")}).ok());
  EXPECT_THAT(Query(1, Body("hello")), ElementsAre(10));
  EXPECT_THAT(Query(2, Body("hello")), ElementsAre(7));
  EXPECT_THAT(Query(1, Body("hello"), "bob"), ElementsAre(5));
  EXPECT_THAT(Query(3, Body("")), IsEmpty());
}

TEST_F(XapianIndexTest, RemovalOfMessagesAndMailboxes) {
  AddThree();
  ASSERT_TRUE(Apply({AddWork("alice", 2, 1, "hello"), RemoveWork("alice", 1, 10),
                     RemoveWork("alice", 1, 99)})
                  .ok());
  EXPECT_THAT(Query(1, Body("")), ElementsAre(11, 12));
  EXPECT_THAT(Query(2, Body("hello")), ElementsAre(1));
  ASSERT_TRUE(Apply({RemoveMailboxWork("alice", 1)}).ok());
  EXPECT_THAT(Query(1, Body("")), IsEmpty());
  EXPECT_THAT(Query(2, Body("")), ElementsAre(1));
  // Removing an owner drops the database: queries must fall back.
  ASSERT_TRUE(Apply({RemoveOwnerWork("alice")}).ok());
  EXPECT_EQ(index_->Query("alice", 2, Body("")).status().code(),
            absl::StatusCode::kDataLoss);
  // Removals for an owner without a database are no-ops.
  ASSERT_TRUE(Apply({RemoveWork("carol", 1, 1)}).ok());
}

TEST_F(XapianIndexTest, CopyReusesTheIndexedDocument) {
  AddThree();
  const int loads = blobs_.loads();
  // A failing loader proves the copy does not read the body again.
  ASSERT_TRUE(Apply({AddWork("alice", 2, 1, "hello"),
                     AddWork("alice", 3, 4, "hello")},
                    "hello")
                  .ok());
  EXPECT_EQ(blobs_.loads(), loads);
  EXPECT_THAT(Query(2, Header("subject", "hello")), ElementsAre(1));
  EXPECT_THAT(Query(3, Body("sword")), ElementsAre(4));
  // The copy moved (source removed) keeps answering in its new mailbox.
  ASSERT_TRUE(Apply({RemoveWork("alice", 1, 10)}).ok());
  EXPECT_THAT(Query(2, Text("swordfish")), ElementsAre(1));
  EXPECT_THAT(Query(1, Text("swordfish")), IsEmpty());
}

TEST_F(XapianIndexTest, OneParsePerBodyWithinABatch) {
  ASSERT_TRUE(Apply({AddWork("alice", 1, 1, "hello"),
                     AddWork("bob", 1, 1, "hello"),
                     AddWork("carol", 1, 1, "hello")})
                  .ok());
  EXPECT_EQ(blobs_.loads(), 1);
  EXPECT_THAT(Query(1, Body("sword"), "carol"), ElementsAre(1));
}

TEST_F(XapianIndexTest, MissingBodyIsSkipped) {
  ASSERT_TRUE(Apply({AddWork("alice", 1, 1, "gone"),
                     AddWork("alice", 1, 2, "hello")}).ok());
  EXPECT_THAT(Query(1, Body("")), ElementsAre(2));
}

TEST_F(XapianIndexTest, FailedBatchCommitsNothingAndReapplies) {
  AddThree();
  const std::vector<store::IndexWork> batch = {
      RemoveWork("alice", 1, 11), AddWork("alice", 1, 20, "report"),
      AddWork("alice", 1, 21, "hello"), RemoveMailboxWork("alice", 5)};
  blobs_.Put("fresh", "Subject: fresh\r\n\r\nbrand new text\r\n");
  std::vector<store::IndexWork> failing = batch;
  failing.push_back(AddWork("alice", 1, 22, "fresh"));
  EXPECT_EQ(Apply(failing, "fresh").code(), absl::StatusCode::kUnavailable);
  // As after a crash: a new process sees the state before the batch.
  Reopen();
  EXPECT_THAT(Query(1, Body("")), ElementsAre(10, 11, 12));
  // The store applies the batch again, maybe twice.
  ASSERT_TRUE(Apply(failing).ok());
  ASSERT_TRUE(Apply(failing).ok());
  EXPECT_THAT(Query(1, Body("")), ElementsAre(10, 12, 20, 21, 22));
  EXPECT_THAT(Query(1, Body("numbers")), ElementsAre(20));
  EXPECT_THAT(Query(1, Body("brand")), ElementsAre(22));
}

TEST_F(XapianIndexTest, DeletedDirectoryIsRefusedUntilReindexed) {
  AddThree();
  fs::remove_all(root_ / "alice");
  EXPECT_EQ(index_->Query("alice", 1, Body("hello")).status().code(),
            absl::StatusCode::kDataLoss);
  // New mail arrives before the reindex: indexed, but the database is known
  // to be incomplete.
  ASSERT_TRUE(Apply({AddWork("alice", 1, 13, "hello")}).ok());
  EXPECT_EQ(index_->Query("alice", 1, Body("hello")).status().code(),
            absl::StatusCode::kDataLoss);
  Reopen();
  EXPECT_EQ(index_->Query("alice", 1, Body("hello")).status().code(),
            absl::StatusCode::kDataLoss);
  // Reindex: the store drops the owner and queues every message again.
  ASSERT_TRUE(Apply({RemoveOwnerWork("alice"), AddWork("alice", 1, 10, "hello"),
                     AddWork("alice", 1, 11, "report"),
                     AddWork("alice", 1, 12, "empty"),
                     AddWork("alice", 1, 13, "hello")})
                  .ok());
  EXPECT_THAT(Query(1, Body("hello")), ElementsAre(10, 13));
}

TEST_F(XapianIndexTest, UnknownSchemaVersionIsDataLoss) {
  AddThree();
  index_.reset();  // releases the write lock
  {
    Xapian::WritableDatabase db((root_ / "alice").string(), Xapian::DB_OPEN);
    db.set_metadata("mailroom.schema", "999");
    db.commit();
  }
  Reopen();
  EXPECT_EQ(index_->Query("alice", 1, Body("hello")).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(Apply({AddWork("alice", 1, 13, "hello")}).code(),
            absl::StatusCode::kDataLoss);
  ASSERT_TRUE(Apply({RemoveOwnerWork("alice"),
                     AddWork("alice", 1, 13, "hello")}).ok());
  EXPECT_THAT(Query(1, Body("hello")), ElementsAre(13));
}

TEST_F(XapianIndexTest, CorruptDatabaseIsDataLoss) {
  AddThree();
  index_.reset();
  for (const auto& entry : fs::directory_iterator(root_ / "alice")) {
    std::ofstream(entry.path(), std::ios::trunc) << "not a xapian table";
  }
  Reopen();
  const absl::StatusCode code =
      index_->Query("alice", 1, Body("hello")).status().code();
  EXPECT_EQ(code, absl::StatusCode::kDataLoss);
}

TEST_F(XapianIndexTest, ManyOwnersBeyondTheOpenDatabaseCap) {
  constexpr int kOwners = 140;  // more than the index keeps open
  for (int i = 0; i < kOwners; ++i) {
    ASSERT_TRUE(Apply({AddWork(absl::StrCat("user", i), 1, i + 1, "hello")})
                    .ok());
  }
  for (int i = 0; i < kOwners; ++i) {
    EXPECT_THAT(Query(1, Body("sword"), absl::StrCat("user", i)),
                ElementsAre(i + 1));
  }
  // A closed database takes new mail and its vocabulary back.
  ASSERT_TRUE(Apply({AddWork("user0", 1, 500, "report")}).ok());
  EXPECT_THAT(Query(1, Body("umber"), "user0"), ElementsAre(500));
}

TEST_F(XapianIndexTest, OwnerNamesAreEscaped) {
  ASSERT_TRUE(Apply({AddWork("../Evil/Name", 1, 1, "hello")}).ok());
  EXPECT_THAT(Query(1, Body("hello"), "../Evil/Name"), ElementsAre(1));
  EXPECT_FALSE(fs::exists(root_.parent_path() / "Evil"));
}

// Documents built on worker threads (a large batch) answer exactly like
// documents built one at a time (single-item batches, no workers), and
// applying the same batch again changes nothing.
TEST_F(XapianIndexTest, ParallelApplyMatchesSerialAndReapplyIsIdempotent) {
  static constexpr const char* kWords[] = {"amber", "basalt", "cobalt",
                                           "dune",  "ember",  "fjord"};
  std::vector<store::IndexWork> batch;
  for (int i = 0; i < 120; ++i) {
    std::string body;
    for (int w = 0; w < 12; ++w) {
      absl::StrAppend(&body, kWords[(i * 7 + w * w) % 6], w % 5 == 4 ? ",\r\n" : " ");
    }
    const std::string blob = absl::StrCat("m", i);
    blobs_.Put(blob, absl::StrCat("Subject: note ", i, "\r\n\r\n", body));
    // Every fifth message also sits in a second mailbox (a shared body).
    batch.push_back(AddWork("alice", 1, static_cast<store::Uid>(i + 1), blob));
    if (i % 5 == 0) {
      batch.push_back(AddWork("alice", 2, static_cast<store::Uid>(i + 1), blob));
    }
  }
  ASSERT_TRUE(Apply(batch).ok());

  auto serial_root = root_.string() + "-serial";
  fs::remove_all(serial_root);
  auto serial = OpenXapianTextIndex(serial_root, SimpleTextSource());
  ASSERT_TRUE(serial.ok()) << serial.status();
  for (const store::IndexWork& work : batch) {
    ASSERT_TRUE((*serial)->Apply({work}, blobs_.Loader()).ok());
  }

  const std::vector<store::SearchKey> keys = {
      Body("amber"), Body("co"),         Body("basalt cobalt"),
      Body("dune,\r\nember"), Body("rd ember"), Body("t, "),
      Text("note 1"), Header("subject", "7")};
  auto answers = [&](store::TextIndex& index) {
    std::vector<std::vector<store::Uid>> out;
    for (store::MailboxId mailbox : {1, 2}) {
      for (const store::SearchKey& key : keys) {
        auto result = index.Query("alice", mailbox, key);
        EXPECT_TRUE(result.ok()) << result.status();
        out.push_back(result.ok() ? *result : std::vector<store::Uid>{});
      }
    }
    return out;
  };
  const auto parallel_answers = answers(*index_);
  EXPECT_EQ(parallel_answers, answers(**serial));
  // The keys select proper, non-empty subsets somewhere.
  EXPECT_FALSE(parallel_answers[2].empty());
  EXPECT_LT(parallel_answers[2].size(), 120u);

  ASSERT_TRUE(Apply(batch).ok());
  EXPECT_EQ(answers(*index_), parallel_answers);
  index_.reset();
  Xapian::Database db((root_ / "alice").string());
  EXPECT_EQ(db.get_doccount(), 120u + 24u);
}

// A multi-word key must match across exactly the separators it holds.
TEST_F(XapianIndexTest, MultiWordKeysMatchTheirSeparatorsExactly) {
  blobs_.Put("p1", "Subject: a\r\n\r\nthe quick, brown fox\r\njumps over\r\n");
  blobs_.Put("p2", "Subject: b\r\n\r\nthe quick brown fox jumps\r\n");
  blobs_.Put("p3", "Subject: c\r\n\r\nbrown, quick fox\r\n");
  ASSERT_TRUE(Apply({AddWork("alice", 1, 1, "p1"), AddWork("alice", 1, 2, "p2"),
                     AddWork("alice", 1, 3, "p3")})
                  .ok());
  EXPECT_THAT(Query(1, Body("quick brown")), ElementsAre(2));
  EXPECT_THAT(Query(1, Body("quick, brown")), ElementsAre(1));
  EXPECT_THAT(Query(1, Body("ick, bro")), ElementsAre(1));
  EXPECT_THAT(Query(1, Body("fox\r\njumps")), ElementsAre(1));
  EXPECT_THAT(Query(1, Body("fox jumps")), ElementsAre(2));
  EXPECT_THAT(Query(1, Body("brown fox")), ElementsAre(1, 2));
  EXPECT_THAT(Query(1, Body("quick fox")), ElementsAre(3));
  EXPECT_THAT(Query(1, Body("fox quick")), IsEmpty());
  EXPECT_THAT(Query(1, Text("subject: b")), ElementsAre(2));
}

// The values of Subject, From, To, Cc and Bcc are stored under their own
// prefix only; the any-header prefix keeps their names. HEADER and TEXT keys
// still find them, TEXT also across "name: value".
TEST_F(XapianIndexTest, FieldValuesAreStoredOnceAndStillMatch) {
  AddThree();
  index_.reset();  // releases the write lock
  {
    Xapian::Database db((root_ / "alice").string());
    EXPECT_TRUE(db.term_exists("Sworld"));
    EXPECT_TRUE(db.term_exists("Falice"));
    EXPECT_TRUE(db.term_exists("Hsubject"));  // the name stays a line word
    EXPECT_TRUE(db.term_exists("H42"));       // X-Ticket has no prefix
    EXPECT_FALSE(db.term_exists("Hworld"));
    EXPECT_FALSE(db.term_exists("Halice"));
    EXPECT_FALSE(db.term_exists("Hquarterly"));
    EXPECT_FALSE(db.term_exists("Hdave"));
  }
  Reopen();
  EXPECT_THAT(Query(1, Header("subject", "world")), ElementsAre(10));
  EXPECT_THAT(Query(1, Text("world")), ElementsAre(10));
  EXPECT_THAT(Query(1, Text("orl")), ElementsAre(10));
  EXPECT_THAT(Query(1, Text("hello world")), ElementsAre(10));
  EXPECT_THAT(Query(1, Text("dave")), ElementsAre(11));
  EXPECT_THAT(Query(1, Text("alice example")), ElementsAre(10));
  // Across the name and the value.
  EXPECT_THAT(Query(1, Text("subject: hello world")), ElementsAre(10));
  EXPECT_THAT(Query(1, Text("ject: hello w")), ElementsAre(10));
  EXPECT_THAT(Query(1, Text("t: quarterly")), ElementsAre(11));
  EXPECT_THAT(Query(1, Text("om: alice")), ElementsAre(10));
  EXPECT_THAT(Query(1, Text("om: carol@")), ElementsAre(11));
  EXPECT_THAT(Query(1, Text("to: bob@example.org")), ElementsAre(10));
  EXPECT_THAT(Query(1, Text("cc: dave")), ElementsAre(11));
  EXPECT_THAT(Query(1, Text("subject: ")), ElementsAre(10, 11, 12));
  EXPECT_THAT(Query(1, Text("ject: world")), IsEmpty());  // not its start
  EXPECT_THAT(Query(1, Text("to: dave")), IsEmpty());
}

// A key on one field expands over the words that field holds, not every
// word of the vocabulary: "com" begins many body words here and one From
// word. The fields of each word are learned while indexing, grow when a
// known word turns up in another field, and are read from the terms when
// the database is opened again.
TEST_F(XapianIndexTest, FieldKeysExpandOverTheirFieldsWordsOnly) {
  std::string body = "Words:";
  for (const char* tail : {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j",
                           "k", "l"}) {
    absl::StrAppend(&body, " com", tail, "x");
  }
  blobs_.Put("com", absl::StrCat("Subject: commerce\r\nFrom: Zed "
                                 "<zed@example.com>\r\n\r\n", body, "\r\n"));
  blobs_.Put("later", "Subject: s\r\nFrom: comax@example.net\r\n"
                      "To: Ilug <ilug@linux.ie>\r\n\r\nfine\r\n");
  ASSERT_TRUE(Apply({AddWork("alice", 1, 1, "com")}).ok());
  PlannerCounters& counters = GetPlannerCounters();
  auto words_for = [&](const store::SearchKey& key,
                       std::vector<store::Uid> expected) {
    const uint64_t before = counters.words_expanded;
    EXPECT_EQ(Query(1, key), expected);
    return counters.words_expanded - before;
  };
  // "example" and "com" in From; the body's "com...x" words are not read.
  EXPECT_EQ(words_for(Header("from", "example.com"), {1}), 2u);
  EXPECT_EQ(words_for(Header("from", "comax"), {}), 0u);
  EXPECT_EQ(words_for(Body("comax"), {1}), 1u);
  // "comax" (a body word) in From now.
  ASSERT_TRUE(Apply({AddWork("alice", 1, 2, "later")}).ok());
  EXPECT_EQ(words_for(Header("from", "comax@"), {2}), 1u);
  EXPECT_THAT(Query(1, Header("from", "com")), ElementsAre(1, 2));
  EXPECT_THAT(Query(1, Header("to", "ilug@linux.ie")), ElementsAre(2));
  Reopen();
  // "com" begins two From words now.
  EXPECT_EQ(words_for(Header("from", "example.com"), {1}), 3u);
  EXPECT_EQ(words_for(Header("from", "comax@"), {2}), 1u);
  EXPECT_EQ(words_for(Body("comax"), {1}), 1u);
  EXPECT_THAT(Query(1, Header("to", "ILUG@linux.IE")), ElementsAre(2));
  EXPECT_THAT(Query(1, Text("zed@example.com")), ElementsAre(1));
}

// Which fields hold each word is known without a pass over the database's
// terms on a search's path: a new database records them as documents are
// added, a reopened one learns them at its first commit.
TEST_F(XapianIndexTest, HeaderSearchesDoNotLearnFieldsOnTheirPath) {
  PlannerCounters& counters = GetPlannerCounters();
  const uint64_t learned = counters.fields_learned_by_queries;
  AddThree();
  EXPECT_THAT(Query(1, Header("from", "example.com")), ElementsAre(10));
  EXPECT_THAT(Query(1, Header("cc", "dave")), ElementsAre(11));
  EXPECT_EQ(counters.fields_learned_by_queries, learned);

  Reopen();
  blobs_.Put("late", "Subject: Late\r\nFrom: erin@example.com\r\n\r\nx\r\n");
  ASSERT_TRUE(Apply({AddWork("alice", 1, 13, "late")}).ok());
  EXPECT_THAT(Query(1, Header("from", "example.com")), ElementsAre(10, 13));
  EXPECT_THAT(Query(1, Header("subject", "port")), ElementsAre(11));
  EXPECT_EQ(counters.fields_learned_by_queries, learned);

  // Reopened and searched before any commit: the search learns them, once.
  Reopen();
  EXPECT_THAT(Query(1, Header("from", "dave")), IsEmpty());
  EXPECT_THAT(Query(1, Header("cc", "dave")), ElementsAre(11));
  EXPECT_EQ(counters.fields_learned_by_queries, learned + 1);
}

// A TEXT key looks under seven prefixes (body, any header, Subject, From,
// To, Cc, Bcc) but searches the vocabulary once per key word.
TEST_F(XapianIndexTest, TextKeySearchesTheVocabularyOncePerWord) {
  AddThree();
  PlannerCounters& counters = GetPlannerCounters();
  uint64_t searches = counters.vocabulary_searches;
  uint64_t expansions = counters.expansions;
  EXPECT_THAT(Query(1, Text("ELL")), ElementsAre(10));
  EXPECT_EQ(counters.vocabulary_searches - searches, 1u);
  EXPECT_EQ(counters.expansions - expansions, 7u);
  searches = counters.vocabulary_searches;
  // Two words placed by positions: the end of one, the start of the other.
  EXPECT_THAT(Query(1, Text("llo wor")), ElementsAre(10));
  EXPECT_EQ(counters.vocabulary_searches - searches, 2u);
}

// Positions are kept where phrases are placed (body, Subject, attachment
// names); other header words have none, and a key of several words there is
// answered from per-word candidates checked against the stored text.
TEST_F(XapianIndexTest, HeaderWordsWithoutPositionsStillMatchPhrases) {
  blobs_.Put("h1", "Subject: red fox\r\nX-Note: quick brown fox\r\n"
                   "From: Ann Lee <ann@lee.example>\r\n\r\nslow green fox\r\n");
  blobs_.Put("h2", "Subject: fox red\r\nX-Note: brown quick fox\r\n"
                   "From: Lee Ann <lee@ann.example>\r\n\r\ngreen slow fox\r\n");
  ASSERT_TRUE(
      Apply({AddWork("alice", 1, 1, "h1"), AddWork("alice", 1, 2, "h2")}).ok());
  index_.reset();  // releases the write lock
  {
    Xapian::Database db((root_ / "alice").string());
    EXPECT_EQ(db.positionlist_begin(1, "Hquick"), db.positionlist_end(1, "Hquick"));
    EXPECT_EQ(db.positionlist_begin(1, "Fann"), db.positionlist_end(1, "Fann"));
    EXPECT_NE(db.positionlist_begin(1, "Sred"), db.positionlist_end(1, "Sred"));
    EXPECT_NE(db.positionlist_begin(1, "slow"), db.positionlist_end(1, "slow"));
  }
  Reopen();
  EXPECT_THAT(Query(1, Header("x-note", "quick brown")), ElementsAre(1));
  EXPECT_THAT(Query(1, Header("x-note", "ick bro")), ElementsAre(1));
  EXPECT_THAT(Query(1, Header("x-note", "brown quick")), ElementsAre(2));
  EXPECT_THAT(Query(1, Header("x-note", "quick fox")), ElementsAre(2));
  EXPECT_THAT(Query(1, Text("quick brown fox")), ElementsAre(1));
  EXPECT_THAT(Query(1, Text("x-note: brown")), ElementsAre(2));
  EXPECT_THAT(Query(1, Header("from", "ann lee")), ElementsAre(1));
  EXPECT_THAT(Query(1, Header("from", "ann@lee")), ElementsAre(1));
  EXPECT_THAT(Query(1, Text("lee ann")), ElementsAre(2));
  // Body and Subject phrases are still placed by their positions.
  PlannerCounters& counters = GetPlannerCounters();
  const uint64_t placed = counters.phrases_from_positions;
  const uint64_t sure = counters.phrases_sure;
  EXPECT_THAT(Query(1, Body("slow green")), ElementsAre(1));
  EXPECT_THAT(Query(1, Header("subject", "red fox")), ElementsAre(1));
  EXPECT_EQ(counters.phrases_from_positions - placed, 2u);
  EXPECT_EQ(counters.phrases_sure - sure, 2u);
  // A header phrase is not placed by positions.
  EXPECT_THAT(Query(1, Header("x-note", "quick brown")), ElementsAre(1));
  EXPECT_EQ(counters.phrases_from_positions - placed, 2u);
}

}  // namespace
}  // namespace mailroom::index::testing
