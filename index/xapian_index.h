// The production full-text index: Xapian, one database per mailbox owner
// under `dir`, text decoded by mime/. See index/schema.h for the layout and
// index/xapian_text_index.h for the error and thread-safety contract.
#ifndef MAILROOM_INDEX_XAPIAN_INDEX_H_
#define MAILROOM_INDEX_XAPIAN_INDEX_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "store/text_index.h"

namespace mailroom::index {

absl::StatusOr<std::shared_ptr<store::TextIndex>> OpenXapianIndex(
    const std::string& dir);

}  // namespace mailroom::index

#endif  // MAILROOM_INDEX_XAPIAN_INDEX_H_
