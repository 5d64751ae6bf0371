// IMAP text matching, the one implementation: SEARCH HEADER, BODY and TEXT
// (RFC 3501 6.4.4, RFC 9051 6.4.4) are case-insensitive substring tests on
// decoded text, both sides folded with i;unicode-casemap. The index verifies
// its word-term candidates with it and the store's scan answers text keys
// with it, so both give the same answers by construction.
//
// Thread-safety: CompiledKey is an immutable value; the functions may run
// concurrently on distinct MatchableTexts.
#ifndef MAILROOM_INDEX_MATCHER_H_
#define MAILROOM_INDEX_MATCHER_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "index/matchable_text.h"
#include "store/search_key.h"

namespace mailroom::index {

// Whether one text key matches: `kind` is kHeader (with `field` in lower
// case), kBody or kText; `needle` is the key's folded value. An empty needle
// matches every message for BODY and TEXT, and every message that has the
// field for HEADER. TEXT also matches across a whole header line,
// "name: value". kDataLoss when stored text is corrupt; kInvalidArgument for
// any other kind.
absl::StatusOr<bool> MatchTextKey(store::SearchKey::Kind kind,
                                  std::string_view field,
                                  std::string_view needle,
                                  MatchableText& text);

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

// A whole AND/OR/NOT tree of text keys. kDataLoss when the stored text is
// corrupt.
absl::StatusOr<bool> Matches(const CompiledKey& key, MatchableText& text);

}  // namespace mailroom::index

#endif  // MAILROOM_INDEX_MATCHER_H_
