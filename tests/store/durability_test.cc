// Crash durability: a child appends in a loop and reports each acknowledged
// append; it is killed with SIGKILL at a random moment. After reopening,
// every acknowledged message must be there byte for byte, multi-message
// appends must be all-or-none, and every counter must match a recount.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "store/principal_issuer.h"
#include "store/store.h"
#include "tests/store/durability_message.h"
#include "tests/store/store_test_util.h"

namespace mailroom::store {
namespace {

std::string ChildPath() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  std::string base = srcdir != nullptr ? srcdir : ".";
  return base + "/mailroom/tests/store/durability_child";
}

struct Ack {
  int round, batch, count;
  Uid first_uid;
};

// Runs the child until `delay` after its first acknowledged append, kills
// it, returns its acknowledged appends (complete lines only). Counting from
// the first ack, not from the child's start, keeps a slow machine (or, on
// RADOS, rows a killed predecessor left locked) from turning the kill into
// one that hit before anything was acknowledged.
std::vector<Ack> RunAndKill(const std::string& dir, int round,
                            std::chrono::milliseconds delay) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    std::string path = ChildPath();
    std::string r = std::to_string(round);
    execl(path.c_str(), path.c_str(), dir.c_str(), r.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  std::string output;
  char buf[4096];
  bool killed = false;
  bool acked = false;
  std::chrono::steady_clock::time_point acked_at;
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  while (true) {
    ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n > 0) {
      output.append(buf, n);
      if (!acked && output.find("\nACK ") != std::string::npos) {
        acked = true;
        acked_at = std::chrono::steady_clock::now();
      }
      continue;
    }
    if (n == 0) break;  // child gone and pipe drained
    if (!killed && acked &&
        std::chrono::steady_clock::now() >= acked_at + delay) {
      kill(pid, SIGKILL);
      killed = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(killed) << "child exited by itself: " << output;
  EXPECT_TRUE(WIFSIGNALED(status));

  std::vector<Ack> acks;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (lines.eof()) break;  // a partial last line is not an ack
    Ack ack{round, 0, 0, 0};
    if (std::sscanf(line.c_str(), "ACK %d %d %u", &ack.batch, &ack.count,
                    &ack.first_uid) == 3) {
      acks.push_back(ack);
    }
  }
  return acks;
}

TEST(DurabilityTest, AcknowledgedAppendsSurviveSigkill) {
  std::string dir = testing::FreshDir("durability");
  std::mt19937 rng(12345);
  std::vector<Ack> all_acks;
  for (int round = 0; round < 4; ++round) {
    // A RADOS commit is a few network round trips, not a WAL append: give
    // it longer so that the kill also lands amid a run of appends.
    const bool rados = testing::TestOnRados();
    auto delay = std::chrono::milliseconds((rng() % 500) * (rados ? 4 : 1));
    std::vector<Ack> acks = RunAndKill(dir, round, delay);
    EXPECT_FALSE(acks.empty()) << "round " << round;
    std::printf("round %d: killed %d ms after the first ack, %zu acknowledged appends\n",
                round, static_cast<int>(delay.count()), acks.size());
    all_acks.insert(all_acks.end(), acks.begin(), acks.end());

    auto opened = OpenStore(testing::TestOptions(dir));
    ASSERT_TRUE(opened.ok()) << opened.status();
    Store& store = **opened;
    ASSERT_TRUE(store.CheckConsistency().ok()) << store.CheckConsistency();
    Principal who = PrincipalIssuer::User("crash");
    auto snap = store.OpenMailbox(who, "INBOX");
    ASSERT_TRUE(snap.ok());
    std::map<Uid, MessageMeta> present;
    for (const MessageMeta& m : snap->messages) present[m.uid] = m;

    for (const Ack& ack : all_acks) {
      for (int i = 0; i < ack.count; ++i) {
        Uid uid = ack.first_uid + i;
        ASSERT_TRUE(present.contains(uid))
            << "acknowledged UID " << uid << " lost in round " << ack.round;
        auto data = store.ReadMessage(who, snap->status.id, uid);
        ASSERT_TRUE(data.ok());
        EXPECT_EQ(**data, testing::DurabilityMessage(ack.round, ack.batch,
                                                     ack.count, i));
        EXPECT_EQ(present[uid].flags, (Flags{kFlagged, {"t"}}));
      }
    }
    // No partial multi-message append: every stored message's batch is whole.
    std::map<std::string, int> batch_sizes;
    for (const auto& [uid, meta] : present) {
      auto data = store.ReadMessage(who, snap->status.id, uid);
      ASSERT_TRUE(data.ok());
      int r, b, n, i;
      ASSERT_EQ(std::sscanf((*data)->c_str(), "Subject: r%d-b%d-n%d-i%d", &r,
                            &b, &n, &i),
                4);
      EXPECT_EQ(**data, testing::DurabilityMessage(r, b, n, i));
      batch_sizes[std::to_string(r) + "/" + std::to_string(b)] += 1;
      EXPECT_EQ(n, 1 + b % 3);
    }
    for (const auto& [key, size] : batch_sizes) {
      int r, b;
      std::sscanf(key.c_str(), "%d/%d", &r, &b);
      EXPECT_EQ(size, 1 + b % 3) << "partial append " << key;
    }
    auto quota = store.GetQuota(store::PrincipalIssuer::Admin(), "crash");
    ASSERT_TRUE(quota.ok());
    auto archive = store.GetStatus(who, "Archive");
    ASSERT_TRUE(archive.ok());
    EXPECT_EQ(quota->messages, snap->messages.size() + archive->messages);
    EXPECT_EQ(quota->storage_bytes, snap->status.size + archive->size);
  }
}

}  // namespace
}  // namespace mailroom::store
