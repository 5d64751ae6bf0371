// The outbound queue (keys.h, space outbound): messages Sieve redirect and
// vacation leave for the host's SMTP relay worker. Every change is one
// transaction over the message row, its due row and the count, so a claim
// is atomic on both engines: two nodes claiming at once conflict on the
// message row and one retries, then sees the message claimed.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "openssl/rand.h"
#include "store/internal/store_impl.h"

namespace mailroom::store::internal {
namespace {

// The relay's answers can be long; admins need the gist.
constexpr size_t kMaxErrorBytes = 1000;

absl::StatusOr<std::string> NewOutboundId() {
  const uint64_t micros = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
  uint32_t random = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&random), sizeof(random)) !=
      1) {
    return absl::InternalError("no random bytes for an outbound id");
  }
  char text[25];
  std::snprintf(text, sizeof(text), "%016llx%08x",
                static_cast<unsigned long long>(micros), random);
  return std::string(text, 24);
}

bool ValidOutboundId(std::string_view id) {
  if (id.size() != 24) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<uint64_t> StoreImpl::LockOutboundCount(Txn& txn) {
  MR_ASSIGN_OR_RETURN(std::optional<std::string> raw,
                      Get(Space::kOutbound, kOutboundCountKey, &txn, true));
  if (!raw.has_value()) return 0;
  if (raw->size() != 8) return absl::DataLossError("bad outbound count");
  return ReadU64(*raw);
}

absl::Status StoreImpl::PutOutboundCount(Txn& txn, uint64_t count) {
  std::string value;
  AppendU64(&value, count);
  return Put(txn, Space::kOutbound, kOutboundCountKey, value);
}

absl::StatusOr<std::string> StoreImpl::QueueOutbound(
    const Principal& who, const OutboundMessage& message) {
  if (!who.admin()) {
    return absl::PermissionDeniedError("only delivery queues outbound mail");
  }
  if (message.recipients.empty()) {
    return absl::InvalidArgumentError("an outbound message needs recipients");
  }
  if (message.data.empty()) {
    return absl::InvalidArgumentError("empty outbound message");
  }
  MR_ASSIGN_OR_RETURN(std::string id, NewOutboundId());
  OutboundMessage row = message;
  row.id.clear();
  row.queued_at = static_cast<int64_t>(std::time(nullptr));
  row.next_attempt_at = row.queued_at;
  row.attempts = 0;
  row.last_error.clear();
  const std::string encoded = Encode(row);
  MR_RETURN_IF_ERROR(RunTxn([&](Txn& txn) -> absl::Status {
    MR_ASSIGN_OR_RETURN(uint64_t count, LockOutboundCount(txn));
    if (count >= options_.outbound_max_queued) {
      return absl::ResourceExhaustedError(
          absl::StrCat("LIMIT the outbound queue is full (", count,
                       " messages)"));
    }
    MR_RETURN_IF_ERROR(
        Put(txn, Space::kOutbound, OutboundMessageKey(id), encoded));
    MR_RETURN_IF_ERROR(Put(txn, Space::kOutbound,
                           OutboundDueKey(row.next_attempt_at, id), ""));
    return PutOutboundCount(txn, count + 1);
  }));
  return id;
}

absl::StatusOr<std::vector<OutboundMessage>> StoreImpl::ClaimOutbound(
    int64_t now, int64_t claim_seconds, size_t max) {
  std::vector<OutboundMessage> claimed;
  if (max == 0) return claimed;
  // The relay worker looks often and usually finds nothing: a plain read
  // says so without a transaction and its synced commit.
  bool any_due = false;
  MR_RETURN_IF_ERROR(Scan(Space::kOutbound, std::string(1, kOutboundDueTag),
                          OutboundDueKey(now + 1, ""),
                          [&](std::string_view, std::string_view) {
                            any_due = true;
                            return false;
                          }));
  if (!any_due) return claimed;
  MR_RETURN_IF_ERROR(RunTxn([&](Txn& txn) -> absl::Status {
    claimed.clear();
    std::vector<std::string> ids;
    const std::string begin(1, kOutboundDueTag);
    MR_RETURN_IF_ERROR(Scan(
        Space::kOutbound, begin, OutboundDueKey(now + 1, ""),
        [&](std::string_view key, std::string_view) {
          if (key.size() > 9) ids.emplace_back(key.substr(9));
          return ids.size() < max;
        },
        &txn));
    for (const std::string& id : ids) {
      MR_ASSIGN_OR_RETURN(
          std::optional<OutboundMessage> row,
          GetRecord<OutboundMessage>(Space::kOutbound, OutboundMessageKey(id),
                                     &txn, /*for_update=*/true));
      // Taken or removed since the scan: not ours.
      if (!row.has_value() || row->next_attempt_at > now) continue;
      MR_RETURN_IF_ERROR(Delete(txn, Space::kOutbound,
                                OutboundDueKey(row->next_attempt_at, id)));
      row->next_attempt_at = now + std::max<int64_t>(1, claim_seconds);
      row->claimed_until = row->next_attempt_at;
      ++row->attempts;
      MR_RETURN_IF_ERROR(
          Put(txn, Space::kOutbound, OutboundMessageKey(id), Encode(*row)));
      MR_RETURN_IF_ERROR(Put(txn, Space::kOutbound,
                             OutboundDueKey(row->next_attempt_at, id), ""));
      row->id = id;
      claimed.push_back(*std::move(row));
    }
    return absl::OkStatus();
  }));
  return claimed;
}

absl::Status StoreImpl::RemoveOutbound(std::string_view id) {
  if (!ValidOutboundId(id)) return absl::OkStatus();  // cannot exist
  return RunTxn([&](Txn& txn) -> absl::Status {
    MR_ASSIGN_OR_RETURN(uint64_t count, LockOutboundCount(txn));
    MR_ASSIGN_OR_RETURN(
        std::optional<OutboundMessage> row,
        GetRecord<OutboundMessage>(Space::kOutbound, OutboundMessageKey(id),
                                   &txn, /*for_update=*/true));
    if (!row.has_value()) return absl::OkStatus();
    MR_RETURN_IF_ERROR(Delete(txn, Space::kOutbound, OutboundMessageKey(id)));
    MR_RETURN_IF_ERROR(Delete(txn, Space::kOutbound,
                              OutboundDueKey(row->next_attempt_at, id)));
    return PutOutboundCount(txn, count > 0 ? count - 1 : 0);
  });
}

absl::Status StoreImpl::DeferOutbound(std::string_view id,
                                      int64_t next_attempt_at,
                                      std::string_view error) {
  if (!ValidOutboundId(id)) {
    return absl::NotFoundError("no such outbound message");
  }
  return RunTxn([&](Txn& txn) -> absl::Status {
    MR_ASSIGN_OR_RETURN(
        std::optional<OutboundMessage> row,
        GetRecord<OutboundMessage>(Space::kOutbound, OutboundMessageKey(id),
                                   &txn, /*for_update=*/true));
    if (!row.has_value()) {
      return absl::NotFoundError("no such outbound message");
    }
    MR_RETURN_IF_ERROR(Delete(txn, Space::kOutbound,
                              OutboundDueKey(row->next_attempt_at, id)));
    row->next_attempt_at = next_attempt_at;
    row->claimed_until = 0;
    row->last_error = std::string(error.substr(0, kMaxErrorBytes));
    MR_RETURN_IF_ERROR(
        Put(txn, Space::kOutbound, OutboundMessageKey(id), Encode(*row)));
    return Put(txn, Space::kOutbound, OutboundDueKey(next_attempt_at, id), "");
  });
}

absl::StatusOr<uint64_t> StoreImpl::FlushOutbound(int64_t now) {
  MR_ASSIGN_OR_RETURN(std::vector<OutboundMessage> queued, ListOutbound());
  uint64_t flushed = 0;
  // One transaction per message: the queue may be long, and each decision
  // rests on the row read for update, not on the listing.
  for (const OutboundMessage& listed : queued) {
    if (listed.next_attempt_at <= now) continue;
    bool moved = false;
    MR_RETURN_IF_ERROR(RunTxn([&](Txn& txn) -> absl::Status {
      moved = false;
      const std::string key = OutboundMessageKey(listed.id);
      MR_ASSIGN_OR_RETURN(
          std::optional<OutboundMessage> row,
          GetRecord<OutboundMessage>(Space::kOutbound, key, &txn,
                                     /*for_update=*/true));
      // Sent meanwhile, due already, or being sent right now.
      if (!row.has_value() || row->next_attempt_at <= now ||
          row->claimed_until > now) {
        return absl::OkStatus();
      }
      MR_RETURN_IF_ERROR(Delete(txn, Space::kOutbound,
                                OutboundDueKey(row->next_attempt_at, listed.id)));
      row->next_attempt_at = now;
      row->claimed_until = 0;
      MR_RETURN_IF_ERROR(Put(txn, Space::kOutbound, key, Encode(*row)));
      MR_RETURN_IF_ERROR(
          Put(txn, Space::kOutbound, OutboundDueKey(now, listed.id), ""));
      moved = true;
      return absl::OkStatus();
    }));
    if (moved) ++flushed;
  }
  return flushed;
}

absl::StatusOr<std::vector<OutboundMessage>> StoreImpl::ListOutbound() {
  std::vector<OutboundMessage> out;
  absl::Status decode;
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kOutbound, std::string(1, kOutboundMessageTag),
      [&](std::string_view key, std::string_view value) {
        OutboundMessage row;
        if (!Decode(value, &row)) {
          decode = absl::DataLossError("undecodable outbound message");
          return false;
        }
        row.id = std::string(key.substr(1));
        row.data.clear();
        out.push_back(std::move(row));
        return true;
      }));
  MR_RETURN_IF_ERROR(decode);
  return out;
}

}  // namespace mailroom::store::internal
