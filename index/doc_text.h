// A message's folded text as the index keeps it, so that word-term candidates
// can be verified exactly. Header fields and attachment names go in one
// value slot (small; most keys need only them); the body goes in its own
// value slot, read (and inflated, when it was large enough to be
// zlib-compressed) only when a key needs it.
//
// Header value: varint count, count x (varint len, name, varint len,
// value); varint count, count x (varint len, name).
// Body value: empty for an empty body, else one byte (0 raw, 1 zlib), varint
// raw length, the bytes to the end.
//
// A compressed body is inflated lazily and incrementally: BodyContains()
// stops as soon as the needle is found, so a matching message usually costs
// a part of its body, and later calls resume where the last one stopped.
//
// Thread-safety: DocText is not thread-safe (the body is inflated lazily);
// the free functions are.
#ifndef MAILROOM_INDEX_DOC_TEXT_H_
#define MAILROOM_INDEX_DOC_TEXT_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "index/folded_text.h"
#include "index/matchable_text.h"

namespace mailroom::index {

std::string EncodeDocData(const FoldedText& text);
std::string EncodeBodyValue(std::string_view body);

class DocText : public MatchableText {
 public:
  // Parses a header value and a body value (both kept by value). The body
  // value may be left empty when no key needs the body. kDataLoss when
  // malformed.
  static absl::StatusOr<DocText> Decode(std::string data,
                                        std::string body_value);

  const std::vector<std::pair<std::string_view, std::string_view>>& headers()
      const override {
    return headers_;
  }
  const std::vector<std::string_view>& attachment_names() const {
    return attachment_names_;
  }
  // The folded body; inflated on first use. kDataLoss when corrupt.
  absl::StatusOr<std::string_view> body();
  // Whether the folded body contains `needle` (true when it is empty),
  // inflating only as far as needed. kDataLoss when corrupt.
  absl::StatusOr<bool> BodyContains(std::string_view needle) override;

  DocText();
  DocText(DocText&&);
  DocText& operator=(DocText&&);
  ~DocText() override;

 private:
  struct Inflater;  // the zlib stream, kept between calls

  // Inflates up to `chunk` more bytes of the body into inflated_.
  absl::Status InflateMore(size_t chunk);

  // On the heap so that the views below survive moving a DocText.
  std::unique_ptr<const std::string> data_;
  std::unique_ptr<const std::string> body_value_;
  std::vector<std::pair<std::string_view, std::string_view>> headers_;
  std::vector<std::string_view> attachment_names_;
  bool compressed_ = false;
  size_t body_size_ = 0;
  std::string_view stored_body_;
  // The body inflated so far: its first `inflated_size_` of body_size_ bytes.
  std::unique_ptr<char[]> inflated_;
  size_t inflated_size_ = 0;
  std::unique_ptr<Inflater> inflater_;  // null before the first and after
                                        // the last InflateMore()
};

}  // namespace mailroom::index

#endif  // MAILROOM_INDEX_DOC_TEXT_H_
