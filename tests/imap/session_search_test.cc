// SEARCH keys the session answers from its copy of the mailbox (flags,
// keywords, MODSEQ, UID and sequence sets, and AND/OR/NOT of them), alone
// or combined with text keys the index answers: every answer must equal
// the store's own per-record evaluation, and no message record is read.
// The mailbox is shared with private flags, has expunged messages, and
// gets messages the index has not caught up with just before the session.
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "index/xapian_index.h"
#include "store/internal/search_eval.h"
#include "tests/imap/session_fixture.h"

namespace mailroom::imap {
namespace {

using Kind = store::SearchKey::Kind;

constexpr char kDesk[] = "Shared/desk";
constexpr const char* kWords[] = {"alpha", "beta", "gamma", "delta", "omega"};
constexpr const char* kKeywords[] = {"$Todo", "Foo", "bar"};
struct NamedFlag {
  const char* set;
  const char* clear;
  uint32_t bit;
};
constexpr NamedFlag kFlags[] = {
    {"SEEN", "UNSEEN", store::kSeen},
    {"FLAGGED", "UNFLAGGED", store::kFlagged},
    {"ANSWERED", "UNANSWERED", store::kAnswered},
    {"DELETED", "UNDELETED", store::kDeleted},
    {"DRAFT", "UNDRAFT", store::kDraft}};

// A key in both forms: IMAP text for the session, the store's tree for the
// expected answer.
struct BothKeys {
  std::string imap;
  store::SearchKey key;
};

class SessionSearchTest : public SessionTest {
 protected:
  void SetUp() override {
    SessionTest::SetUp();
    if (HasFatalFailure()) return;
    // The same store again, now with a text index.
    store_.reset();
    store::StoreOptions options;
    options.data_dir = dir_.string();
    options.sync_writes = false;
    options.password_iterations = 1000;
    auto text_index = index::OpenXapianIndex((dir_ / "index").string());
    ASSERT_TRUE(text_index.ok()) << text_index.status();
    options.text_index = *text_index;
    auto s = store::OpenStore(options);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    auth_ = std::make_unique<FakeAuthenticator>(store_.get());
    ASSERT_TRUE(store_->CreateUser("bob", "secret").ok());
  }

  std::string Message(int i) {
    std::string body;
    const int words = 3 + static_cast<int>(rng_() % 40);
    for (int w = 0; w < words; ++w) {
      absl::StrAppend(&body, kWords[rng_() % std::size(kWords)], " ");
    }
    return absl::StrCat("From: a@example.com\r\nSubject: m", i,
                        "\r\n\r\n", body, "\r\n");
  }

  store::Flags RandomFlags() {
    store::Flags flags;
    flags.system = static_cast<uint32_t>(rng_() % 32);
    for (const char* k : kKeywords) {
      if (rng_() % 3 == 0) flags.keywords.push_back(k);
    }
    std::sort(flags.keywords.begin(), flags.keywords.end());
    return flags;
  }

  void Fill(int count) {
    std::vector<store::AppendRequest> requests;
    std::vector<std::string> texts;
    for (int i = 0; i < count; ++i) texts.push_back(Message(i));
    for (int i = 0; i < count; ++i) {
      store::AppendRequest r;
      r.data = texts[i];
      r.flags = RandomFlags();
      requests.push_back(r);
    }
    ASSERT_TRUE(store_->Append(admin_, kDesk, requests).ok());
  }

  // Each user sets random flags on a third of the messages; the private
  // ones (\Seen, \Flagged, $Todo) differ per user.
  void ShuffleFlags(const store::Principal& who, store::Uid max_uid) {
    for (store::Uid uid = 1; uid <= max_uid; ++uid) {
      if (rng_() % 3 != 0) continue;
      store::StoreFlagsRequest request;
      request.uids = {uid};
      request.op = store::FlagOp::kReplace;
      request.flags = RandomFlags();
      ASSERT_TRUE(store_->StoreFlags(who, desk_, request).ok());
    }
  }

