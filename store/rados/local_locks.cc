#include "store/rados/local_locks.h"

#include <chrono>

#include "absl/time/clock.h"

namespace mailroom::store::rados {

namespace {

absl::Status DeadlockVictim() {
  return absl::AbortedError(
      "rados: transactions of this node lock rows in opposite orders; run "
      "the transaction again");
}

}  // namespace

std::vector<uint64_t> LocalLocks::Cycle(uint64_t txn, uint64_t holder) const {
  // Each transaction waits for at most one row, so waits form chains.
  std::vector<uint64_t> chain = {txn};
  for (size_t steps = 0; steps <= waiting_.size(); ++steps) {
    if (holder == txn) return chain;
    chain.push_back(holder);
    auto waits = waiting_.find(holder);
    if (waits == waiting_.end()) return {};
    auto next = holder_.find(waits->second);
    if (next == holder_.end()) return {};
    holder = next->second;
  }
  return {};  // a cycle that does not pass through txn is not ours to break
}

absl::Status LocalLocks::Lock(uint64_t txn, int64_t age, const std::string& row,
                              absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  internal::MutexLock lock(&mu_);
  age_.emplace(txn, age);
  while (true) {
    if (victims_.erase(txn) > 0) return DeadlockVictim();
    auto it = holder_.find(row);
    if (it == holder_.end()) {
      holder_.emplace(row, txn);
      held_[txn].push_back(row);
      return absl::OkStatus();
    }
    if (it->second == txn) return absl::OkStatus();
    std::vector<uint64_t> cycle = Cycle(txn, it->second);
    if (!cycle.empty()) {
      uint64_t victim = txn;
      for (uint64_t member : cycle) {
        auto member_age = age_.find(member);
        auto victim_age = age_.find(victim);
        if (member_age != age_.end() && victim_age != age_.end() &&
            member_age->second > victim_age->second) {
          victim = member;
        }
      }
      if (victim == txn) return DeadlockVictim();
      // The victim waits somewhere on the cycle: wake it to give up.
      victims_.insert(victim);
      changed_.SignalAll();
    }
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::AbortedError(
          "rados: a row stays locked by another transaction of this node; "
          "run the transaction again");
    }
    waiting_[txn] = row;
    changed_.WaitFor(&mu_,
                     std::chrono::duration_cast<std::chrono::milliseconds>(
                         absl::ToChronoMicroseconds(left)) +
                         std::chrono::milliseconds(1),
                     [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
                       return !holder_.contains(row) || victims_.contains(txn);
                     });
    waiting_.erase(txn);
  }
}

void LocalLocks::UnlockAll(uint64_t txn) {
  {
    internal::MutexLock lock(&mu_);
    victims_.erase(txn);
    age_.erase(txn);
    auto it = held_.find(txn);
    if (it != held_.end()) {
      for (const std::string& row : it->second) holder_.erase(row);
      held_.erase(it);
    }
  }
  changed_.SignalAll();
}

}  // namespace mailroom::store::rados
