#include "store/engine/testing/engine_conformance.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"

namespace mailroom::store::engine::conformance {

namespace {

// A transaction that must work.
std::unique_ptr<Transaction> MustBegin(Engine& engine) {
  absl::StatusOr<std::unique_ptr<Transaction>> txn = engine.Begin(true);
  EXPECT_TRUE(txn.ok()) << txn.status();
  return txn.ok() ? *std::move(txn) : nullptr;
}

// One representative key of every space, in the shape the mail logic uses.
std::vector<std::pair<Space, std::string>> OneKeyPerSpace() {
  using namespace std::string_literals;
  return {
      {Space::kMeta, "next_mailbox_id"},
      {Space::kUsers, "alice"},
      {Space::kGroups, "staff"},
      {Space::kMailboxNames, "alice\0INBOX"s},
      {Space::kMailboxes, MailboxKey(1)},
      {Space::kMailboxState, MailboxKey(1)},
      {Space::kMessages, MessageKey(1, 1)},
      {Space::kBlobs, BodyHash(1)},
      {Space::kBlobRefs, BodyHash(1)},
      {Space::kStructure, BodyHash(1)},
      {Space::kChangelog, MailboxKey(1) + U64(5)},
      {Space::kIndexQueue, U64(1)},
      {Space::kSubscriptions, "alice\0INBOX"s},
      {Space::kAcl, "m"s + MailboxKey(1) + "bob"},
      {Space::kAcl, "gbob\0"s + MailboxKey(1)},
      {Space::kQuota, "alice"},
      {Space::kRetrieval, MessageKey(1, 1)},
      {Space::kSeen, "u"s + MailboxKey(1) + "bob\0"s},
  };
}

// Increments the u64 counter at (space, key) in `txn` (absent reads as 0).
absl::Status Increment(Transaction& txn, Space space, const std::string& key) {
  absl::StatusOr<std::optional<std::string>> v = txn.GetForUpdate(space, key);
  if (!v.ok()) return v.status();
  uint64_t n = 0;
  if (v->has_value()) {
    if ((*v)->size() != 8) return absl::InternalError("bad counter");
    for (char c : **v) n = (n << 8) | static_cast<uint8_t>(c);
  }
  return txn.Put(space, key, U64(n + 1));
}

uint64_t Counter(const std::optional<std::string>& v) {
  uint64_t n = 0;
  if (v.has_value()) {
    for (char c : *v) n = (n << 8) | static_cast<uint8_t>(c);
  }
  return n;
}

}  // namespace

void PrintTo(const EngineConformanceParam& param, std::ostream* os) {
  *os << param.name;
}

std::string ConformanceParamName(
    const ::testing::TestParamInfo<EngineConformanceParam>& info) {
  return info.param.name;
}

std::string U32(uint32_t v) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
  return out;
}

std::string U64(uint64_t v) {
  std::string out;
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
  return out;
}

std::string MailboxKey(uint64_t mailbox) { return U64(mailbox); }

std::string MessageKey(uint64_t mailbox, uint32_t uid) {
  return U64(mailbox) + U32(uid);
}

std::string BodyHash(int n) {
  std::string hash(32, '\0');
  for (int i = 0; i < 32; ++i)
    hash[i] = static_cast<char>((n * 37 + i * 11) & 0xff);
  return hash;
}

void EngineConformanceTest::SetUp() {
  absl::StatusOr<std::unique_ptr<Engine>> engine = GetParam().factory();
  ASSERT_TRUE(engine.ok()) << engine.status();
  engine_ = *std::move(engine);
}

void EngineConformanceTest::CommitWrites(
    const std::vector<std::pair<std::pair<Space, std::string>,
                                std::optional<std::string>>>& writes) {
  std::unique_ptr<Transaction> txn = MustBegin(*engine_);
  ASSERT_NE(txn, nullptr);
  for (const auto& [where, value] : writes) {
    absl::Status s = value.has_value()
                         ? txn->Put(where.first, where.second, *value)
                         : txn->Delete(where.first, where.second);
    ASSERT_TRUE(s.ok()) << s;
  }
  absl::Status s = txn->Commit();
  ASSERT_TRUE(s.ok()) << s;
}

std::optional<std::string> EngineConformanceTest::Read(Space space,
                                                       std::string_view key) {
  absl::StatusOr<std::optional<std::string>> v =
      engine_->Latest().Get(space, key);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *std::move(v) : std::nullopt;
}

std::vector<std::pair<std::string, std::string>> EngineConformanceTest::ScanAll(
    Space space, std::string_view begin, std::string_view end) {
  std::vector<std::pair<std::string, std::string>> rows;
  absl::Status s = engine_->Latest().Scan(
      space, begin, end, [&](std::string_view key, std::string_view value) {
        rows.emplace_back(key, value);
        return true;
      });
  EXPECT_TRUE(s.ok()) << s;
  return rows;
}

