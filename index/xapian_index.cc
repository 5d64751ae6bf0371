#include "index/xapian_index.h"

#include "index/folded_text.h"
#include "index/xapian_text_index.h"

namespace mailroom::index {

absl::StatusOr<std::shared_ptr<store::TextIndex>> OpenXapianIndex(
    const std::string& dir) {
  return OpenXapianTextIndex(dir, MimeTextSource());
}

}  // namespace mailroom::index
