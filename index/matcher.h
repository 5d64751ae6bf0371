// Exact evaluation of a text search key tree against a message's folded
// text: the verification step behind the word-term candidates.
//
// Thread-safety: CompiledKey is an immutable value; Matches() may run
// concurrently on distinct DocTexts.
#ifndef MAILROOM_INDEX_MATCHER_H_
#define MAILROOM_INDEX_MATCHER_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "index/doc_text.h"
#include "store/search_key.h"

namespace mailroom::index {

// A search key with its value folded once.
struct CompiledKey {
  store::SearchKey::Kind kind = store::SearchKey::Kind::kAll;
  std::string field;   // kHeader: lower-case field name
  std::string folded;  // text keys: the folded value
  std::vector<CompiledKey> children;
};

// kInvalidArgument for a key that is not text (flags, dates, ...): the store
// evaluates those itself.
absl::StatusOr<CompiledKey> CompileKey(
    const store::SearchKey& key,
    const std::function<std::string(std::string_view)>& fold);

// True when some leaf needs the body (BODY or TEXT with a non-empty value).
bool NeedsBody(const CompiledKey& key);

// True when some leaf needs the header fields (HEADER, or TEXT with a
// non-empty value); a BODY-only tree is verified without reading them.
bool NeedsHeaders(const CompiledKey& key);

// kDataLoss when the stored body is corrupt.
absl::StatusOr<bool> Matches(const CompiledKey& key, DocText& doc);

}  // namespace mailroom::index

#endif  // MAILROOM_INDEX_MATCHER_H_