TEST_P(EngineConformanceTest, PutGetDeleteInEverySpace) {
  const auto keys = OneKeyPerSpace();
  for (const auto& [space, key] : keys) {
    EXPECT_EQ(Read(space, key), std::nullopt) << SpaceName(space);
  }
  {
    std::vector<
        std::pair<std::pair<Space, std::string>, std::optional<std::string>>>
        writes;
    for (const auto& [space, key] : keys) {
      writes.push_back({{space, key}, absl::StrCat("v-", SpaceName(space))});
    }
    CommitWrites(writes);
  }
  for (const auto& [space, key] : keys) {
    EXPECT_EQ(Read(space, key), absl::StrCat("v-", SpaceName(space)))
        << SpaceName(space);
  }
  // Overwrite one row of each space (bodies are immutable: skip them).
  {
    std::vector<
        std::pair<std::pair<Space, std::string>, std::optional<std::string>>>
        writes;
    for (const auto& [space, key] : keys) {
      if (space == Space::kBlobs) continue;
      writes.push_back({{space, key}, absl::StrCat("w-", SpaceName(space))});
    }
    CommitWrites(writes);
  }
  for (const auto& [space, key] : keys) {
    if (space == Space::kBlobs) continue;
    EXPECT_EQ(Read(space, key), absl::StrCat("w-", SpaceName(space)))
        << SpaceName(space);
  }
  {
    std::vector<
        std::pair<std::pair<Space, std::string>, std::optional<std::string>>>
        writes;
    for (const auto& [space, key] : keys) {
      writes.push_back({{space, key}, std::nullopt});
    }
    CommitWrites(writes);
  }
  for (const auto& [space, key] : keys) {
    EXPECT_EQ(Read(space, key), std::nullopt) << SpaceName(space);
    EXPECT_TRUE(ScanAll(space, "", "").empty()) << SpaceName(space);
  }
}

TEST_P(EngineConformanceTest, EmptyValueIsPresentAndDeletingAbsentIsFine) {
  CommitWrites({{{Space::kMessages, MessageKey(3, 1)}, ""},
                {{Space::kUsers, "nobody"}, std::nullopt},
                {{Space::kQuota, "carol"}, ""}});
  EXPECT_EQ(Read(Space::kMessages, MessageKey(3, 1)), "");
  EXPECT_EQ(Read(Space::kQuota, "carol"), "");
  EXPECT_EQ(Read(Space::kUsers, "nobody"), std::nullopt);
  EXPECT_EQ(ScanAll(Space::kMessages, "", "").size(), 1u);
}

TEST_P(EngineConformanceTest, DestroyedTransactionWritesNothing) {
  {
    std::unique_ptr<Transaction> txn = MustBegin(*engine_);
    ASSERT_NE(txn, nullptr);
    for (const auto& [space, key] : OneKeyPerSpace()) {
      ASSERT_TRUE(txn->Put(space, key, "x").ok());
    }
    // Destroyed without Commit.
  }
  for (const auto& [space, key] : OneKeyPerSpace()) {
    EXPECT_EQ(Read(space, key), std::nullopt) << SpaceName(space);
  }
}

