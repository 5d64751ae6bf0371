// store::TextIndex on Xapian, with the text source injected (tests use a
// simple one; production uses mime/ through OpenXapianIndex in
// index/xapian_index.h). The schema is in index/schema.h.
#ifndef MAILROOM_INDEX_XAPIAN_TEXT_INDEX_H_
#define MAILROOM_INDEX_XAPIAN_TEXT_INDEX_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "index/folded_text.h"
#include "store/text_index.h"

namespace mailroom::index {

// Opens the index rooted at `root` (created if missing). Per-owner databases
// are opened lazily and kept open; each Apply() commits every database it
// touched before returning OK.
//
// Errors: Query() returns kDataLoss when the owner's database is missing,
// corrupt, of an unknown schema version or known to be incomplete (the
// caller falls back to a scan and may reindex the owner), kUnavailable on I/O
// or lock failures (retry), kInvalidArgument for non-text keys. Apply()
// returns the same codes; on error nothing of the failed owner's part of the
// batch is committed, and applying the whole batch again is safe.
//
// Thread-safety: the returned object is safe for concurrent calls; calls for
// one owner are serialised by that owner's mutex.
absl::StatusOr<std::shared_ptr<store::TextIndex>> OpenXapianTextIndex(
    const std::string& root, TextSource source);

}  // namespace mailroom::index

#endif  // MAILROOM_INDEX_XAPIAN_TEXT_INDEX_H_
