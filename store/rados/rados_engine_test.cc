// The RADOS engine against a real Ceph cluster: the engine conformance
// suite, then what only this engine has (the multi-object commit protocol
// interrupted at each step, two engines on one namespace, large bodies, the
// layout format version).
//
// Needs a cluster: MAILROOM_RADOS_CONF names its ceph.conf (for a
// development cluster: scripts/ceph_dev_cluster.sh start DIR prints it),
// MAILROOM_RADOS_POOL the pool (default "mailroom"), MAILROOM_RADOS_USER the
// client id (default "admin"). Without MAILROOM_RADOS_CONF the test fails.
// Every test runs in a fresh random RADOS namespace, removed afterwards.
#include <sys/time.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

#include <gtest/gtest.h>
#include <rados/librados.hpp>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "store/engine/testing/engine_conformance.h"
#include "store/rados/layout.h"
#include "store/rados/rados_engine.h"

namespace mailroom::store::rados {
namespace {

using engine::Engine;
using engine::Space;
using engine::Transaction;
using engine::conformance::BodyHash;
using engine::conformance::EngineConformanceParam;
using engine::conformance::EngineConformanceTest;
using engine::conformance::MailboxKey;
using engine::conformance::MessageKey;
using engine::conformance::U64;

std::string Env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : std::string(fallback);
}

// Namespaces made by this run, emptied at the end.
absl::Mutex namespaces_mu;
std::vector<std::string>* namespaces = new std::vector<std::string>();

std::string NewNamespace() {
  static absl::BitGen* gen = new absl::BitGen();
  absl::MutexLock lock(&namespaces_mu);
  std::string ns = absl::StrCat("test-", absl::Uniform<uint64_t>(*gen));
  namespaces->push_back(ns);
  return ns;
}

RadosOptions BaseOptions(const std::string& ns) {
  RadosOptions options;
  options.conf_file = Env("MAILROOM_RADOS_CONF", "");
  options.pool = Env("MAILROOM_RADOS_POOL", "mailroom");
  options.user = Env("MAILROOM_RADOS_USER", "admin");
  options.ns = ns;
  options.op_timeout_seconds = 30;
  return options;
}

absl::StatusOr<std::unique_ptr<Engine>> OpenFresh() {
  return OpenRadosEngine(BaseOptions(NewNamespace()));
}

INSTANTIATE_TEST_SUITE_P(Rados, EngineConformanceTest,
                         ::testing::Values(EngineConformanceParam{"rados",
                                                                  &OpenFresh}),
                         engine::conformance::ConformanceParamName);

// Raw librados access to a namespace, to look behind the engine's back.
class RawPool {
 public:
  explicit RawPool(const std::string& ns) {
    RadosOptions options = BaseOptions(ns);
    EXPECT_EQ(cluster_.init(options.user.c_str()), 0);
    EXPECT_EQ(cluster_.conf_read_file(options.conf_file.c_str()), 0);
    EXPECT_EQ(cluster_.connect(), 0);
    EXPECT_EQ(cluster_.ioctx_create(options.pool.c_str(), io_), 0);
    io_.set_namespace(ns);
  }
  ~RawPool() {
    io_.close();
    cluster_.shutdown();
  }

  std::vector<std::string> Objects() {
    std::vector<std::string> names;
    for (auto it = io_.nobjects_begin(); it != io_.nobjects_end(); ++it) {
      names.push_back(it->get_oid());
    }
    std::sort(names.begin(), names.end());
    return names;
  }
  std::map<std::string, std::string> Omap(const std::string& object) {
    std::map<std::string, std::string> out;
    std::string after;
    while (true) {
      std::map<std::string, librados::bufferlist> page;
      bool more = false;
      if (io_.omap_get_vals2(object, after, 1000, &page, &more) < 0) break;
      for (auto& [k, v] : page) out[k] = v.to_str();
      if (!more || page.empty()) break;
      after = page.rbegin()->first;
    }
    return out;
  }
  // Lock rows and transaction records left anywhere in the namespace.
  std::vector<std::string> Leftovers() {
    std::vector<std::string> found;
    for (const std::string& object : Objects()) {
      if (object.rfind("txn.", 0) == 0) found.push_back(object);
      for (const auto& [key, value] : Omap(object)) {
        if (!key.empty() && key[0] == kLockPrefix) {
          found.push_back(absl::StrCat(object, " lock"));
        }
      }
    }
    return found;
  }
  void RemoveAll() {
    for (const std::string& object : Objects()) io_.remove(object);
  }
  librados::IoCtx& io() { return io_; }