// A transaction over many objects and spaces, like an append: the mailbox
// state and message, the owner's quota, the body and its count, the index
// queue. All of it or none of it.
TEST_P(EngineConformanceTest, CommitAcrossSpacesIsAllOrNothing) {
  const std::string state = MailboxKey(7);
  CommitWrites({{{Space::kMailboxState, state}, "s0"},
                {{Space::kQuota, "alice"}, "q0"}});

  auto append_like = [&](Transaction& txn, const std::string& tag) {
    EXPECT_TRUE(txn.GetForUpdate(Space::kMailboxState, state).ok());
    EXPECT_TRUE(txn.GetForUpdate(Space::kQuota, "alice").ok());
    EXPECT_TRUE(txn.GetForUpdate(Space::kBlobRefs, BodyHash(9)).ok());
    EXPECT_TRUE(
        txn.Put(Space::kMailboxState, state, absl::StrCat("s-", tag)).ok());
    EXPECT_TRUE(txn.Put(Space::kMessages, MessageKey(7, 1), tag).ok());
    EXPECT_TRUE(txn.Put(Space::kChangelog, state + U64(1), tag).ok());
    EXPECT_TRUE(txn.Put(Space::kQuota, "alice", absl::StrCat("q-", tag)).ok());
    EXPECT_TRUE(txn.Put(Space::kBlobs, BodyHash(9), "body nine").ok());
    EXPECT_TRUE(txn.Put(Space::kBlobRefs, BodyHash(9), U64(1)).ok());
    EXPECT_TRUE(txn.Put(Space::kStructure, BodyHash(9), tag).ok());
    EXPECT_TRUE(txn.Put(Space::kIndexQueue, U64(42), tag).ok());
  };

  // Loses a conflict on the quota key: nothing of it may appear.
  {
    std::unique_ptr<Transaction> loser = MustBegin(*engine_);
    ASSERT_NE(loser, nullptr);
    append_like(*loser, "lost");
    // Someone else changes the owner's quota meanwhile. An engine that
    // locks pessimistically refuses this commit instead (kAborted).
    std::unique_ptr<Transaction> other = MustBegin(*engine_);
    ASSERT_NE(other, nullptr);
    absl::Status other_status = other->Put(Space::kQuota, "alice", "q-other");
    if (other_status.ok()) other_status = other->Commit();
    absl::Status loser_status = loser->Commit();
    ASSERT_TRUE(other_status.ok() != loser_status.ok())
        << "other: " << other_status << ", loser: " << loser_status;
    if (!loser_status.ok()) {
      EXPECT_EQ(loser_status.code(), absl::StatusCode::kAborted)
          << loser_status;
      EXPECT_EQ(Read(Space::kMailboxState, state), "s0");
      EXPECT_EQ(Read(Space::kMessages, MessageKey(7, 1)), std::nullopt);
      EXPECT_EQ(Read(Space::kChangelog, state + U64(1)), std::nullopt);
      EXPECT_EQ(Read(Space::kQuota, "alice"), "q-other");
      EXPECT_EQ(Read(Space::kBlobs, BodyHash(9)), std::nullopt);
      EXPECT_EQ(Read(Space::kBlobRefs, BodyHash(9)), std::nullopt);
      EXPECT_EQ(Read(Space::kStructure, BodyHash(9)), std::nullopt);
      EXPECT_EQ(Read(Space::kIndexQueue, U64(42)), std::nullopt);
    } else {
      EXPECT_EQ(other_status.code(), absl::StatusCode::kAborted)
          << other_status;
      EXPECT_EQ(Read(Space::kQuota, "alice"), "q-lost");
    }
  }
  // Commits: all of it appears.
  {
    std::unique_ptr<Transaction> txn = MustBegin(*engine_);
    ASSERT_NE(txn, nullptr);
    append_like(*txn, "won");
    ASSERT_TRUE(txn->Commit().ok());
  }
  EXPECT_EQ(Read(Space::kMailboxState, state), "s-won");
  EXPECT_EQ(Read(Space::kMessages, MessageKey(7, 1)), "won");
  EXPECT_EQ(Read(Space::kChangelog, state + U64(1)), "won");
  EXPECT_EQ(Read(Space::kQuota, "alice"), "q-won");
  EXPECT_EQ(Read(Space::kBlobs, BodyHash(9)), "body nine");
  EXPECT_EQ(Read(Space::kBlobRefs, BodyHash(9)), U64(1));
  EXPECT_EQ(Read(Space::kStructure, BodyHash(9)), "won");
  EXPECT_EQ(Read(Space::kIndexQueue, U64(42)), "won");

  // Dropping the last reference removes the body with its rows.
  {
    std::unique_ptr<Transaction> txn = MustBegin(*engine_);
    ASSERT_NE(txn, nullptr);
    ASSERT_TRUE(txn->GetForUpdate(Space::kBlobRefs, BodyHash(9)).ok());
    ASSERT_TRUE(txn->Delete(Space::kBlobRefs, BodyHash(9)).ok());
    ASSERT_TRUE(txn->Delete(Space::kBlobs, BodyHash(9)).ok());
    ASSERT_TRUE(txn->Delete(Space::kStructure, BodyHash(9)).ok());
    ASSERT_TRUE(txn->Delete(Space::kMessages, MessageKey(7, 1)).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  EXPECT_EQ(Read(Space::kBlobs, BodyHash(9)), std::nullopt);
  EXPECT_EQ(Read(Space::kBlobRefs, BodyHash(9)), std::nullopt);
  EXPECT_EQ(
      engine_->ReadRange(Space::kBlobs, BodyHash(9), 0, 10).status().code(),
      absl::StatusCode::kNotFound);
  // And storing the same body again works.
  CommitWrites({{{Space::kBlobs, BodyHash(9)}, "body nine"},
                {{Space::kBlobRefs, BodyHash(9)}, U64(1)}});
  EXPECT_EQ(Read(Space::kBlobs, BodyHash(9)), "body nine");
}

TEST_P(EngineConformanceTest, ReadsInsideATransactionSeeItsWrites) {
  CommitWrites({{{Space::kMessages, MessageKey(2, 1)}, "one"},
                {{Space::kMessages, MessageKey(2, 2)}, "two"},
                {{Space::kQuota, "bob"}, "q"}});
  std::unique_ptr<Transaction> txn = MustBegin(*engine_);
  ASSERT_NE(txn, nullptr);
  ASSERT_TRUE(txn->Put(Space::kMessages, MessageKey(2, 3), "three").ok());
  ASSERT_TRUE(txn->Put(Space::kMessages, MessageKey(2, 1), "ONE").ok());
  ASSERT_TRUE(txn->Delete(Space::kMessages, MessageKey(2, 2)).ok());
  ASSERT_TRUE(txn->Put(Space::kBlobs, BodyHash(4), "a body").ok());
  ASSERT_TRUE(txn->Put(Space::kQuota, "bob", "q2").ok());

  EXPECT_EQ(*txn->Get(Space::kMessages, MessageKey(2, 1)), "ONE");
  EXPECT_EQ(*txn->Get(Space::kMessages, MessageKey(2, 2)), std::nullopt);
  EXPECT_EQ(*txn->Get(Space::kMessages, MessageKey(2, 3)), "three");
  EXPECT_EQ(*txn->Get(Space::kBlobs, BodyHash(4)), "a body");
  EXPECT_EQ(*txn->GetForUpdate(Space::kQuota, "bob"), "q2");
  absl::StatusOr<std::vector<std::optional<std::string>>> many = txn->MultiGet(
      Space::kMessages,
      {MessageKey(2, 1), MessageKey(2, 2), MessageKey(2, 3), MessageKey(2, 4)});
  ASSERT_TRUE(many.ok()) << many.status();
  EXPECT_EQ(*many, (std::vector<std::optional<std::string>>{
                       "ONE", std::nullopt, "three", std::nullopt}));
  // Outside the transaction nothing changed yet.
  EXPECT_EQ(Read(Space::kMessages, MessageKey(2, 1)), "one");
  EXPECT_EQ(Read(Space::kMessages, MessageKey(2, 3)), std::nullopt);
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ(Read(Space::kMessages, MessageKey(2, 1)), "ONE");
  EXPECT_EQ(Read(Space::kMessages, MessageKey(2, 2)), std::nullopt);
  EXPECT_EQ(Read(Space::kQuota, "bob"), "q2");
}

TEST_P(EngineConformanceTest, ScanInsideATransactionMergesBufferedWrites) {
  CommitWrites({{{Space::kMessages, MessageKey(5, 1)}, "1"},
                {{Space::kMessages, MessageKey(5, 3)}, "3"},
                {{Space::kMessages, MessageKey(5, 5)}, "5"},
                {{Space::kMessages, MessageKey(6, 1)}, "other mailbox"}});
  std::unique_ptr<Transaction> txn = MustBegin(*engine_);
  ASSERT_NE(txn, nullptr);
  ASSERT_TRUE(txn->Put(Space::kMessages, MessageKey(5, 0), "0").ok());
  ASSERT_TRUE(txn->Put(Space::kMessages, MessageKey(5, 2), "2").ok());
  ASSERT_TRUE(txn->Delete(Space::kMessages, MessageKey(5, 3)).ok());
  ASSERT_TRUE(txn->Put(Space::kMessages, MessageKey(5, 5), "five").ok());
  ASSERT_TRUE(txn->Put(Space::kMessages, MessageKey(5, 9), "9").ok());
  ASSERT_TRUE(txn->Put(Space::kMessages, MessageKey(4, 1), "before").ok());
  ASSERT_TRUE(
      txn->Put(Space::kMailboxState, MailboxKey(5), "other space").ok());

  std::vector<std::pair<std::string, std::string>> rows;
  auto collect = [&](std::string_view key, std::string_view value) {
    rows.emplace_back(key, value);
    return true;
  };
  ASSERT_TRUE(
      txn->Scan(Space::kMessages, MailboxKey(5), MailboxKey(6), collect).ok());
  EXPECT_EQ(rows, (std::vector<std::pair<std::string, std::string>>{
                      {MessageKey(5, 0), "0"},
                      {MessageKey(5, 1), "1"},
                      {MessageKey(5, 2), "2"},
                      {MessageKey(5, 5), "five"},
                      {MessageKey(5, 9), "9"}}));
  // Unbounded: every mailbox, in order, buffered and stored merged.
  rows.clear();
  ASSERT_TRUE(txn->Scan(Space::kMessages, "", "", collect).ok());
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows.front().second, "before");
  EXPECT_EQ(rows.back().second, "other mailbox");
  // Early stop inside buffered rows.
  rows.clear();
  ASSERT_TRUE(txn->Scan(Space::kMessages, MailboxKey(5), "",
                        [&](std::string_view key, std::string_view value) {
                          rows.emplace_back(key, value);
                          return rows.size() < 3;
                        })
                  .ok());
  EXPECT_EQ(rows.size(), 3u);
}

// Save points nest: a rollback undoes the Puts and Deletes since the latest
// one (and only those), a pop keeps them, and the enclosing save point can
// still undo them.
TEST_P(EngineConformanceTest, SavePointsUndoOnlyTheirWrites) {
  CommitWrites({{{Space::kMessages, MessageKey(70, 1)}, "stored"},
                {{Space::kQuota, "gina"}, "q0"}});
  std::unique_ptr<Transaction> txn = MustBegin(*engine_);
  ASSERT_NE(txn, nullptr);
  EXPECT_FALSE(txn->RollbackToSavePoint().ok());  // none yet
  ASSERT_TRUE(txn->Put(Space::kMessages, MessageKey(70, 2), "kept").ok());
  txn->SetSavePoint();
  ASSERT_TRUE(txn->Put(Space::kMessages, MessageKey(70, 3), "undone").ok());
  ASSERT_TRUE(txn->Put(Space::kMessages, MessageKey(70, 2), "undone").ok());
  ASSERT_TRUE(txn->Delete(Space::kMessages, MessageKey(70, 1)).ok());
  ASSERT_TRUE(txn->Put(Space::kBlobs, BodyHash(70), "undone body").ok());
  ASSERT_TRUE(txn->RollbackToSavePoint().ok());
  EXPECT_EQ(*txn->Get(Space::kMessages, MessageKey(70, 1)), "stored");
  EXPECT_EQ(*txn->Get(Space::kMessages, MessageKey(70, 2)), "kept");
  EXPECT_EQ(*txn->Get(Space::kMessages, MessageKey(70, 3)), std::nullopt);
  EXPECT_EQ(*txn->Get(Space::kBlobs, BodyHash(70)), std::nullopt);

  // Nested: the inner one popped, the outer one rolled back.
  txn->SetSavePoint();
  ASSERT_TRUE(txn->Put(Space::kQuota, "gina", "q-outer").ok());
  txn->SetSavePoint();
  ASSERT_TRUE(txn->Put(Space::kQuota, "gina", "q-inner").ok());
  ASSERT_TRUE(txn->Put(Space::kMessages, MessageKey(70, 4), "inner").ok());
  ASSERT_TRUE(txn->PopSavePoint().ok());
  EXPECT_EQ(*txn->Get(Space::kQuota, "gina"), "q-inner");
  ASSERT_TRUE(txn->RollbackToSavePoint().ok());
  EXPECT_EQ(*txn->Get(Space::kQuota, "gina"), "q0");
  EXPECT_EQ(*txn->Get(Space::kMessages, MessageKey(70, 4)), std::nullopt);

  // Popped writes commit.
  txn->SetSavePoint();
  ASSERT_TRUE(txn->Put(Space::kMessages, MessageKey(70, 5), "popped").ok());
  ASSERT_TRUE(txn->PopSavePoint().ok());
  EXPECT_FALSE(txn->PopSavePoint().ok());
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ(Read(Space::kMessages, MessageKey(70, 1)), "stored");
  EXPECT_EQ(Read(Space::kMessages, MessageKey(70, 2)), "kept");
  EXPECT_EQ(Read(Space::kMessages, MessageKey(70, 3)), std::nullopt);
  EXPECT_EQ(Read(Space::kMessages, MessageKey(70, 4)), std::nullopt);
  EXPECT_EQ(Read(Space::kMessages, MessageKey(70, 5)), "popped");
  EXPECT_EQ(Read(Space::kQuota, "gina"), "q0");
  EXPECT_EQ(Read(Space::kBlobs, BodyHash(70)), std::nullopt);
}

// A key locked after a save point stays locked when it is rolled back.
// GetForUpdate is a lock: when another transaction commits the key in
// between, one of the two commits fails with kAborted (an optimistic
// engine fails the reader's, a pessimistic one the writer's), never both
// succeed.
TEST_P(EngineConformanceTest, GetForUpdateConflictAborts) {
  const std::string state = MailboxKey(11);
  CommitWrites({{{Space::kMailboxState, state}, "v0"}});
  std::unique_ptr<Transaction> reader = MustBegin(*engine_);
  ASSERT_NE(reader, nullptr);
  ASSERT_EQ(*reader->GetForUpdate(Space::kMailboxState, state), "v0");
  ASSERT_TRUE(reader->Put(Space::kMessages, MessageKey(11, 1), "m").ok());
  ASSERT_TRUE(reader->Put(Space::kMailboxState, state, "v-reader").ok());

  std::unique_ptr<Transaction> writer = MustBegin(*engine_);
  ASSERT_NE(writer, nullptr);
  absl::Status writer_status =
      writer->Put(Space::kMailboxState, state, "v-writer");
  if (writer_status.ok()) writer_status = writer->Commit();
  absl::Status reader_status = reader->Commit();
  ASSERT_NE(writer_status.ok(), reader_status.ok())
      << "writer: " << writer_status << ", reader: " << reader_status;
  if (writer_status.ok()) {
    EXPECT_EQ(reader_status.code(), absl::StatusCode::kAborted);
    EXPECT_EQ(Read(Space::kMailboxState, state), "v-writer");
    EXPECT_EQ(Read(Space::kMessages, MessageKey(11, 1)), std::nullopt);
  } else {
    EXPECT_EQ(writer_status.code(), absl::StatusCode::kAborted);
    EXPECT_EQ(Read(Space::kMailboxState, state), "v-reader");
  }
}

// The lock is on the key, also while it is absent: a transaction that
// found no row and creates one conflicts with another creating it too.
TEST_P(EngineConformanceTest, GetForUpdateOfAbsentKeyConflicts) {
  std::unique_ptr<Transaction> first = MustBegin(*engine_);
  ASSERT_NE(first, nullptr);
  ASSERT_EQ(*first->GetForUpdate(Space::kBlobRefs, BodyHash(2)), std::nullopt);
  ASSERT_TRUE(first->Put(Space::kBlobRefs, BodyHash(2), U64(1)).ok());
  ASSERT_TRUE(first->Put(Space::kMessages, MessageKey(12, 1), "a").ok());

  std::unique_ptr<Transaction> second = MustBegin(*engine_);
  ASSERT_NE(second, nullptr);
  absl::Status second_status =
      second->Put(Space::kBlobRefs, BodyHash(2), U64(7));
  if (second_status.ok()) second_status = second->Commit();
  absl::Status first_status = first->Commit();
  ASSERT_NE(first_status.ok(), second_status.ok())
      << "first: " << first_status << ", second: " << second_status;
  EXPECT_EQ(Read(Space::kBlobRefs, BodyHash(2)),
            first_status.ok() ? U64(1) : U64(7));
  EXPECT_EQ(Read(Space::kMessages, MessageKey(12, 1)),
            first_status.ok() ? std::optional<std::string>("a") : std::nullopt);
}

TEST_P(EngineConformanceTest, PlainGetDoesNotLock) {
  const std::string state = MailboxKey(13);
  CommitWrites({{{Space::kMailboxState, state}, "v0"}});
  std::unique_ptr<Transaction> reader = MustBegin(*engine_);
  ASSERT_NE(reader, nullptr);
  ASSERT_EQ(*reader->Get(Space::kMailboxState, state), "v0");
  ASSERT_TRUE(reader->Put(Space::kMessages, MessageKey(13, 1), "m").ok());
  CommitWrites({{{Space::kMailboxState, state}, "v1"}});
  EXPECT_TRUE(reader->Commit().ok());
  EXPECT_EQ(Read(Space::kMailboxState, state), "v1");
  EXPECT_EQ(Read(Space::kMessages, MessageKey(13, 1)), "m");
}

namespace {

// Runs `threads` x `per_thread` transactions of `body`, each retried on
// kAborted until it commits.
void RunConcurrently(Engine& engine, int threads, int per_thread,
                     const std::function<absl::Status(Transaction&)>& body) {
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i) {
        bool done = false;
        for (int attempt = 0; attempt < 5000 && !done; ++attempt) {
          absl::StatusOr<std::unique_ptr<Transaction>> txn = engine.Begin(true);
          if (!txn.ok()) break;
          absl::Status s = body(**txn);
          if (s.ok()) s = (*txn)->Commit();
          if (s.ok()) {
            done = true;
          } else if (s.code() != absl::StatusCode::kAborted) {
            ADD_FAILURE() << s;
            break;
          } else {
            std::this_thread::sleep_for(
                std::chrono::microseconds(200 * (1 + attempt % 16)));
          }
        }
        if (!done) ++failures;
      }
    });
  }
  for (std::thread& w : workers) w.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace

