#include "store/internal/metadata_names.h"

#include "absl/strings/str_cat.h"
#include "store/internal/strings.h"

namespace mailroom::store::internal {

absl::StatusOr<std::string> CanonicalMetadataEntry(std::string_view name,
                                                   bool allow_scope) {
  auto invalid = [](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid annotation entry: ", Av(why)));
  };
  if (name.size() > kMaxMetadataEntryBytes) return invalid("name too long");
  for (char c : name) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e) return invalid("only printable ASCII");
    if (c == '*' || c == '%') return invalid("no \"*\" or \"%\"");
  }
  std::string lower = ToLowerAscii(name);
  if (allow_scope && (lower == "/private" || lower == "/shared")) return lower;
  if (!lower.starts_with("/private/") && !lower.starts_with("/shared/")) {
    return invalid("must start with /private/ or /shared/");
  }
  if (lower.find("//") != std::string::npos) return invalid("empty component");
  if (lower.back() == '/') return invalid("trailing \"/\"");
  return lower;
}

}  // namespace mailroom::store::internal
