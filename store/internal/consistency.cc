// CheckConsistency: Verify over the whole store, answering with the first
// problem; and the store's statistics.
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "store/internal/store_impl.h"

namespace mailroom::store::internal {

absl::Status StoreImpl::CheckConsistency() {
  MR_ASSIGN_OR_RETURN(VerifyReport report, Verify("", /*repair=*/false, {}));
  if (report.ok()) return absl::OkStatus();
  const VerifyProblem& first = report.problems.front();
  std::string where;
  if (!first.user.empty()) {
    where = absl::StrCat(first.user,
                         first.mailbox.empty() ? "" : absl::StrCat("/", first.mailbox),
                         ": ");
  }
  return absl::DataLossError(absl::StrCat(
      "inconsistent store: ", where, first.problem,
      report.problems.size() > 1
          ? absl::StrCat(" (and ", report.problems.size() - 1, " more)")
          : ""));
}

absl::StatusOr<StoreStats> StoreImpl::GetStats() {
  StoreStats stats;
  MR_RETURN_IF_ERROR(
      ScanPrefix(Space::kBlobs, "", [&](std::string_view, std::string_view value) {
        ++stats.blobs;
        stats.blob_bytes += value.size();
        return true;
      }));
  MR_RETURN_IF_ERROR(ScanPrefix(Space::kIndexQueue, "",
                                [&](std::string_view, std::string_view) {
                                  ++stats.index_queue;
                                  return true;
                                }));
  return stats;
}

}  // namespace mailroom::store::internal