  BothKeys Leaf(bool view) {
    BothKeys out;
    if (!view) {
      const char* word = kWords[rng_() % std::size(kWords)];
      out.imap = absl::StrCat("BODY ", word);
      out.key.kind = Kind::kBody;
      out.key.value = word;
      return out;
    }
    switch (rng_() % 5) {
      case 0:
      case 1: {
        const NamedFlag& f = kFlags[rng_() % std::size(kFlags)];
        const bool set = rng_() % 2 == 0;
        out.imap = set ? f.set : f.clear;
        out.key.kind = set ? Kind::kFlagSet : Kind::kFlagClear;
        out.key.number = f.bit;
        return out;
      }
      case 2: {
        const char* k = kKeywords[rng_() % std::size(kKeywords)];
        const bool set = rng_() % 2 == 0;
        out.imap = absl::StrCat(set ? "KEYWORD " : "UNKEYWORD ", k);
        out.key.kind = set ? Kind::kKeyword : Kind::kUnkeyword;
        out.key.value = k;
        return out;
      }
      case 3: {
        const store::Uid a = 1 + rng_() % (max_uid_ + 5);
        const store::Uid b = a + rng_() % 80;
        out.imap = absl::StrCat("UID ", a, ":", b);
        out.key.kind = Kind::kUids;
        out.key.uids = {{a, b}};
        return out;
      }
      default: {
        // A sequence range, as the session numbers the messages.
        const uint32_t n = static_cast<uint32_t>(uids_by_seq_.size());
        const uint32_t a = 1 + static_cast<uint32_t>(rng_() % n);
        const uint32_t b = std::min(n, a + static_cast<uint32_t>(rng_() % 60));
        out.imap = absl::StrCat(a, ":", b);
        out.key.kind = Kind::kUids;
        for (uint32_t s = a; s <= b; ++s) {
          out.key.uids.push_back({uids_by_seq_[s - 1], uids_by_seq_[s - 1]});
        }
        return out;
      }
    }
  }

  // A random tree the session and index decide together: NOT only over a
  // sub-tree of one kind (all session keys, or all text).
  BothKeys Tree(int depth, int kind) {  // kind: 0 view, 1 text, 2 mixed
    if (depth == 0 || rng_() % 3 == 0) {
      return Leaf(kind == 0 || (kind == 2 && rng_() % 3 != 0));
    }
    const int op = static_cast<int>(rng_() % 4);
    BothKeys out;
    if (op == 0) {
      const int inner = kind == 2 ? static_cast<int>(rng_() % 2) : kind;
      BothKeys child = Tree(depth - 1, inner);
      out.imap = absl::StrCat("NOT (", child.imap, ")");
      out.key.kind = Kind::kNot;
      out.key.children.push_back(std::move(child.key));
      return out;
    }
    BothKeys a = Tree(depth - 1, kind), b = Tree(depth - 1, kind);
    if (op == 1) {
      out.imap = absl::StrCat("OR (", a.imap, ") (", b.imap, ")");
      out.key.kind = Kind::kOr;
    } else {
      out.imap = absl::StrCat("(", a.imap, ") (", b.imap, ")");
      out.key.kind = Kind::kAnd;
    }
    out.key.children.push_back(std::move(a.key));
    out.key.children.push_back(std::move(b.key));
    return out;
  }