TEST_P(EngineConformanceTest, ConcurrentIncrementsLoseNoUpdate) {
  const std::string state = MailboxKey(21);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 15;
  RunConcurrently(*engine_, kThreads, kPerThread, [&](Transaction& txn) {
    return Increment(txn, Space::kMailboxState, state);
  });
  EXPECT_EQ(Counter(Read(Space::kMailboxState, state)), kThreads * kPerThread);
}

// Two counters in different objects (a mailbox's state and its owner's
// quota), always incremented together.
TEST_P(EngineConformanceTest, ConcurrentIncrementsAcrossObjectsStayEqual) {
  const std::string state = MailboxKey(22);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 8;
  RunConcurrently(*engine_, kThreads, kPerThread, [&](Transaction& txn) {
    absl::Status s = Increment(txn, Space::kMailboxState, state);
    if (!s.ok()) return s;
    return Increment(txn, Space::kQuota, "dave");
  });
  EXPECT_EQ(Counter(Read(Space::kMailboxState, state)), kThreads * kPerThread);
  EXPECT_EQ(Counter(Read(Space::kQuota, "dave")), kThreads * kPerThread);
}

TEST_P(EngineConformanceTest, ScanVisitsKeysInOrderWithinBounds) {
  using namespace std::string_literals;
  // Messages of several mailboxes, written in a scrambled order.
  std::vector<std::string> message_keys;
  for (uint64_t mailbox : {uint64_t{300}, uint64_t{1}, uint64_t{1} << 40,
                           uint64_t{2}, uint64_t{0xff00}}) {
    for (uint32_t uid : {7u, 1u, 0x01000000u, 256u}) {
      message_keys.push_back(MessageKey(mailbox, uid));
    }
  }
  {
    std::vector<
        std::pair<std::pair<Space, std::string>, std::optional<std::string>>>
        writes;
    for (const std::string& key : message_keys) {
      writes.push_back({{Space::kMessages, key}, "m"});
    }
    CommitWrites(writes);
  }
  std::sort(message_keys.begin(), message_keys.end());
  std::vector<std::string> seen;
  for (const auto& [key, value] : ScanAll(Space::kMessages, "", "")) {
    seen.push_back(key);
  }
  EXPECT_EQ(seen, message_keys);
  // Bounds: begin inclusive, end exclusive, in the middle of mailboxes.
  seen.clear();
  for (const auto& [key, value] :
       ScanAll(Space::kMessages, MessageKey(2, 7), MessageKey(300, 256))) {
    seen.push_back(key);
  }
  std::vector<std::string> want;
  for (const std::string& key : message_keys) {
    if (key >= MessageKey(2, 7) && key < MessageKey(300, 256))
      want.push_back(key);
  }
  EXPECT_EQ(seen, want);
  // One mailbox's prefix.
  EXPECT_EQ(ScanAll(Space::kMessages, MailboxKey(1), MailboxKey(2)).size(), 4u);
  EXPECT_TRUE(ScanAll(Space::kMessages, MailboxKey(3), MailboxKey(4)).empty());

  // Users, with names that are prefixes of each other, and their rows.
  CommitWrites({{{Space::kUsers, "bob"}, "u"},
                {{Space::kUsers, "al"}, "u"},
                {{Space::kUsers, "alice"}, "u"},
                {{Space::kUsers, "al2"}, "u"},
                {{Space::kMailboxNames, "alice\0Sent"s}, "n"},
                {{Space::kMailboxNames, "al\0INBOX"s}, "n"},
                {{Space::kMailboxNames, "alice\0INBOX"s}, "n"},
                {{Space::kMailboxNames, "al2\0INBOX"s}, "n"}});
  seen.clear();
  for (const auto& [key, value] : ScanAll(Space::kUsers, "", "")) {
    seen.push_back(key);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"al", "al2", "alice", "bob"}));
  seen.clear();
  for (const auto& [key, value] : ScanAll(Space::kMailboxNames, "", "")) {
    seen.push_back(key);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"al\0INBOX"s, "al2\0INBOX"s,
                                            "alice\0INBOX"s, "alice\0Sent"s}));
  seen.clear();
  for (const auto& [key, value] :
       ScanAll(Space::kMailboxNames, "alice\0"s, "alice\1"s)) {
    seen.push_back(key);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"alice\0INBOX"s, "alice\0Sent"s}));
  seen.clear();
  for (const auto& [key, value] : ScanAll(Space::kUsers, "al", "alice")) {
    seen.push_back(key);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"al", "al2"}));

  // The index queue in sequence order.
  {
    std::vector<
        std::pair<std::pair<Space, std::string>, std::optional<std::string>>>
        writes;
    for (uint64_t seq : {9, 3, 17, 1, 8, 2, 1000, 16}) {
      writes.push_back({{Space::kIndexQueue, U64(seq)}, absl::StrCat(seq)});
    }
    CommitWrites(writes);
  }
  seen.clear();
  for (const auto& [key, value] : ScanAll(Space::kIndexQueue, "", "")) {
    seen.push_back(value);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"1", "2", "3", "8", "9", "16", "17",
                                            "1000"}));
  seen.clear();
  for (const auto& [key, value] :
       ScanAll(Space::kIndexQueue, U64(3), U64(17))) {
    seen.push_back(value);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"3", "8", "9", "16"}));

  // Bodies' counts across hashes of every first byte.
  {
    std::vector<
        std::pair<std::pair<Space, std::string>, std::optional<std::string>>>
        writes;
    for (int n : {5, 200, 17, 90}) {
      writes.push_back({{Space::kBlobRefs, BodyHash(n)}, U64(n)});
    }
    CommitWrites(writes);
  }
  std::vector<std::string> hashes = {BodyHash(5), BodyHash(200), BodyHash(17),
                                     BodyHash(90)};
  std::sort(hashes.begin(), hashes.end());
  seen.clear();
  for (const auto& [key, value] : ScanAll(Space::kBlobRefs, "", "")) {
    seen.push_back(key);
  }
  EXPECT_EQ(seen, hashes);

  // \Seen rows (tag first) and ACL rows ('g' global, 'm' per mailbox).
  CommitWrites({{{Space::kSeen, "u"s + MailboxKey(9) + "bob\0"s}, "s"},
                {{Space::kSeen, "f"s + MailboxKey(9) + "bob\0"s + U32(1)}, "s"},
                {{Space::kSeen, "c"s + MailboxKey(2) + "bob\0"s + U64(1)}, "s"},
                {{Space::kSeen, "f"s + MailboxKey(2) + "amy\0"s + U32(1)}, "s"},
                {{Space::kAcl, "m"s + MailboxKey(9) + "bob"}, "a"},
                {{Space::kAcl, "m"s + MailboxKey(2) + "bob"}, "a"},
                {{Space::kAcl, "gbob\0"s + MailboxKey(9)}, "a"},
                {{Space::kAcl, "gamy\0"s + MailboxKey(2)}, "a"}});
  seen.clear();
  for (const auto& [key, value] : ScanAll(Space::kSeen, "", "")) {
    seen.push_back(key);
  }
  EXPECT_EQ(seen,
            (std::vector<std::string>{"c"s + MailboxKey(2) + "bob\0"s + U64(1),
                                      "f"s + MailboxKey(2) + "amy\0"s + U32(1),
                                      "f"s + MailboxKey(9) + "bob\0"s + U32(1),
                                      "u"s + MailboxKey(9) + "bob\0"s}));
  seen.clear();
  for (const auto& [key, value] : ScanAll(Space::kAcl, "", "")) {
    seen.push_back(key);
  }
  EXPECT_EQ(seen,
            (std::vector<std::string>{
                "gamy\0"s + MailboxKey(2), "gbob\0"s + MailboxKey(9),
                "m"s + MailboxKey(2) + "bob", "m"s + MailboxKey(9) + "bob"}));
  EXPECT_EQ(
      ScanAll(Space::kAcl, "m"s + MailboxKey(9), "m"s + MailboxKey(10)).size(),
      1u);
}

