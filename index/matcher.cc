#include "index/matcher.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "base/status_macros.h"

namespace mailroom::index {

namespace {

using Kind = store::SearchKey::Kind;

// TEXT looks at whole header lines, "name: value", so that a key may span
// the name and the value.
bool AnyHeaderContains(const MatchableText& text, std::string_view folded) {
  std::string line;
  for (const auto& [name, value] : text.headers()) {
    if (FoldedContains(value, folded)) return true;
    line.assign(name).append(": ").append(value);
    if (FoldedContains(line, folded)) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<bool> MatchTextKey(Kind kind, std::string_view field,
                                  std::string_view needle,
                                  MatchableText& text) {
  switch (kind) {
    case Kind::kHeader:
      for (const auto& [name, value] : text.headers()) {
        if (name == field && FoldedContains(value, needle)) return true;
      }
      return false;
    case Kind::kBody:
      // A stored body is inflated only as far as the first occurrence.
      return text.BodyContains(needle);
    case Kind::kText:
      if (needle.empty() || AnyHeaderContains(text, needle)) return true;
      return text.BodyContains(needle);
    default:
      return absl::InvalidArgumentError("not a text search key");
  }
}

absl::StatusOr<CompiledKey> CompileKey(
    const store::SearchKey& key,
    const std::function<std::string(std::string_view)>& fold) {
  CompiledKey out;
  out.kind = key.kind;
  switch (key.kind) {
    case Kind::kAll:
      return out;
    case Kind::kNot:
      if (key.children.size() != 1) {
        return absl::InvalidArgumentError("NOT needs exactly one operand");
      }
      [[fallthrough]];
    case Kind::kAnd:
    case Kind::kOr:
      for (const store::SearchKey& child : key.children) {
        MR_ASSIGN_OR_RETURN(CompiledKey compiled, CompileKey(child, fold));
        out.children.push_back(std::move(compiled));
      }
      return out;
    case Kind::kHeader:
      out.field = absl::AsciiStrToLower(key.field);
      [[fallthrough]];
    case Kind::kBody:
    case Kind::kText:
      out.folded = fold(key.value);
      return out;
    default:
      return absl::InvalidArgumentError(
          "the text index only answers text search keys");
  }
}

bool NeedsBody(const CompiledKey& key) {
  if ((key.kind == Kind::kBody || key.kind == Kind::kText) &&
      !key.folded.empty()) {
    return true;
  }
  for (const CompiledKey& child : key.children) {
    if (NeedsBody(child)) return true;
  }
  return false;
}

bool NeedsHeaders(const CompiledKey& key) {
  if (key.kind == Kind::kHeader ||
      (key.kind == Kind::kText && !key.folded.empty())) {
    return true;
  }
  for (const CompiledKey& child : key.children) {
    if (NeedsHeaders(child)) return true;
  }
  return false;
}

absl::StatusOr<bool> Matches(const CompiledKey& key, MatchableText& text) {
  switch (key.kind) {
    case Kind::kAnd:
      for (const CompiledKey& child : key.children) {
        MR_ASSIGN_OR_RETURN(bool match, Matches(child, text));
        if (!match) return false;
      }
      return true;
    case Kind::kOr:
      for (const CompiledKey& child : key.children) {
        MR_ASSIGN_OR_RETURN(bool match, Matches(child, text));
        if (match) return true;
      }
      return false;
    case Kind::kNot: {
      MR_ASSIGN_OR_RETURN(bool match, Matches(key.children[0], text));
      return !match;
    }
    case Kind::kHeader:
    case Kind::kBody:
    case Kind::kText:
      return MatchTextKey(key.kind, key.field, key.folded, text);
    default:
      return true;  // kAll; CompileKey admits nothing else
  }
}

}  // namespace mailroom::index
