// The folded text of one message as a text search key sees it, whether held
// in memory (the store's scan) or stored with an index document (the index's
// verification of candidates). index/matcher.h matches keys against it.
//
// Thread-safety: implementations need not be thread-safe.
#ifndef MAILROOM_INDEX_MATCHABLE_TEXT_H_
#define MAILROOM_INDEX_MATCHABLE_TEXT_H_

#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "index/folded_text.h"

namespace mailroom::index {

class MatchableText {
 public:
  virtual ~MatchableText() = default;

  // Top-level header fields in order: lower-case name, folded value.
  virtual const std::vector<std::pair<std::string_view, std::string_view>>&
  headers() const = 0;

  // Whether the folded body contains `needle` (true when it is empty).
  // kDataLoss when stored text is corrupt.
  virtual absl::StatusOr<bool> BodyContains(std::string_view needle) = 0;
};

// A FoldedText in memory. Keeps a reference: `text` must outlive this.
class InMemoryText : public MatchableText {
 public:
  explicit InMemoryText(const FoldedText& text);

  const std::vector<std::pair<std::string_view, std::string_view>>& headers()
      const override {
    return headers_;
  }
  absl::StatusOr<bool> BodyContains(std::string_view needle) override;

 private:
  const FoldedText& text_;
  std::vector<std::pair<std::string_view, std::string_view>> headers_;
};

// Whether `haystack` holds `needle` as a byte substring (true when `needle`
// is empty). Both sides already folded.
bool FoldedContains(std::string_view haystack, std::string_view needle);

}  // namespace mailroom::index

#endif  // MAILROOM_INDEX_MATCHABLE_TEXT_H_
