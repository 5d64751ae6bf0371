#include "index/xapian_status.h"

namespace mailroom::index {

absl::Status StatusFromXapianError(absl::StatusCode code,
                                   const Xapian::Error& error) {
  return absl::Status(code, absl::StrCat("text index: ", error.get_type(),
                                         ": ", error.get_msg()));
}

}  // namespace mailroom::index