TEST_P(EngineConformanceTest, ScanStopsWhenTold) {
  std::vector<
      std::pair<std::pair<Space, std::string>, std::optional<std::string>>>
      writes;
  for (uint32_t uid = 1; uid <= 10; ++uid) {
    writes.push_back({{Space::kMessages, MessageKey(uid % 3, uid)}, "m"});
  }
  CommitWrites(writes);
  int calls = 0;
  absl::Status s = engine_->Latest().Scan(
      Space::kMessages, "", "",
      [&](std::string_view, std::string_view) { return ++calls < 4; });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(calls, 4);
}

TEST_P(EngineConformanceTest, ManyRowsScanInPages) {
  // More rows than one RADOS omap page (1024) in one mailbox.
  constexpr uint32_t kRows = 2600;
  for (uint32_t base = 0; base < kRows; base += 650) {
    std::vector<
        std::pair<std::pair<Space, std::string>, std::optional<std::string>>>
        writes;
    for (uint32_t uid = base; uid < base + 650; ++uid) {
      writes.push_back({{Space::kMessages, MessageKey(31, uid)}, U32(uid)});
    }
    CommitWrites(writes);
  }
  auto rows = ScanAll(Space::kMessages, MailboxKey(31), MailboxKey(32));
  ASSERT_EQ(rows.size(), kRows);
  for (uint32_t uid = 0; uid < kRows; ++uid) {
    ASSERT_EQ(rows[uid].first, MessageKey(31, uid));
  }
  EXPECT_EQ(
      ScanAll(Space::kMessages, MessageKey(31, 1000), MessageKey(31, 2100))
          .size(),
      1100u);
}

