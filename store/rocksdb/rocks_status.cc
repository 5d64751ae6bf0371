#include "store/rocksdb/rocks_status.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace mailroom::store::rocksdb_engine {

bool IsRetryable(const rocksdb::Status& s) {
  return s.IsBusy() || s.IsTryAgain() || s.IsTimedOut() ||
         s.IsDeadlock() || s.IsAborted();
}

bool IsOutOfSpace(const rocksdb::Status& s) {
  return s.IsNoSpace() || s.subcode() == rocksdb::Status::kSpaceLimit;
}

absl::Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return absl::OkStatus();
  std::string text = absl::StrCat("storage: ", s.ToString());
  if (IsRetryable(s)) return absl::AbortedError(text);
  if (IsOutOfSpace(s)) {
    return absl::ResourceExhaustedError(absl::StrCat(kNoSpacePrefix, " ", text));
  }
  switch (s.code()) {
    case rocksdb::Status::kNotFound:
      return absl::NotFoundError(text);
    case rocksdb::Status::kCorruption:
      return absl::DataLossError(text);
    case rocksdb::Status::kNotSupported:
      return absl::UnimplementedError(text);
    case rocksdb::Status::kInvalidArgument:
      return absl::InvalidArgumentError(text);
    case rocksdb::Status::kIOError:
    case rocksdb::Status::kIncomplete:
    case rocksdb::Status::kShutdownInProgress:
      return absl::UnavailableError(text);
    case rocksdb::Status::kExpired:
      return absl::DeadlineExceededError(text);
    case rocksdb::Status::kCompactionTooLarge:
      return absl::ResourceExhaustedError(absl::StrCat("LIMIT ", text));
    default:
      return absl::InternalError(text);
  }
}

}  // namespace mailroom::store::rocksdb_engine