 private:
  librados::Rados cluster_;
  librados::IoCtx io_;
};

class EmptyNamespaces : public ::testing::Environment {
 public:
  void TearDown() override {
    absl::MutexLock lock(&namespaces_mu);
    for (const std::string& ns : *namespaces) RawPool(ns).RemoveAll();
  }
};

class RadosEngineTest : public ::testing::Test {
 protected:
  void SetUp() override { ns_ = NewNamespace(); }

  std::unique_ptr<Engine> Open(int stop_after_step = 0) {
    RadosOptions options = BaseOptions(ns_);
    options.txn_timeout_seconds = 1;
    options.testing_stop_after_step = stop_after_step;
    absl::StatusOr<std::unique_ptr<Engine>> engine = OpenRadosEngine(options);
    EXPECT_TRUE(engine.ok()) << engine.status();
    return engine.ok() ? *std::move(engine) : nullptr;
  }

  std::string ns_;
};

std::optional<std::string> Get(Engine& engine, Space space,
                               const std::string& key) {
  absl::StatusOr<std::optional<std::string>> v =
      engine.Latest().Get(space, key);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : std::nullopt;
}

absl::Status Commit(
    Engine& engine,
    const std::vector<std::pair<std::pair<Space, std::string>, std::string>>&
        puts) {
  absl::StatusOr<std::unique_ptr<Transaction>> txn = engine.Begin(true);
  if (!txn.ok()) return txn.status();
  for (const auto& [where, value] : puts) {
    absl::Status s = (*txn)->Put(where.first, where.second, value);
    if (!s.ok()) return s;
  }
  return (*txn)->Commit();
}

// An append-like transaction over five objects: the mailbox, the owner's
// user object, a body shard (plus the body's data object), an index queue
// shard, and the mailbox directory (first message row of the mailbox).
absl::Status AppendLike(Engine& engine, const std::string& tag) {
  absl::StatusOr<std::unique_ptr<Transaction>> txn = engine.Begin(true);
  if (!txn.ok()) return txn.status();
  Transaction& t = **txn;
  for (auto [space, key] : {std::pair(Space::kMailboxState, MailboxKey(5)),
                            std::pair(Space::kQuota, std::string("erin"))}) {
    absl::StatusOr<std::optional<std::string>> v = t.GetForUpdate(space, key);
    if (!v.ok()) return v.status();
  }
  for (auto [space, key, value] :
       {std::tuple(Space::kMailboxState, MailboxKey(5), "state-" + tag),
        std::tuple(Space::kQuota, std::string("erin"), "quota-" + tag),
        std::tuple(Space::kMessages, MessageKey(5, 1), "message-" + tag),
        std::tuple(Space::kBlobs, BodyHash(5), std::string("the body")),
        std::tuple(Space::kBlobRefs, BodyHash(5), U64(1)),
        std::tuple(Space::kIndexQueue, U64(77), "work-" + tag)}) {
    absl::Status s = t.Put(space, key, value);
    if (!s.ok()) return s;
  }
  return t.Commit();
}

// A committer that dies after each step of the protocol; the next reader
// and writer (another engine, as another node would) must see the
// transaction rolled back before the commit point and rolled forward after.
TEST_F(RadosEngineTest, InterruptedMultiObjectCommitIsResolved) {
  for (int step = 1; step <= 5; ++step) {
    SCOPED_TRACE(absl::StrCat("stopped after step ", step));
    ns_ = NewNamespace();
    std::unique_ptr<Engine> other = Open();
    ASSERT_NE(other, nullptr);
    ASSERT_TRUE(
        Commit(*other, {{{Space::kMailboxState, MailboxKey(5)}, "state-old"},
                        {{Space::kQuota, "erin"}, "quota-old"}})
            .ok());
    {
      std::unique_ptr<Engine> dying = Open(step);
      ASSERT_NE(dying, nullptr);
      absl::Status s = AppendLike(*dying, "new");
      ASSERT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
    }
    const bool committed = step >= 4;
    const std::string tag = committed ? "new" : "old";
    // Readers resolve at once: roll forward, or read the last committed
    // values under a pending transaction's locks.
    EXPECT_EQ(Get(*other, Space::kMailboxState, MailboxKey(5)), "state-" + tag);
    EXPECT_EQ(Get(*other, Space::kQuota, "erin"), "quota-" + tag);
    if (committed) {
      EXPECT_EQ(Get(*other, Space::kMessages, MessageKey(5, 1)), "message-new");
      EXPECT_EQ(Get(*other, Space::kBlobs, BodyHash(5)), "the body");
      EXPECT_EQ(Get(*other, Space::kBlobRefs, BodyHash(5)), U64(1));
      EXPECT_EQ(Get(*other, Space::kIndexQueue, U64(77)), "work-new");
    } else {
      EXPECT_EQ(Get(*other, Space::kMessages, MessageKey(5, 1)), std::nullopt);
      EXPECT_EQ(Get(*other, Space::kBlobs, BodyHash(5)), std::nullopt);
      EXPECT_EQ(Get(*other, Space::kBlobRefs, BodyHash(5)), std::nullopt);
      EXPECT_EQ(Get(*other, Space::kIndexQueue, U64(77)), std::nullopt);
      absl::StatusOr<std::string> range =
          other->ReadRange(Space::kBlobs, BodyHash(5), 0, 3);
      EXPECT_EQ(range.status().code(), absl::StatusCode::kNotFound);
    }
    // Scans agree with point reads.
    int messages = 0;
    ASSERT_TRUE(other->Latest()
                    .Scan(Space::kMessages, "", "",
                          [&](std::string_view, std::string_view) {
                            ++messages;
                            return true;
                          })
                    .ok());
    EXPECT_EQ(messages, committed ? 1 : 0);
    // A writer gets through: a pending transaction's locks expire (1 s
    // here) and are rolled back; the retry loop is the caller's, as in the
    // store's RunTxn.
    absl::Status s;
    for (int attempt = 0; attempt < 40; ++attempt) {
      s = AppendLike(*other, "later");
      if (s.code() != absl::StatusCode::kAborted) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(s.ok()) << s;
    EXPECT_EQ(Get(*other, Space::kMailboxState, MailboxKey(5)), "state-later");
    EXPECT_EQ(Get(*other, Space::kMessages, MessageKey(5, 1)), "message-later");
    // Nothing is left locked. Step 1 leaves a record that never locked
    // anything and step 5 one whose locks are gone: leaks, not locks.
    RawPool raw(ns_);
    std::vector<std::string> leftovers;
    for (int wait = 0; wait < 20; ++wait) {  // record deletion is async
      leftovers = raw.Leftovers();
      if (leftovers.size() <= ((step == 1 || step == 5) ? 1u : 0u)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    for (const std::string& leftover : leftovers) {
      EXPECT_EQ(leftover.rfind("txn.", 0), 0u) << leftover;
    }
    EXPECT_LE(leftovers.size(), (step == 1 || step == 5) ? 1u : 0u);
  }
}

// A lock whose transaction record does not exist (its committer died
// after a roll back deleted the record) is removed by the next reader.
TEST_F(RadosEngineTest, LockWithoutRecordIsRemoved) {
  std::unique_ptr<Engine> engine = Open();
  ASSERT_NE(engine, nullptr);
  ASSERT_TRUE(
      Commit(*engine, {{{Space::kMailboxState, MailboxKey(8)}, "v1"}}).ok());
  RawPool raw(ns_);
  const std::string object = MailboxObject(MailboxKey(8));
  const std::string row = OmapKey(Space::kMailboxState, MailboxKey(8));
  std::map<std::string, librados::bufferlist> lock;
  lock[LockKey(row)].append(EncodeId(0x1234567));
  ASSERT_EQ(raw.io().omap_set(object, lock), 0);

  EXPECT_EQ(Get(*engine, Space::kMailboxState, MailboxKey(8)), "v1");
  EXPECT_FALSE(raw.Omap(object).contains(LockKey(row)));
  ASSERT_TRUE(
      Commit(*engine, {{{Space::kMailboxState, MailboxKey(8)}, "v2"}}).ok());
  EXPECT_EQ(Get(*engine, Space::kMailboxState, MailboxKey(8)), "v2");
}

// Two engines on one namespace are two nodes: each sees the other's
// commits, and their GetForUpdate locks conflict.
TEST_F(RadosEngineTest, TwoNodesShareCommitsAndConflicts) {
  std::unique_ptr<Engine> a = Open();
  std::unique_ptr<Engine> b = Open();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(Commit(*a, {{{Space::kUsers, "frank"}, "account"},
                          {{Space::kMailboxState, MailboxKey(9)}, "s1"}})
                  .ok());
  EXPECT_EQ(Get(*b, Space::kUsers, "frank"), "account");
  EXPECT_EQ(Get(*b, Space::kMailboxState, MailboxKey(9)), "s1");

  absl::StatusOr<std::unique_ptr<Transaction>> on_a = a->Begin(true);
  ASSERT_TRUE(on_a.ok());
  ASSERT_EQ(*(*on_a)->GetForUpdate(Space::kMailboxState, MailboxKey(9)), "s1");
  ASSERT_TRUE((*on_a)->Put(Space::kMailboxState, MailboxKey(9), "from a").ok());
  ASSERT_TRUE((*on_a)->Put(Space::kQuota, "frank", "charged by a").ok());
  ASSERT_TRUE(
      Commit(*b, {{{Space::kMailboxState, MailboxKey(9)}, "from b"}}).ok());
  absl::Status s = (*on_a)->Commit();
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted) << s;
  EXPECT_EQ(Get(*a, Space::kMailboxState, MailboxKey(9)), "from b");
  EXPECT_EQ(Get(*a, Space::kQuota, "frank"), std::nullopt);

  // Both nodes increment two counters in two objects at once.
  constexpr int kPerThread = 6;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (Engine* engine : {a.get(), b.get(), a.get(), b.get()}) {
    threads.emplace_back([engine, &failures] {
      for (int i = 0; i < kPerThread; ++i) {
        bool done = false;
        for (int attempt = 0; attempt < 2000 && !done; ++attempt) {
          absl::StatusOr<std::unique_ptr<Transaction>> txn =
              engine->Begin(true);
          if (!txn.ok()) break;
          absl::Status st;
          for (auto [space, key] :
               {std::pair(Space::kMailboxState, MailboxKey(10)),
                std::pair(Space::kQuota, std::string("frank"))}) {
            absl::StatusOr<std::optional<std::string>> v =
                (*txn)->GetForUpdate(space, key);
            if (!v.ok()) {
              st = v.status();
              break;
            }
            uint64_t n = v->has_value() ? DecodeId(**v) : 0;
            st = (*txn)->Put(space, key, U64(n + 1));
          }
          if (st.ok()) st = (*txn)->Commit();
          if (st.ok()) {
            done = true;
          } else if (st.code() != absl::StatusCode::kAborted) {
            break;
          } else {
            std::this_thread::sleep_for(
                std::chrono::microseconds(300 * (1 + attempt % 10)));
          }
        }
        if (!done) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Get(*b, Space::kMailboxState, MailboxKey(10)), U64(4 * kPerThread));
  EXPECT_EQ(Get(*a, Space::kQuota, "frank"), U64(4 * kPerThread));
}

// A snapshot pins each object it reads: a later change of its rows makes
// its next read of that object fail with kAborted instead of mixing states.
TEST_F(RadosEngineTest, SnapshotOfAChangedObjectAborts) {
  std::unique_ptr<Engine> engine = Open();
  ASSERT_NE(engine, nullptr);
  ASSERT_TRUE(Commit(*engine, {{{Space::kMailboxState, MailboxKey(3)}, "s1"},
                               {{Space::kMailboxState, MailboxKey(4)}, "t1"}})
                  .ok());
  absl::StatusOr<std::unique_ptr<engine::Reader>> snapshot = engine->Snapshot();
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ(*(*snapshot)->Get(Space::kMailboxState, MailboxKey(3)), "s1");
  // Locks come and go (a multi-object transaction that only locks mailbox
  // 3's state): its rows did not change, the snapshot stands.
  {
    absl::StatusOr<std::unique_ptr<Transaction>> txn = engine->Begin(true);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->GetForUpdate(Space::kMailboxState, MailboxKey(3)).ok());
    ASSERT_TRUE((*txn)->Put(Space::kQuota, "hal", "charged").ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  EXPECT_EQ(*(*snapshot)->Get(Space::kMessages, MessageKey(3, 1)),
            std::nullopt);
  ASSERT_TRUE(Commit(*engine, {{{Space::kMessages, MessageKey(3, 1)}, "m"},
                               {{Space::kMailboxState, MailboxKey(4)}, "t2"}})
                  .ok());
  // Mailbox 3 changed after the snapshot read it.
  EXPECT_EQ(
      (*snapshot)->Get(Space::kMessages, MessageKey(3, 1)).status().code(),
      absl::StatusCode::kAborted);
  // Mailbox 4 is first read now: its current state.
  EXPECT_EQ(*(*snapshot)->Get(Space::kMailboxState, MailboxKey(4)), "t2");
}

TEST_F(RadosEngineTest, RangesOfAMultiMegabyteBody) {
  std::unique_ptr<Engine> engine = Open();
  ASSERT_NE(engine, nullptr);
  // Larger than one write chunk (8 MiB), so it is written in three ops.
  std::string body(20 << 20, '\0');
  uint64_t x = 88172645463325252ull;
  for (char& c : body) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  ASSERT_TRUE(Commit(*engine, {{{Space::kBlobs, BodyHash(20)}, body},
                               {{Space::kBlobRefs, BodyHash(20)}, U64(1)}})
                  .ok());
  for (uint64_t offset : {uint64_t{0}, uint64_t{4095}, uint64_t{8 << 20} - 10,
                          uint64_t{16 << 20} + 1, uint64_t{20 << 20} - 100}) {
    absl::StatusOr<std::string> part =
        engine->ReadRange(Space::kBlobs, BodyHash(20), offset, 4096);
    ASSERT_TRUE(part.ok()) << part.status();
    EXPECT_EQ(*part, body.substr(offset, 4096)) << offset;
  }
  EXPECT_EQ(*engine->ReadRange(Space::kBlobs, BodyHash(20), 20 << 20, 4096),
            "");
  absl::StatusOr<std::optional<std::string>> whole =
      engine->Latest().Get(Space::kBlobs, BodyHash(20));
  ASSERT_TRUE(whole.ok());
  EXPECT_TRUE(*whole == body);
  // The body is one object of exactly its size, named by its hash.
  RawPool raw(ns_);
  uint64_t size = 0;
  time_t mtime = 0;
  ASSERT_EQ(raw.io().stat(BlobDataObject(BodyHash(20)), &size, &mtime), 0);
  EXPECT_EQ(size, body.size());

  // Dropping it (one object's rows: the single-object commit) removes the
  // data object too.
  absl::StatusOr<std::unique_ptr<Transaction>> txn = engine->Begin(true);
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE((*txn)->Delete(Space::kBlobs, BodyHash(20)).ok());
  ASSERT_TRUE((*txn)->Delete(Space::kBlobRefs, BodyHash(20)).ok());
  ASSERT_TRUE((*txn)->Commit().ok());
  EXPECT_EQ(raw.io().stat(BlobDataObject(BodyHash(20)), &size, &mtime),
            -ENOENT);
  EXPECT_EQ(
      engine->ReadRange(Space::kBlobs, BodyHash(20), 0, 1).status().code(),
      absl::StatusCode::kNotFound);
}

// Bodies deleted in a multi-object commit lose their data object; one
// stored again keeps it, whatever an older removal does.
TEST_F(RadosEngineTest, BodyDataFollowsItsPresenceRow) {
  std::unique_ptr<Engine> engine = Open();
  ASSERT_NE(engine, nullptr);
  RawPool raw(ns_);
  uint64_t size = 0;
  time_t mtime = 0;
  const std::string data_object = BlobDataObject(BodyHash(6));
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(Commit(*engine, {{{Space::kBlobs, BodyHash(6)}, "six"},
                                 {{Space::kMessages, MessageKey(6, 1)}, "m"}})
                    .ok());
    ASSERT_EQ(raw.io().stat(data_object, &size, &mtime), 0);
    EXPECT_EQ(size, 3u);
    absl::StatusOr<std::unique_ptr<Transaction>> txn = engine->Begin(true);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->Delete(Space::kBlobs, BodyHash(6)).ok());
    ASSERT_TRUE((*txn)->Delete(Space::kMessages, MessageKey(6, 1)).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
    EXPECT_EQ(raw.io().stat(data_object, &size, &mtime), -ENOENT);
  }
  // An old generation's removal (gen guard) leaves a newer body alone.
  ASSERT_TRUE(Commit(*engine, {{{Space::kBlobs, BodyHash(6)}, "six"}}).ok());
  librados::ObjectWriteOperation stale;
  librados::bufferlist old_gen;
  old_gen.append(EncodeId(42));
  stale.cmpxattr(kGenXattr, LIBRADOS_CMPXATTR_OP_EQ, old_gen);
  stale.remove();
  EXPECT_EQ(raw.io().operate(data_object, &stale), -ECANCELED);
  EXPECT_EQ(Get(*engine, Space::kBlobs, BodyHash(6)), "six");
}

// Signals between nodes: every subscriber of a channel, on any engine of
// the namespace, gets each Broadcast; none after its subscription ends.
TEST_F(RadosEngineTest, BroadcastReachesEveryNodesSubscribers) {
  std::unique_ptr<Engine> a = Open();
  std::unique_ptr<Engine> b = Open();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(a->Shared());
  absl::Mutex mu;
  std::vector<std::string> got_a, got_b;
  auto collect = [&mu](std::vector<std::string>* into) {
    return [&mu, into](std::string_view payload) {
      absl::MutexLock lock(&mu);
      into->emplace_back(payload);
    };
  };
  absl::StatusOr<std::unique_ptr<engine::Subscription>> sub_a =
      a->Subscribe("changes", collect(&got_a));
  absl::StatusOr<std::unique_ptr<engine::Subscription>> sub_b =
      b->Subscribe("changes", collect(&got_b));
  ASSERT_TRUE(sub_a.ok()) << sub_a.status();
  ASSERT_TRUE(sub_b.ok()) << sub_b.status();
  auto wait_for = [&](std::function<bool()> done) {
    for (int i = 0; i < 200; ++i) {
      {
        absl::MutexLock lock(&mu);
        if (done()) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    absl::MutexLock lock(&mu);
    return done();
  };
  ASSERT_TRUE(a->Broadcast("other", "not ours").ok());
  ASSERT_TRUE(a->Broadcast("changes", std::string("one\0binary", 10)).ok());
  EXPECT_TRUE(wait_for([&] { return got_a.size() == 1 && got_b.size() == 1; }));
  {
    absl::MutexLock lock(&mu);
    ASSERT_EQ(got_b.size(), 1u);
    EXPECT_EQ(got_b[0], std::string("one\0binary", 10));
  }
  sub_b->reset();  // no callback of it runs after this
  ASSERT_TRUE(b->Broadcast("changes", "two").ok());
  EXPECT_TRUE(wait_for([&] { return got_a.size() == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  absl::MutexLock lock(&mu);
  EXPECT_EQ(got_a.back(), "two");
  EXPECT_EQ(got_b.size(), 1u);
}

// A lease is exclusive across nodes, stays while its holder lives (renewed
// past its ttl), and lapses after the ttl when its holder died.
TEST_F(RadosEngineTest, LeasesAreExclusiveAcrossNodesAndLapse) {
  std::unique_ptr<Engine> a = Open();
  std::unique_ptr<Engine> b = Open();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  absl::StatusOr<std::unique_ptr<engine::EngineLease>> held =
      a->AcquireLease("maildrop/ivy", 2);
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_EQ(b->AcquireLease("maildrop/ivy", 2).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(a->AcquireLease("maildrop/ivy", 2).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(b->AcquireLease("maildrop/jo", 2).ok());  // another name
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  EXPECT_EQ(b->AcquireLease("maildrop/ivy", 2).status().code(),
            absl::StatusCode::kFailedPrecondition);
  held->reset();
  absl::StatusOr<std::unique_ptr<engine::EngineLease>> taken =
      b->AcquireLease("maildrop/ivy", 2);
  EXPECT_TRUE(taken.ok()) << taken.status();

  // A holder that died: its lock is never renewed nor released.
  RawPool raw(ns_);
  struct timeval one_second = {1, 0};
  ASSERT_EQ(raw.io().lock_exclusive(LeaseObject("maildrop/kai"), "lease",
                                    "dead-node", "", &one_second, 0),
            0);
  EXPECT_EQ(a->AcquireLease("maildrop/kai", 2).status().code(),
            absl::StatusCode::kFailedPrecondition);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_TRUE(a->AcquireLease("maildrop/kai", 2).ok());
}

TEST_F(RadosEngineTest, UnknownFormatVersionIsRefused) {
  {
    std::unique_ptr<Engine> engine = Open();  // writes version 1
    ASSERT_NE(engine, nullptr);
  }
  RawPool raw(ns_);
  librados::bufferlist read;
  ASSERT_GE(raw.io().read(std::string(kFormatObject), read, 0, 0), 0);
  EXPECT_EQ(read.to_str(), "1");
  librados::bufferlist future;
  future.append("2");
  ASSERT_EQ(raw.io().write_full(std::string(kFormatObject), future), 0);
  absl::StatusOr<std::unique_ptr<Engine>> engine =
      OpenRadosEngine(BaseOptions(ns_));
  EXPECT_EQ(engine.status().code(), absl::StatusCode::kDataLoss)
      << engine.status();
}

TEST_F(RadosEngineTest, UnreachableClusterIsUnavailable) {
  const std::string conf =
      absl::StrCat(::testing::TempDir(), "/unreachable.conf");
  std::ofstream(conf) << "[global]\nmon host = 127.0.0.1:9\n"
                         "auth client required = none\n";
  RadosOptions options = BaseOptions(ns_);
  options.conf_file = conf;
  options.op_timeout_seconds = 2;
  absl::Time start = absl::Now();
  absl::StatusOr<std::unique_ptr<Engine>> engine = OpenRadosEngine(options);
  EXPECT_EQ(engine.status().code(), absl::StatusCode::kUnavailable)
      << engine.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(20));
}

}  // namespace
}  // namespace mailroom::store::rados

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (std::getenv("MAILROOM_RADOS_CONF") == nullptr ||
      *std::getenv("MAILROOM_RADOS_CONF") == '\0') {
    std::cerr << "FAIL: MAILROOM_RADOS_CONF is not set. This test needs a Ceph "
                 "cluster: set it to the cluster's ceph.conf, e.g.\n"
                 "  conf=$(scripts/ceph_dev_cluster.sh start /tmp/ceph-dev)\n"
                 "  bazel test //store/rados:rados_engine_test "
                 "--test_env=MAILROOM_RADOS_CONF=$conf\n"
                 "(MAILROOM_RADOS_POOL, default mailroom; MAILROOM_RADOS_USER, "
                 "default admin)\n";
    return 1;
  }
  ::testing::AddGlobalTestEnvironment(
      new mailroom::store::rados::EmptyNamespaces());
  return RUN_ALL_TESTS();
}