TEST_P(EngineConformanceTest, MultiGetReturnsEachKey) {
  CommitWrites({{{Space::kMessages, MessageKey(40, 1)}, "a"},
                {{Space::kMessages, MessageKey(40, 3)}, "c"},
                {{Space::kMessages, MessageKey(41, 1)}, "d"}});
  absl::StatusOr<std::vector<std::optional<std::string>>> values =
      engine_->Latest().MultiGet(
          Space::kMessages,
          {MessageKey(40, 1), MessageKey(40, 2), MessageKey(40, 3),
           MessageKey(41, 1), MessageKey(42, 1)});
  ASSERT_TRUE(values.ok()) << values.status();
  EXPECT_EQ(*values, (std::vector<std::optional<std::string>>{
                         "a", std::nullopt, "c", "d", std::nullopt}));
  absl::StatusOr<std::unique_ptr<Reader>> snapshot = engine_->Snapshot();
  ASSERT_TRUE(snapshot.ok());
  values = (*snapshot)->MultiGet(Space::kMessages, {});
  ASSERT_TRUE(values.ok());
  EXPECT_TRUE(values->empty());
}

TEST_P(EngineConformanceTest, ReadRangeReadsPartsOfValues) {
  std::string body;
  for (int i = 0; i < 10000; ++i)
    body.push_back(static_cast<char>('a' + i % 26));
  CommitWrites({{{Space::kBlobs, BodyHash(3)}, body},
                {{Space::kMessages, MessageKey(50, 1)}, "0123456789"}});
  auto range = [&](Space space, const std::string& key, uint64_t offset,
                   uint64_t length) {
    return engine_->ReadRange(space, key, offset, length);
  };
  EXPECT_EQ(*range(Space::kBlobs, BodyHash(3), 100, 50), body.substr(100, 50));
  EXPECT_EQ(*range(Space::kBlobs, BodyHash(3), 9990, 50), body.substr(9990));
  EXPECT_EQ(*range(Space::kBlobs, BodyHash(3), 10000, 50), "");
  EXPECT_EQ(*range(Space::kBlobs, BodyHash(3), 20000, 50), "");
  EXPECT_EQ(*range(Space::kBlobs, BodyHash(3), 0, 0), "");
  EXPECT_EQ(*range(Space::kBlobs, BodyHash(3), 0, UINT64_MAX), body);
  EXPECT_EQ(range(Space::kBlobs, BodyHash(4), 0, 10).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(*range(Space::kMessages, MessageKey(50, 1), 3, 4), "3456");
  EXPECT_EQ(*range(Space::kMessages, MessageKey(50, 1), 8, 100), "89");
  EXPECT_EQ(*range(Space::kMessages, MessageKey(50, 1), 10, 1), "");
  EXPECT_EQ(range(Space::kMessages, MessageKey(50, 2), 0, 1).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(EngineConformanceTest, WriteUnguardedAppliesAllWrites) {
  CommitWrites({{{Space::kIndexQueue, U64(1)}, "a"},
                {{Space::kIndexQueue, U64(2)}, "b"},
                {{Space::kIndexQueue, U64(3)}, "c"}});
  absl::Status s = engine_->WriteUnguarded(
      {Mutation{Space::kIndexQueue, U64(1), std::nullopt},
       Mutation{Space::kIndexQueue, U64(2), std::nullopt},
       Mutation{Space::kIndexQueue, U64(99), std::nullopt},
       Mutation{Space::kMeta, "marker", std::optional<std::string>("m")}},
      /*durable=*/true);
  ASSERT_TRUE(s.ok()) << s;
  auto rows = ScanAll(Space::kIndexQueue, "", "");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].second, "c");
  EXPECT_EQ(Read(Space::kMeta, "marker"), "m");
}

TEST_P(EngineConformanceTest, KeysAndValuesAreBinary) {
  using namespace std::string_literals;
  std::string all_bytes;
  for (int c = 0; c < 256; ++c) all_bytes.push_back(static_cast<char>(c));
  const std::string name_key = "a\0b\0\xff\x01"s;  // owner "a", name "b\0..."
  const std::string zero_mailbox = MessageKey(0, 0);  // all zero bytes
  CommitWrites({{{Space::kMailboxNames, name_key}, all_bytes},
                {{Space::kMessages, zero_mailbox}, all_bytes + all_bytes},
                {{Space::kMeta, "\0\0"s}, "\0"s},
                {{Space::kBlobs, std::string(32, '\0')}, all_bytes}});
  EXPECT_EQ(Read(Space::kMailboxNames, name_key), all_bytes);
  EXPECT_EQ(Read(Space::kMailboxNames, "a\0b"s), std::nullopt);
  EXPECT_EQ(Read(Space::kMessages, zero_mailbox), all_bytes + all_bytes);
  EXPECT_EQ(Read(Space::kMeta, "\0\0"s), "\0"s);
  EXPECT_EQ(Read(Space::kMeta, "\0"s), std::nullopt);
  EXPECT_EQ(Read(Space::kBlobs, std::string(32, '\0')), all_bytes);
  auto rows = ScanAll(Space::kMailboxNames, "a\0"s, "a\1"s);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].first, name_key);
  EXPECT_EQ(ScanAll(Space::kMeta, "", "").size(), 1u);
}

