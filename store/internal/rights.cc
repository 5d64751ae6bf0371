#include "store/internal/rights.h"

#include "absl/status/status.h"

namespace mailroom::store::internal {
namespace {

std::string Ordered(const bool present[], size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (present[i]) out.push_back(kAllRights[i]);
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> CanonicalRights(std::string_view rights) {
  bool present[kAllRights.size()] = {};
  auto set = [&](char c) { present[kAllRights.find(c)] = true; };
  for (char c : rights) {
    if (c == 'c') {
      set('k');
    } else if (c == 'd') {
      set('x');
      set('t');
      set('e');
    } else if (kAllRights.find(c) != std::string_view::npos) {
      set(c);
    } else {
      return absl::InvalidArgumentError("unknown right in rights string");
    }
  }
  return Ordered(present, kAllRights.size());
}

std::string UnionRights(std::string_view a, std::string_view b) {
  bool present[kAllRights.size()] = {};
  for (size_t i = 0; i < kAllRights.size(); ++i) {
    present[i] = HasRight(a, kAllRights[i]) || HasRight(b, kAllRights[i]);
  }
  return Ordered(present, kAllRights.size());
}

std::string SubtractRights(std::string_view a, std::string_view b) {
  bool present[kAllRights.size()] = {};
  for (size_t i = 0; i < kAllRights.size(); ++i) {
    present[i] = HasRight(a, kAllRights[i]) && !HasRight(b, kAllRights[i]);
  }
  return Ordered(present, kAllRights.size());
}

}  // namespace mailroom::store::internal
