#include "store/internal/names.h"

#include "absl/status/status.h"
#include "base/utf8.h"
#include "store/internal/strings.h"
#include "store/types.h"

namespace mailroom::store::internal {

absl::StatusOr<std::string> CanonicalUser(std::string_view user) {
  std::string lower = ToLowerAscii(user);
  if (lower.empty() || lower.size() > 64 || lower[0] == '.') {
    return absl::InvalidArgumentError("invalid user name");
  }
  for (char c : lower) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-';
    if (!ok) return absl::InvalidArgumentError("invalid user name");
  }
  return lower;
}

absl::StatusOr<std::string> CanonicalNewUser(std::string_view user) {
  absl::StatusOr<std::string> name = CanonicalUser(user);
  if (!name.ok()) return name.status();
  if (*name == "anyone" || *name == "authenticated" || (*name)[0] == '-') {
    return absl::InvalidArgumentError(
        "reserved user name: ACLs use it as an identifier");
  }
  return name;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    uint32_t cp;
    const size_t length = base::Utf8SequenceLength(s.substr(i), &cp);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

absl::StatusOr<std::string> CanonicalMailboxName(std::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("empty mailbox name");
  if (name.size() > 255) {
    return absl::InvalidArgumentError("mailbox name too long");
  }
  if (!IsValidUtf8(name)) {
    return absl::InvalidArgumentError("mailbox name is not valid UTF-8");
  }
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '*' || c == '%') {
      return absl::InvalidArgumentError(
          "mailbox name contains a forbidden character");
    }
  }
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t slash = name.find(kDelimiter, start);
    parts.push_back(name.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  for (std::string_view part : parts) {
    if (part.empty() || part == "." || part == "..") {
      return absl::InvalidArgumentError("invalid mailbox name component");
    }
  }
  std::string out(name);
  if (EqualsIgnoreCase(parts[0], kInbox)) {
    out.replace(0, kInbox.size(), kInbox);
  }
  return out;
}

absl::StatusOr<OwnedName> ResolveVisibleName(std::string_view user,
                                             std::string_view visible) {
  auto root_of = [&](std::string_view root) -> std::optional<std::string_view> {
    if (visible == root) return std::string_view();
    if (visible.size() > root.size() && visible.starts_with(root) &&
        visible[root.size()] == kDelimiter) {
      return visible.substr(root.size() + 1);
    }
    return std::nullopt;
  };
  if (auto rest = root_of(kOtherUsersRoot)) {
    size_t slash = rest->find(kDelimiter);
    if (rest->empty() || slash == std::string_view::npos) {
      return absl::InvalidArgumentError("a namespace root is not a mailbox");
    }
    absl::StatusOr<std::string> owner = CanonicalUser(rest->substr(0, slash));
    if (!owner.ok()) return absl::NotFoundError("no such mailbox");
    absl::StatusOr<std::string> name =
        CanonicalMailboxName(rest->substr(slash + 1));
    if (!name.ok()) return name.status();
    return OwnedName{*std::move(owner), *std::move(name)};
  }
  if (auto rest = root_of(kSharedRoot)) {
    if (rest->empty()) {
      return absl::InvalidArgumentError("a namespace root is not a mailbox");
    }
    absl::StatusOr<std::string> name = CanonicalMailboxName(*rest);
    if (!name.ok()) return name.status();
    return OwnedName{std::string(kSharedOwner), *std::move(name)};
  }
  absl::StatusOr<std::string> name = CanonicalMailboxName(visible);
  if (!name.ok()) return name.status();
  return OwnedName{std::string(user), *std::move(name)};
}

std::string VisibleName(std::string_view user, std::string_view owner,
                        std::string_view name) {
  if (owner == user) return std::string(name);
  if (owner == kSharedOwner) return std::string(kSharedRoot) + "/" + std::string(name);
  return std::string(kOtherUsersRoot) + "/" + std::string(owner) + "/" +
         std::string(name);
}

std::vector<std::string> ParentNames(std::string_view name) {
  std::vector<std::string> parents;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == kDelimiter) parents.emplace_back(name.substr(0, i));
  }
  return parents;
}

}  // namespace mailroom::store::internal
