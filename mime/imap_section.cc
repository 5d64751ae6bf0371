#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "mime/header.h"
#include "mime/imap.h"
#include "mime/text.h"

namespace mailroom::mime {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool ConsumeKeyword(std::string_view* s, std::string_view keyword) {
  if (s->size() < keyword.size() ||
      !EqualsIgnoreCase(s->substr(0, keyword.size()), keyword))
    return false;
  s->remove_prefix(keyword.size());
  return true;
}

// Parses " (name name ...)" of HEADER.FIELDS.
absl::Status ParseHeaderList(std::string_view s,
                             std::vector<std::string>* fields) {
  if (s.empty() || s[0] != ' ')
    return absl::InvalidArgumentError("expected a header list");
  s.remove_prefix(1);
  if (s.empty() || s[0] != '(')
    return absl::InvalidArgumentError("expected '(' in header list");
  s.remove_prefix(1);
  while (true) {
    if (s.empty()) return absl::InvalidArgumentError("unterminated header list");
    if (s[0] == ')') {
      s.remove_prefix(1);
      break;
    }
    if (!fields->empty()) {
      if (s[0] != ' ')
        return absl::InvalidArgumentError("expected space in header list");
      s.remove_prefix(1);
    }
    std::string name;
    if (!s.empty() && s[0] == '"') {
      size_t i = 1;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        name.push_back(s[i]);
        ++i;
      }
      if (i >= s.size())
        return absl::InvalidArgumentError("unterminated quoted field name");
      s.remove_prefix(i + 1);
    } else {
      size_t i = 0;
      while (i < s.size()) {
        unsigned char c = s[i];
        if (c <= ' ' || c >= 0x7F || c == '(' || c == ')' || c == '{' ||
            c == '%' || c == '*' || c == '"' || c == '\\')
          break;
        ++i;
      }
      if (i == 0) return absl::InvalidArgumentError("bad field name");
      name = std::string(s.substr(0, i));
      s.remove_prefix(i);
    }
    fields->push_back(std::move(name));
  }
  if (!s.empty())
    return absl::InvalidArgumentError("trailing text after header list");
  if (fields->empty())
    return absl::InvalidArgumentError("empty header list");
  return absl::OkStatus();
}

std::string_view Slice(std::string_view raw, Span span) {
  if (span.offset >= raw.size()) return {};
  return raw.substr(span.offset,
                    std::min<uint64_t>(span.size, raw.size() - span.offset));
}

// The message whose HEADER/TEXT a spec refers to: the top-level one, or the
// one encapsulated in the named message/rfc822 part.
absl::StatusOr<const Part*> MessageOf(const Message& message,
                                      const SectionSpec& spec) {
  if (spec.part.empty()) return &message.root;
  const Part* part = ResolvePart(message, spec.part);
  if (part == nullptr) return absl::NotFoundError("no such part");
  if (!part->is_message() || part->children.empty())
    return absl::InvalidArgumentError(
        "HEADER and TEXT need a message/rfc822 part");
  return &part->children.front();
}

}  // namespace

absl::StatusOr<SectionSpec> ParseSectionSpec(std::string_view s) {
  SectionSpec spec;
  while (!s.empty() && IsDigit(s[0])) {
    uint64_t n = 0;
    size_t i = 0;
    while (i < s.size() && IsDigit(s[i])) {
      n = n * 10 + (s[i] - '0');
      if (n > 0xFFFFFFFFu)
        return absl::InvalidArgumentError("part number too large");
      ++i;
    }
    if (n == 0) return absl::InvalidArgumentError("part number 0");
    spec.part.push_back(static_cast<uint32_t>(n));
    s.remove_prefix(i);
    if (s.empty()) return spec;
    if (s[0] != '.') return absl::InvalidArgumentError("bad section");
    s.remove_prefix(1);
    if (s.empty()) return absl::InvalidArgumentError("section ends with '.'");
  }
  if (s.empty()) return spec;
  if (ConsumeKeyword(&s, "HEADER.FIELDS.NOT")) {
    spec.text = SectionSpec::Text::kHeaderFieldsNot;
  } else if (ConsumeKeyword(&s, "HEADER.FIELDS")) {
    spec.text = SectionSpec::Text::kHeaderFields;
  } else if (ConsumeKeyword(&s, "HEADER")) {
    spec.text = SectionSpec::Text::kHeader;
  } else if (ConsumeKeyword(&s, "TEXT")) {
    spec.text = SectionSpec::Text::kText;
  } else if (ConsumeKeyword(&s, "MIME")) {
    if (spec.part.empty())
      return absl::InvalidArgumentError("MIME needs a part number");
    spec.text = SectionSpec::Text::kMime;
  } else {
    return absl::InvalidArgumentError("unknown section text");
  }
  if (spec.text == SectionSpec::Text::kHeaderFields ||
      spec.text == SectionSpec::Text::kHeaderFieldsNot) {
    absl::Status status = ParseHeaderList(s, &spec.fields);
    if (!status.ok()) return status;
  } else if (!s.empty()) {
    return absl::InvalidArgumentError("trailing text in section");
  }
  return spec;
}