// A snapshot sees one committed state of a mailbox's keys: after another
// commit, it reads the old state, or (an engine that cannot keep it, such
// as RADOS) fails with kAborted; it never mixes states.
TEST_P(EngineConformanceTest, SnapshotNeverMixesStatesOfAMailbox) {
  const std::string state = MailboxKey(60);
  CommitWrites({{{Space::kMailboxState, state}, "s1"},
                {{Space::kMessages, MessageKey(60, 1)}, "m1"}});
  absl::StatusOr<std::unique_ptr<Reader>> snapshot = engine_->Snapshot();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  absl::StatusOr<std::optional<std::string>> v =
      (*snapshot)->Get(Space::kMailboxState, state);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v, "s1");
  CommitWrites({{{Space::kMailboxState, state}, "s2"},
                {{Space::kMessages, MessageKey(60, 1)}, "m2"},
                {{Space::kMessages, MessageKey(60, 2)}, "m2"}});
  v = (*snapshot)->Get(Space::kMessages, MessageKey(60, 1));
  if (v.ok()) {
    EXPECT_EQ(*v, "m1");
  } else {
    EXPECT_EQ(v.status().code(), absl::StatusCode::kAborted) << v.status();
  }
  int rows = 0;
  absl::Status s =
      (*snapshot)->Scan(Space::kMessages, MailboxKey(60), MailboxKey(61),
                        [&](std::string_view, std::string_view value) {
                          EXPECT_EQ(value, "m1");
                          ++rows;
                          return true;
                        });
  if (s.ok()) {
    EXPECT_EQ(rows, 1);
  } else {
    EXPECT_EQ(s.code(), absl::StatusCode::kAborted) << s;
  }
  // A new snapshot and Latest() see the new state.
  absl::StatusOr<std::unique_ptr<Reader>> fresh = engine_->Snapshot();
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(*(*fresh)->Get(Space::kMessages, MessageKey(60, 1)), "m2");
  EXPECT_EQ(*(*fresh)->Get(Space::kMailboxState, state), "s2");
  EXPECT_EQ(Read(Space::kMailboxState, state), "s2");
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(EngineConformanceTest);

}  // namespace mailroom::store::engine::conformance
