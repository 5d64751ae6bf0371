// librados error codes (negative errno values) as absl::Status, chosen for
// their retry meaning (see store/engine/engine.h). Every librados result of
// this engine passes through here; no errno leaves store/rados/.
#ifndef MAILROOM_STORE_RADOS_RADOS_STATUS_H_
#define MAILROOM_STORE_RADOS_RADOS_STATUS_H_

#include <string_view>

#include "absl/status/status.h"

namespace mailroom::store::rados {

// `rc` is a librados return value (0 or a negative errno); `what` names the
// operation and object for the message.
//   0                                      OK
//   -ECANCELED -ERANGE -EOVERFLOW -EEXIST  kAborted (a guard failed)
//   -ETIMEDOUT -ENOTCONN -ESHUTDOWN -EIO,
//   connection and "try again" errors      kUnavailable
//   -ENOENT                                kNotFound (callers that read
//                                          treat it as an absent key)
//   -ENOSPC -EDQUOT                        kResourceExhausted
//   -EPERM -EACCES                         kPermissionDenied
//   -EINVAL -E2BIG -EFBIG -ENAMETOOLONG    kInvalidArgument
//   anything else                          kInternal
absl::Status FromRados(int rc, std::string_view what);

// True for the codes FromRados maps to kAborted.
bool IsGuardFailure(int rc);

}  // namespace mailroom::store::rados

#endif  // MAILROOM_STORE_RADOS_RADOS_STATUS_H_
