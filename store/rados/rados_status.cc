#include "store/rados/rados_status.h"

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "store/internal/strings.h"

namespace mailroom::store::rados {

bool IsGuardFailure(int rc) {
  return rc == -ECANCELED || rc == -ERANGE || rc == -EOVERFLOW || rc == -EEXIST;
}

absl::Status FromRados(int rc, std::string_view what) {
  if (rc >= 0) return absl::OkStatus();
  std::string message = absl::StrCat("rados: ", internal::Av(what), ": ",
                                     std::strerror(-rc), " (", -rc, ")");
  if (IsGuardFailure(rc)) return absl::AbortedError(message);
  switch (-rc) {
    case ETIMEDOUT:
    case ENOTCONN:
    case ESHUTDOWN:
    case EIO:
    case ECONNREFUSED:
    case ECONNRESET:
    case ECONNABORTED:
    case EHOSTUNREACH:
    case ENETUNREACH:
    case ENETDOWN:
    case EPIPE:
    case EAGAIN:
    case EBUSY:
    case EINTR:
      return absl::UnavailableError(message);
    case ENOENT:
      return absl::NotFoundError(message);
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(message);
    case EPERM:
    case EACCES:
      return absl::PermissionDeniedError(message);
    case EINVAL:
    case E2BIG:
    case EFBIG:
    case ENAMETOOLONG:
      return absl::InvalidArgumentError(message);
    default:
      break;
  }
  return absl::InternalError(message);
}

}  // namespace mailroom::store::rados
