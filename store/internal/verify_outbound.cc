// Verify and repair of the outbound queue (keys.h, space outbound): every
// message row decodes, the due index has exactly one row per message (at
// its next attempt) and the count matches the rows.
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "store/internal/verifier.h"

namespace mailroom::store::internal {
namespace {

struct OutboundRows {
  std::map<std::string, int64_t> due_of;  // decodable messages by id
  std::set<std::string> undecodable;
  std::set<std::string> due_keys;
  std::optional<uint64_t> count;
  bool count_malformed = false;
};

// The due rows the messages call for.
std::set<std::string> WantedDueKeys(const OutboundRows& rows) {
  std::set<std::string> wanted;
  for (const auto& [id, at] : rows.due_of) wanted.insert(OutboundDueKey(at, id));
  return wanted;
}

absl::Status ReadOutboundRows(
    const std::function<absl::Status(
        const std::function<bool(std::string_view, std::string_view)>&)>& scan,
    OutboundRows* rows) {
  return scan([&](std::string_view key, std::string_view value) {
    if (key.empty()) return true;
    if (key == kOutboundCountKey) {
      if (value.size() == 8) {
        rows->count = ReadU64(value);
      } else {
        rows->count_malformed = true;
      }
    } else if (key[0] == kOutboundMessageTag) {
      OutboundMessage m;
      const std::string id(key.substr(1));
      if (Decode(value, &m)) {
        rows->due_of[id] = m.next_attempt_at;
      } else {
        rows->undecodable.insert(id);
      }
    } else if (key[0] == kOutboundDueTag) {
      rows->due_keys.insert(std::string(key));
    }
    return true;
  });
}

}  // namespace

absl::Status StoreImpl::Verifier::CheckOutbound() {
  OutboundRows rows;
  MR_RETURN_IF_ERROR(ReadOutboundRows(
      [&](const auto& fn) {
        return store_.Scan(Space::kOutbound, "", std::string(1, '\xff'), fn,
                           nullptr, global_);
      },
      &rows));
  const RepairKey key{kFixOutbound, "outbound"};
  auto repair = [this] { return RebuildOutbound(); };
  for (const std::string& id : rows.undecodable) {
    Problem("", "", absl::StrCat("outbound message ", id, " is undecodable"),
            key, repair);
  }
  const std::set<std::string> wanted = WantedDueKeys(rows);
  if (wanted != rows.due_keys) {
    Problem("", "", "the outbound due index disagrees with the messages", key,
            repair);
  }
  const uint64_t stored = rows.count.value_or(0);
  const uint64_t counted = rows.due_of.size() + rows.undecodable.size();
  if (rows.count_malformed || stored != counted) {
    Problem("", "",
            absl::StrCat("the outbound count says ", stored, "; the queue holds ",
                         counted),
            key, repair);
  }
  return absl::OkStatus();
}

// Under the count key, the lock of the queue's size; every message row is
// read for update, so no claim or deferral slips in between.
absl::StatusOr<std::string> StoreImpl::Verifier::RebuildOutbound() {
  return RepairTxn([&](Txn& txn, std::string& done) -> absl::Status {
    MR_RETURN_IF_ERROR(store_.LockOutboundCount(txn).status());
    OutboundRows rows;
    MR_RETURN_IF_ERROR(ReadOutboundRows(
        [&](const auto& fn) {
          return store_.Scan(Space::kOutbound, "", std::string(1, '\xff'), fn,
                             &txn);
        },
        &rows));
    for (const auto& [id, at] : rows.due_of) {
      MR_RETURN_IF_ERROR(store_
                             .Get(Space::kOutbound, OutboundMessageKey(id),
                                  &txn, /*for_update=*/true)
                             .status());
    }
    std::vector<std::string> did;
    for (const std::string& id : rows.undecodable) {
      MR_RETURN_IF_ERROR(
          store_.Delete(txn, Space::kOutbound, OutboundMessageKey(id)));
      did.push_back(absl::StrCat("dropped undecodable ", id));
    }
    const std::set<std::string> wanted = WantedDueKeys(rows);
    int fixed = 0;
    for (const std::string& k : rows.due_keys) {
      if (wanted.contains(k)) continue;
      MR_RETURN_IF_ERROR(store_.Delete(txn, Space::kOutbound, k));
      ++fixed;
    }
    for (const std::string& k : wanted) {
      if (rows.due_keys.contains(k)) continue;
      MR_RETURN_IF_ERROR(store_.Put(txn, Space::kOutbound, k, ""));
      ++fixed;
    }
    if (fixed > 0) did.push_back(absl::StrCat("rewrote ", fixed, " due rows"));
    const uint64_t count = rows.due_of.size();
    if (rows.count_malformed || rows.count.value_or(0) != count) {
      MR_RETURN_IF_ERROR(store_.PutOutboundCount(txn, count));
      did.push_back(absl::StrCat("recounted: ", count));
    }
    done = absl::StrJoin(did, "; ");
    return absl::OkStatus();
  });
}

}  // namespace mailroom::store::internal
