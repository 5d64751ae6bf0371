#include "mime/preview.h"

#include "mime/text.h"

namespace mailroom::mime {
namespace {

constexpr uint64_t kPlainReadBytes = 8 << 10;
constexpr uint64_t kHtmlReadBytes = 32 << 10;

bool IsAttachment(const Part& part) {
  return part.disposition.has_value() && *part.disposition == "attachment";
}

const Part* FirstLeaf(const Part& part, std::string_view subtype) {
  if (part.is_multipart()) {
    for (const Part& child : part.children) {
      if (const Part* found = FirstLeaf(child, subtype)) return found;
    }
    return nullptr;
  }
  if (part.type == "text" && part.subtype == subtype && !IsAttachment(part)) {
    return &part;
  }
  return nullptr;
}

// Length of the UTF-8 sequence that starts with `lead` (1 for bytes that
// cannot start one: the decoder already replaced invalid input).
size_t SequenceLength(unsigned char lead) {
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

}  // namespace

const Part* PreviewPart(const Message& message) {
  if (const Part* plain = FirstLeaf(message.root, "plain")) return plain;
  return FirstLeaf(message.root, "html");
}

uint64_t PreviewReadBytes(const Part& part) {
  return part.subtype == "html" ? kHtmlReadBytes : kPlainReadBytes;
}

std::string PreviewText(const Part& part, std::string_view body_prefix,
                        bool truncated) {
  Part prefix_part = part;
  prefix_part.body = Span{0, body_prefix.size()};
  const std::string text = DecodePartText(prefix_part, body_prefix);
  std::string out;
  size_t chars = 0;
  bool pending_space = false;
  for (size_t i = 0; i < text.size() && chars < kPreviewMaxChars;) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    // ASCII controls and whitespace, and U+00A0 NO-BREAK SPACE.
    const bool nbsp = c == 0xc2 && i + 1 < text.size() &&
                      static_cast<unsigned char>(text[i + 1]) == 0xa0;
    if (c <= 0x20 || c == 0x7f || nbsp) {
      pending_space = !out.empty();
      i += nbsp ? 2 : 1;
      continue;
    }
    const size_t len = std::min(SequenceLength(c), text.size() - i);
    if (pending_space) {
      out.push_back(' ');
      ++chars;
      pending_space = false;
      if (chars >= kPreviewMaxChars) break;
    }
    out.append(text, i, len);
    ++chars;
    i += len;
  }
  // A multi-byte character cut at the end of the prefix decodes as U+FFFD.
  constexpr std::string_view kReplacement = "\xef\xbf\xbd";
  if (truncated && out.size() >= kReplacement.size() &&
      std::string_view(out).substr(out.size() - kReplacement.size()) ==
          kReplacement) {
    out.resize(out.size() - kReplacement.size());
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace mailroom::mime