const Part* ResolvePart(const Message& message,
                        const std::vector<uint32_t>& path) {
  const Part* selected = nullptr;  // nullptr: the top-level message itself
  for (uint32_t n : path) {
    // The parts numbered below `selected`: a multipart's children, or the
    // parts of a message (top-level or encapsulated).
    const Part* container;
    if (selected == nullptr) {
      container = &message.root;
    } else if (selected->is_multipart()) {
      container = selected;
    } else if (selected->is_message() && !selected->children.empty()) {
      container = &selected->children.front();
    } else {
      return nullptr;  // a leaf has no sub-parts
    }
    if (container->is_multipart() && !container->children.empty()) {
      if (n > container->children.size()) return nullptr;
      selected = &container->children[n - 1];
    } else {
      // A non-multipart message has exactly one part: itself.
      if (n != 1) return nullptr;
      selected = container;
    }
  }
  return selected;
}

absl::StatusOr<Span> SectionSpan(const Message& message,
                                 const SectionSpec& spec) {
  switch (spec.text) {
    case SectionSpec::Text::kAll: {
      if (spec.part.empty()) return Span{0, message.size};
      const Part* part = ResolvePart(message, spec.part);
      if (part == nullptr) return absl::NotFoundError("no such part");
      return part->body;
    }
    case SectionSpec::Text::kMime: {
      const Part* part = ResolvePart(message, spec.part);
      if (part == nullptr) return absl::NotFoundError("no such part");
      return part->header;
    }
    case SectionSpec::Text::kHeader: {
      absl::StatusOr<const Part*> m = MessageOf(message, spec);
      if (!m.ok()) return m.status();
      return (*m)->header;
    }
    case SectionSpec::Text::kText: {
      absl::StatusOr<const Part*> m = MessageOf(message, spec);
      if (!m.ok()) return m.status();
      return (*m)->body;
    }
    case SectionSpec::Text::kHeaderFields:
    case SectionSpec::Text::kHeaderFieldsNot:
      break;
  }
  return absl::InvalidArgumentError("HEADER.FIELDS is not one span");
}

absl::StatusOr<std::string> FetchSection(const Message& message,
                                         std::string_view raw,
                                         const SectionSpec& spec) {
  if (spec.text != SectionSpec::Text::kHeaderFields &&
      spec.text != SectionSpec::Text::kHeaderFieldsNot) {
    absl::StatusOr<Span> span = SectionSpan(message, spec);
    if (!span.ok()) return span.status();
    return std::string(Slice(raw, *span));
  }
  absl::StatusOr<const Part*> m = MessageOf(message, spec);
  if (!m.ok()) return m.status();
  return FilterHeaderFields(Slice(raw, (*m)->header), spec);
}

std::string FilterHeaderFields(std::string_view header,
                               const SectionSpec& spec) {
  const bool want = spec.text == SectionSpec::Text::kHeaderFields;
  std::string out;
  for (const HeaderField& f : SplitHeader(header, Span{0, header.size()})) {
    bool listed = false;
    for (const std::string& name : spec.fields) {
      if (EqualsIgnoreCase(f.name, name)) {
        listed = true;
        break;
      }
    }
    if (listed != want) continue;
    // Built text, not a span of the message: written with CRLF endings
    // whatever the stored bytes use.
    std::string_view bytes = Slice(header, f.span);
    for (size_t i = 0; i < bytes.size(); ++i) {
      if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r'))
        out.push_back('\r');
      out.push_back(bytes[i]);
    }
    if (bytes.empty() || bytes.back() != '\n') out.append("\r\n");
  }
  out.append("\r\n");
  return out;
}

absl::StatusOr<std::string> FetchBinary(const Message& message,
                                        std::string_view raw,
                                        const std::vector<uint32_t>& path) {
  if (path.empty()) return std::string(raw);
  const Part* part = ResolvePart(message, path);
  if (part == nullptr) return absl::NotFoundError("no such part");
  std::optional<std::string> decoded =
      DecodeTransferEncoding(Slice(raw, part->body), part->encoding);
  if (!decoded) {
    return absl::UnimplementedError(
        absl::StrCat("unknown Content-Transfer-Encoding ", part->encoding));
  }
  return *std::move(decoded);
}

absl::StatusOr<uint64_t> BinarySize(const Message& message,
                                    std::string_view raw,
                                    const std::vector<uint32_t>& path) {
  if (path.empty()) return raw.size();
  const Part* part = ResolvePart(message, path);
  if (part == nullptr) return absl::NotFoundError("no such part");
  const std::string& e = part->encoding;
  if (e.empty() || e == "7bit" || e == "8bit" || e == "binary")
    return part->body.size;
  absl::StatusOr<std::string> decoded = FetchBinary(message, raw, path);
  if (!decoded.ok()) return decoded.status();
  return decoded->size();
}

}  // namespace mailroom::mime
