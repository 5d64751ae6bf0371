// Status propagation helpers. Debian's Abseil (20220623) has no
// ABSL_RETURN_IF_ERROR / ABSL_ASSIGN_OR_RETURN yet; these two mean the same.
#ifndef MAILROOM_BASE_STATUS_MACROS_H_
#define MAILROOM_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define MR_RETURN_IF_ERROR(expr)                        \
  do {                                                  \
    ::absl::Status mr_status_ = (expr);                 \
    if (!mr_status_.ok()) return mr_status_;            \
  } while (0)

#define MR_CONCAT_INNER_(a, b) a##b
#define MR_CONCAT_(a, b) MR_CONCAT_INNER_(a, b)

// MR_ASSIGN_OR_RETURN(auto x, MakeX()); declares or assigns `x`, or returns
// the error of the StatusOr.
#define MR_ASSIGN_OR_RETURN(lhs, expr) \
  MR_ASSIGN_OR_RETURN_IMPL_(MR_CONCAT_(mr_statusor_, __LINE__), lhs, expr)
#define MR_ASSIGN_OR_RETURN_IMPL_(var, lhs, expr) \
  auto var = (expr);                              \
  if (!var.ok()) return std::move(var).status();  \
  lhs = std::move(var).value()

#endif  // MAILROOM_BASE_STATUS_MACROS_H_
