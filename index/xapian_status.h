// The one place where Xapian exceptions become absl::Status.
//
// Thread-safety: stateless.
#ifndef MAILROOM_INDEX_XAPIAN_STATUS_H_
#define MAILROOM_INDEX_XAPIAN_STATUS_H_

#include <new>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "xapian.h"

namespace mailroom::index {

absl::Status StatusFromXapianError(absl::StatusCode code,
                                   const Xapian::Error& error);

// Runs `fn` (returning absl::Status or absl::StatusOr<T>) and turns any
// Xapian exception it throws into a status of the same type:
//   kDataLoss     missing, corrupt or foreign database (rebuild it);
//   kUnavailable  lock, I/O or concurrent-modification failures (retry);
//   kInternal     anything else (a bug).
// (Xapian::Error is not polymorphic, so the catch clauses do the sorting.)
template <typename Fn>
auto CallXapian(Fn&& fn) -> std::invoke_result_t<Fn> {
  try {
    return fn();
  } catch (const Xapian::DatabaseLockError& error) {
    return StatusFromXapianError(absl::StatusCode::kUnavailable, error);
  } catch (const Xapian::DatabaseModifiedError& error) {
    return StatusFromXapianError(absl::StatusCode::kUnavailable, error);
  } catch (const Xapian::DatabaseCorruptError& error) {
    return StatusFromXapianError(absl::StatusCode::kDataLoss, error);
  } catch (const Xapian::DatabaseOpeningError& error) {
    return StatusFromXapianError(absl::StatusCode::kDataLoss, error);
  } catch (const Xapian::DatabaseError& error) {
    return StatusFromXapianError(absl::StatusCode::kUnavailable, error);
  } catch (const Xapian::Error& error) {
    return StatusFromXapianError(absl::StatusCode::kInternal, error);
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError("text index: out of memory");
  }
}

}  // namespace mailroom::index

#endif  // MAILROOM_INDEX_XAPIAN_STATUS_H_
