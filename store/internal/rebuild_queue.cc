#include "store/internal/rebuild_queue.h"

namespace mailroom::store::internal {

uint64_t RebuildQueue::Epoch() {
  MutexLock lock(&mu_);
  return epoch_;
}

bool RebuildQueue::Request(std::string_view owner, uint64_t epoch) {
  MutexLock lock(&mu_);
  auto finished = finished_.find(owner);
  if (finished != finished_.end() && finished->second > epoch) return false;
  return owners_.emplace(std::string(owner), Stage::kRequested).second;
}

std::vector<std::string> RebuildQueue::Take() {
  MutexLock lock(&mu_);
  std::vector<std::string> taken;
  for (auto& [owner, stage] : owners_) {
    if (stage != Stage::kRequested) continue;
    stage = Stage::kRebuilding;
    taken.push_back(owner);
  }
  return taken;
}

void RebuildQueue::Done(const std::vector<std::string>& owners) {
  MutexLock lock(&mu_);
  ++epoch_;
  for (const std::string& owner : owners) {
    auto it = owners_.find(owner);
    if (it != owners_.end() && it->second == Stage::kRebuilding) {
      owners_.erase(it);
      finished_[owner] = epoch_;
    }
  }
}

bool RebuildQueue::Pending(std::string_view owner) {
  MutexLock lock(&mu_);
  return owners_.find(owner) != owners_.end();
}

}  // namespace mailroom::store::internal
