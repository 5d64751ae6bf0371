#include "mime/testing/tiling.h"

#include "absl/strings/str_cat.h"

namespace mailroom::mime::testing {
namespace {

std::string Check(const Part& part, uint64_t lo, uint64_t hi,
                  const std::string& path) {
  if (part.header.end() != part.body.offset)
    return absl::StrCat(path, ": header ends at ", part.header.end(),
                        " but body starts at ", part.body.offset);
  if (part.header.offset < lo || part.body.end() > hi)
    return absl::StrCat(path, ": part [", part.header.offset, ", ",
                        part.body.end(), ") outside its parent [", lo, ", ", hi,
                        ")");
  uint64_t cursor = part.body.offset;
  int n = 0;
  for (const Part& child : part.children) {
    ++n;
    if (child.header.offset < cursor)
      return absl::StrCat(path, ".", n, ": overlaps its previous sibling");
    std::string error = Check(child, part.body.offset, part.body.end(),
                              absl::StrCat(path, ".", n));
    if (!error.empty()) return error;
    cursor = child.body.end();
  }
  if (part.is_message() && part.children.size() == 1) {
    const Part& inner = part.children.front();
    if (inner.header.offset != part.body.offset ||
        inner.body.end() != part.body.end())
      return absl::StrCat(path, ": encapsulated message does not fill the body");
  }
  return "";
}

}  // namespace

std::string CheckTiling(const Message& message) {
  const Part& root = message.root;
  if (root.header.offset != 0 || root.body.end() != message.size)
    return absl::StrCat("root spans [", root.header.offset, ", ",
                        root.body.end(), ") of ", message.size);
  return Check(root, 0, message.size, "root");
}

}  // namespace mailroom::mime::testing
