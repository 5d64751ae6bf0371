// Delivery-time memory of Sieve (vacation's "replied to this sender",
// duplicate's ids): HasSieveMark and TestAndSetSieveMark. Key layout:
// keys.h, "sieve_marks".
//
// Marks are keyed by the SHA-256 of the caller's key, so a key of any
// length costs 32 bytes. Each mark also has a row in expiry order; expired
// marks are swept when the same owner's marks are written (at most
// kSweepBatch per write, more than the one a write adds, so an owner's
// expired marks never pile up) and by Verify with repair, which removes
// every expired mark of the store. An owner who gets no more mail keeps at
// most the marks of their last week or month until then.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/crypto.h"
#include "base/status_macros.h"
#include "store/internal/store_impl.h"
#include "store/internal/strings.h"

namespace mailroom::store::internal {
namespace {

constexpr int kSweepBatch = 16;

uint64_t ExpiryOf(int64_t expires) {
  return static_cast<uint64_t>(std::max<int64_t>(expires, 0));
}

}  // namespace

absl::StatusOr<int> StoreImpl::SweepSieveMarks(Txn& txn,
                                               const std::string& owner,
                                               int64_t now, int limit) {
  const std::string prefix = SieveExpiryPrefix(owner);
  // Expired: expiry <= now, i.e. below now + 1.
  std::string end = prefix;
  AppendU64(&end, ExpiryOf(now) + 1);
  std::vector<std::string> due;
  MR_RETURN_IF_ERROR(Scan(
      Space::kSieveMarks, prefix, end,
      [&](std::string_view key, std::string_view) {
        due.emplace_back(key);
        return limit <= 0 || static_cast<int>(due.size()) < limit;
      },
      &txn));
  int swept = 0;
  for (const std::string& row : due) {
    if (row.size() != prefix.size() + 8 + 32) continue;
    const uint64_t expiry = ReadU64(std::string_view(row).substr(prefix.size()));
    const std::string mark =
        SieveMarkKey(owner, std::string_view(row).substr(prefix.size() + 8));
    MR_ASSIGN_OR_RETURN(std::optional<std::string> value,
                        Get(Space::kSieveMarks, mark, &txn, true));
    // A mark renewed since keeps its key; only its stale row goes.
    if (value.has_value() && value->size() == 8 && ReadU64(*value) == expiry) {
      MR_RETURN_IF_ERROR(Delete(txn, Space::kSieveMarks, mark));
      ++swept;
    }
    MR_RETURN_IF_ERROR(Delete(txn, Space::kSieveMarks, row));
  }
  return swept;
}

absl::StatusOr<bool> StoreImpl::HasSieveMark(const Principal& who,
                                             std::string_view owner_in,
                                             std::string_view key,
                                             int64_t now) {
  if (!who.admin()) {
    return absl::PermissionDeniedError("only delivery keeps Sieve marks");
  }
  MR_ASSIGN_OR_RETURN(std::string owner, SieveOwner(who, owner_in, false));
  MR_ASSIGN_OR_RETURN(std::optional<std::string> value,
                      Get(Space::kSieveMarks, SieveMarkKey(owner, crypto::Sha256(key))));
  return value.has_value() && value->size() == 8 &&
         ReadU64(*value) > ExpiryOf(now);
}

absl::StatusOr<bool> StoreImpl::TestAndSetSieveMark(
    const Principal& who, std::string_view owner_in, std::string_view key,
    int64_t now, int64_t expires, bool extend) {
  if (!who.admin()) {
    return absl::PermissionDeniedError("only delivery keeps Sieve marks");
  }
  MR_ASSIGN_OR_RETURN(std::string owner, SieveOwner(who, owner_in, false));
  const std::string digest = crypto::Sha256(key);
  const std::string mark = SieveMarkKey(owner, digest);
  bool was_marked = false;
  MR_RETURN_IF_ERROR(RunTxn([&](Txn& txn) -> absl::Status {
    was_marked = false;
    MR_RETURN_IF_ERROR(SweepSieveMarks(txn, owner, now, kSweepBatch).status());
    MR_ASSIGN_OR_RETURN(std::optional<std::string> value,
                        Get(Space::kSieveMarks, mark, &txn, true));
    std::optional<uint64_t> old;
    if (value.has_value() && value->size() == 8) old = ReadU64(*value);
    was_marked = old.has_value() && *old > ExpiryOf(now);
    if (was_marked && !extend) return absl::OkStatus();
    if (old.has_value()) {
      MR_RETURN_IF_ERROR(Delete(txn, Space::kSieveMarks,
                                SieveExpiryKey(owner, *old, digest)));
    }
    std::string encoded;
    AppendU64(&encoded, ExpiryOf(expires));
    MR_RETURN_IF_ERROR(Put(txn, Space::kSieveMarks, mark, encoded));
    return Put(txn, Space::kSieveMarks,
               SieveExpiryKey(owner, ExpiryOf(expires), digest), "");
  }));
  return was_marked;
}

}  // namespace mailroom::store::internal