  std::mt19937_64 rng_{7};
  store::Principal admin_ = store::PrincipalIssuer::Admin();
  store::Principal bob_ = store::PrincipalIssuer::User("bob");
  store::MailboxId desk_ = 0;
  store::Uid max_uid_ = 0;
  std::vector<store::Uid> uids_by_seq_;
};

TEST_F(SessionSearchTest, ViewKeysEqualTheRecordScanAndReadNoRecord) {
  ASSERT_TRUE(store_->CreateMailbox(admin_, kDesk).ok());
  ASSERT_TRUE(store_->SetAcl(admin_, kDesk, "alice", "lrswipte").ok());
  ASSERT_TRUE(store_->SetAcl(admin_, kDesk, "bob", "lrswipte").ok());
  ASSERT_TRUE(store_
                  ->SetPrivateFlags(admin_, kDesk,
                                    {store::kSeen | store::kFlagged, {"$Todo"}})
                  .ok());
  auto status = store_->GetStatus(alice_, kDesk);
  ASSERT_TRUE(status.ok()) << status.status();
  desk_ = status->id;
  Fill(240);
  ShuffleFlags(alice_, 240);
  ShuffleFlags(bob_, 240);
  // Expunge some, in runs and alone.
  {
    store::StoreFlagsRequest request;
    for (store::Uid uid = 1; uid <= 240; ++uid) {
      if (rng_() % 5 == 0 || (uid >= 100 && uid < 110)) {
        request.uids.push_back(uid);
      }
    }
    request.flags.system = store::kDeleted;
    ASSERT_TRUE(store_->StoreFlags(admin_, desk_, request).ok());
    store::ExpungeRequest expunge;
    expunge.uids = request.uids;
    ASSERT_TRUE(store_->Expunge(admin_, desk_, expunge).ok());
  }
  // Messages the index has not taken in yet.
  Fill(30);
  max_uid_ = 270;
  auto opened = store_->OpenMailbox(alice_, kDesk);
  ASSERT_TRUE(opened.ok()) << opened.status();
  for (const store::MessageMeta& m : opened->messages) {
    uids_by_seq_.push_back(m.uid);
  }
  ASSERT_GT(uids_by_seq_.size(), 150u);

  std::vector<BothKeys> keys;
  for (int q = 0; q < 150; ++q) keys.push_back(Tree(3, q % 3 == 0 ? 0 : 2));
  std::string script = absl::StrCat(kLogin, "a1 SELECT ", kDesk, "\r\n");
  for (size_t q = 0; q < keys.size(); ++q) {
    absl::StrAppend(&script, "q", q, " UID SEARCH ", keys[q].imap, "\r\n");
  }
  absl::StrAppend(&script, "z LOGOUT\r\n");

  store::internal::SearchCounters& counters =
      store::internal::GetSearchCounters();
  const uint64_t records_before = counters.records_read;
  const std::vector<std::string> lines = Run(script);
  EXPECT_EQ(counters.records_read, records_before);

  // The answers in order: each UID SEARCH gives one "* SEARCH" line.
  std::vector<std::vector<store::Uid>> answers;
  std::vector<store::Uid> current;
  for (const std::string& line : lines) {
    if (absl::StartsWith(line, "* SEARCH")) {
      current.clear();
      std::vector<std::string> parts = absl::StrSplit(line, ' ');
      for (size_t i = 2; i < parts.size(); ++i) {
        store::Uid uid = 0;
        ASSERT_TRUE(absl::SimpleAtoi(parts[i], &uid)) << line;
        current.push_back(uid);
      }
    } else if (line.size() > 1 && line[0] == 'q') {
      ASSERT_NE(line.find(" OK "), std::string::npos) << line;
      answers.push_back(current);
    }
  }
  ASSERT_EQ(answers.size(), keys.size());
  size_t proper = 0;
  for (size_t q = 0; q < keys.size(); ++q) {
    auto expected = store_->Search(alice_, desk_, keys[q].key);
    ASSERT_TRUE(expected.ok()) << expected.status();
    EXPECT_EQ(answers[q], *expected) << keys[q].imap;
    proper += !expected->empty() && expected->size() < uids_by_seq_.size();
  }
  EXPECT_GT(proper, keys.size() / 2);
  // The expected answers came from reading records.
  EXPECT_GT(counters.records_read, records_before);
}

// A sequence set turns into UID ranges without listing every message, and
// still means exactly the messages it names when UIDs have gaps.
TEST_F(SessionSearchTest, SequenceSetsOverGaps) {
  for (int i = 0; i < 10; ++i) Append(kMessage);
  auto inbox = store_->GetStatus(alice_, "INBOX");
  ASSERT_TRUE(inbox.ok());
  store::ExpungeRequest expunge;
  expunge.only_deleted = false;
  expunge.uids = std::vector<store::Uid>{3, 4, 8};
  ASSERT_TRUE(store_->Expunge(alice_, inbox->id, expunge).ok());
  const std::vector<std::string> lines = Run(absl::StrCat(
      kLogin, "a1 SELECT INBOX\r\n", "a2 UID SEARCH 2:4\r\n",
      "a3 SEARCH 2:4 NOT 3\r\n", "a4 UID SEARCH 1:* BODY needle 6:7\r\n",
      "z LOGOUT\r\n"));
  EXPECT_EQ(lines[IndexOf(lines, "a2 OK") - 1], "* SEARCH 2 5 6");
  EXPECT_EQ(lines[IndexOf(lines, "a3 OK") - 1], "* SEARCH 2 4");
  EXPECT_EQ(lines[IndexOf(lines, "a4 OK") - 1], "* SEARCH 9 10");
}

}  // namespace
}  // namespace mailroom::imap
