// Verify's checks and repairs of the Sieve spaces (see verifier.h): rows
// of users who no longer exist, an active script that does not exist, and,
// when repairing, marks that expired and were not swept yet (normal, so
// they are reported only when something is done about them).
#include <ctime>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "store/internal/verifier.h"

namespace mailroom::store::internal {
namespace {

struct SieveOwnerRows {
  std::optional<std::string> head;
  std::set<std::string> scripts;
  uint64_t marks = 0;
  uint64_t expired = 0;
};

// The owner of a Sieve row and the rest after its \0; false when malformed.
bool SplitSieveKey(std::string_view key, std::string* owner,
                   std::string_view* rest) {
  const size_t nul = key.find('\0');
  if (nul == std::string_view::npos || nul + 1 >= key.size()) return false;
  *owner = std::string(key.substr(0, nul));
  if (*owner == kSieveGlobalOwner) owner->clear();
  *rest = key.substr(nul + 1);
  return true;
}

}  // namespace

absl::Status StoreImpl::Verifier::CheckSieve() {
  const std::string prefix = owner_.empty() ? "" : SieveOwnerPrefix(owner_);
  const uint64_t now = static_cast<uint64_t>(std::time(nullptr));
  std::map<std::string, SieveOwnerRows> owners;
  // global_ is null on a shared engine: the helpers then read the newest
  // state.
  MR_RETURN_IF_ERROR(store_.Scan(
      Space::kSieve, prefix, prefix.empty() ? "" : PrefixEnd(prefix),
      [&](std::string_view key, std::string_view value) {
        std::string owner;
        std::string_view rest;
        if (!SplitSieveKey(key, &owner, &rest)) return true;
        SieveOwnerRows& rows = owners[owner];
        if (rest[0] == 'a') rows.head = std::string(value);
        if (rest[0] == 's') rows.scripts.insert(std::string(rest.substr(1)));
        return true;
      },
      nullptr, global_));
  MR_RETURN_IF_ERROR(store_.Scan(
      Space::kSieveMarks, prefix, prefix.empty() ? "" : PrefixEnd(prefix),
      [&](std::string_view key, std::string_view) {
        std::string owner;
        std::string_view rest;
        if (!SplitSieveKey(key, &owner, &rest)) return true;
        SieveOwnerRows& rows = owners[owner];
        if (rest[0] == 'k') ++rows.marks;
        if (rest[0] == 'e' && rest.size() >= 9 && ReadU64(rest.substr(1)) <= now) {
          ++rows.expired;
        }
        return true;
      },
      nullptr, global_));
  for (const auto& [owner, rows] : owners) {
    if (!owner.empty()) {
      MR_ASSIGN_OR_RETURN(std::optional<std::string> user,
                          store_.Get(Space::kUsers, owner, nullptr, false,
                                     global_));
      if (!user.has_value()) {
        Problem(owner, "",
                absl::StrCat(rows.scripts.size(), " Sieve script(s) and ",
                             rows.marks, " mark(s) of a user who does not exist"),
                RepairKey{kFixOrphanRows, "sieve " + owner},
                [this, owner = owner] { return DropOrphanSieve(owner); });
        continue;
      }
    }
    if (rows.head.has_value()) {
      const std::string active =
          rows.head->size() >= 8 ? rows.head->substr(8) : std::string();
      if (rows.head->size() < 8 ||
          (!active.empty() && !rows.scripts.contains(active))) {
        Problem(owner, "",
                rows.head->size() < 8
                    ? std::string("undecodable Sieve head")
                    : absl::StrCat("the active Sieve script '", active,
                                   "' does not exist"),
                RepairKey{kFixOrphanRows, "sieve head " + owner},
                [this, owner = owner] { return DropDanglingActive(owner); });
      }
    }
    if (repair_ && rows.expired > 0) {
      Problem(owner, "",
              absl::StrCat(rows.expired, " expired Sieve mark(s) not swept yet"),
              RepairKey{kFixOrphanRows, "sieve marks " + owner},
              [this, owner = owner] { return SweepExpiredMarks(owner); });
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> StoreImpl::Verifier::DropOrphanSieve(
    const std::string& owner) {
  absl::StatusOr<std::string> done =
      RepairTxn([&](Txn& txn, std::string& done) -> absl::Status {
        MR_ASSIGN_OR_RETURN(std::optional<std::string> user,
                            store_.Get(Space::kUsers, owner, &txn, true));
        if (user.has_value()) return absl::OkStatus();  // created meanwhile
        MR_RETURN_IF_ERROR(store_.DropSieveOfOwner(txn, owner));
        done = "dropped them";
        return absl::OkStatus();
      });
  store_.ForgetSieveOwner(owner);
  return done;
}

// Under the owner's head lock, the one every script write takes.
absl::StatusOr<std::string> StoreImpl::Verifier::DropDanglingActive(
    const std::string& owner) {
  absl::StatusOr<std::string> done =
      RepairTxn([&](Txn& txn, std::string& done) -> absl::Status {
        const std::string head_key = SieveHeadKey(owner);
        MR_ASSIGN_OR_RETURN(std::optional<std::string> head,
                            store_.Get(Space::kSieve, head_key, &txn, true));
        if (!head.has_value()) return absl::OkStatus();
        if (head->size() >= 8) {
          const std::string active = head->substr(8);
          if (active.empty()) return absl::OkStatus();
          MR_ASSIGN_OR_RETURN(
              std::optional<std::string> script,
              store_.Get(Space::kSieve, SieveScriptKey(owner, active), &txn));
          if (script.has_value()) return absl::OkStatus();
        }
        std::string fresh;
        AppendU64(&fresh, head->size() >= 8 ? ReadU64(*head) + 1 : 1);
        MR_RETURN_IF_ERROR(store_.Put(txn, Space::kSieve, head_key, fresh));
        done = "no script is active now";
        return absl::OkStatus();
      });
  store_.ForgetSieveOwner(owner);
  return done;
}

absl::StatusOr<std::string> StoreImpl::Verifier::SweepExpiredMarks(
    const std::string& owner) {
  const int64_t now = std::time(nullptr);
  return RepairTxn([&](Txn& txn, std::string& done) -> absl::Status {
    MR_ASSIGN_OR_RETURN(int swept,
                        store_.SweepSieveMarks(txn, owner, now, /*limit=*/0));
    if (swept > 0) done = absl::StrCat("swept ", swept);
    return absl::OkStatus();
  });
}

}  // namespace mailroom::store::internal
