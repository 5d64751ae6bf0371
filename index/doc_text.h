// The document data of the index: a message's folded text, kept so that
// trigram candidates can be verified exactly. Header fields and attachment
// names are stored plainly (they are small and most keys only need them);
// the body is zlib-compressed and inflated only when a key needs it.
//
// Layout: varint count, then count x (varint len, name, varint len, value);
// varint count, count x (varint len, name); byte body encoding (0 raw,
// 1 zlib); varint raw body length; the body bytes to the end.
//
// Thread-safety: DocText is not thread-safe (the body is inflated lazily);
// the free functions are.
#ifndef MAILROOM_INDEX_DOC_TEXT_H_
#define MAILROOM_INDEX_DOC_TEXT_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "index/folded_text.h"

namespace mailroom::index {

std::string EncodeDocText(const FoldedText& text);

class DocText {
 public:
  // Parses `data` (kept by value). kDataLoss when it is malformed.
  static absl::StatusOr<DocText> Decode(std::string data);

  const std::vector<std::pair<std::string_view, std::string_view>>& headers()
      const {
    return headers_;
  }
  const std::vector<std::string_view>& attachment_names() const {
    return attachment_names_;
  }
  // The folded body; inflated on first use. kDataLoss when corrupt.
  absl::StatusOr<std::string_view> body();

 private:
  // On the heap so that the views below survive moving a DocText.
  std::unique_ptr<const std::string> data_;
  std::vector<std::pair<std::string_view, std::string_view>> headers_;
  std::vector<std::string_view> attachment_names_;
  bool compressed_ = false;
  size_t body_size_ = 0;
  std::string_view stored_body_;
  std::optional<std::string> inflated_;
};

}  // namespace mailroom::index

#endif  // MAILROOM_INDEX_DOC_TEXT_H_
