// fetch-att of RFC 9051 section 9 (with BINARY of RFC 3516 and MODSEQ of
// RFC 7162).
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "protocols/imap/command.h"
#include "protocols/imap/strings.h"
#include "protocols/imap/command_parser.h"

namespace mailroom::imap {
namespace {

absl::Status Bad(std::string_view what) {
  return absl::InvalidArgumentError(AbslView(what));
}

// A fetch-att name: letters, digits and dots ("BODY.PEEK", "RFC822.SIZE").
std::string AttName(Lexer& lx) {
  std::string name;
  while (!lx.AtEnd()) {
    const char c = lx.Peek();
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.') break;
    name.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
    lx.Consume(c);
  }
  return name;
}

absl::Status ParseSection(Lexer& lx, FetchAttr& attr, bool binary) {
  if (!lx.Consume('[')) return Bad("expected '['");
  // section-part
  while (lx.Peek() >= '0' && lx.Peek() <= '9') {
    auto n = lx.NzNumber32();
    if (!n.ok()) return n.status();
    attr.part.push_back(*n);
    if (attr.part.size() > 100) return Bad("section too deep");
    if (!lx.Consume('.')) break;
    if (!(lx.Peek() >= '0' && lx.Peek() <= '9')) {
      if (binary) return Bad("invalid binary section");
      break;  // section-text follows
    }
  }
  if (lx.Consume(']')) return absl::OkStatus();
  if (binary) return Bad("invalid binary section");
  std::string text;
  while (!lx.AtEnd() && (absl::ascii_isalpha(static_cast<unsigned char>(
                             lx.Peek())) ||
                         lx.Peek() == '.')) {
    text.push_back(absl::ascii_toupper(static_cast<unsigned char>(lx.Peek())));
    lx.Consume(lx.Peek());
  }
  if (text == "HEADER") {
    attr.text = FetchAttr::Text::kHeader;
  } else if (text == "TEXT") {
    attr.text = FetchAttr::Text::kText;
  } else if (text == "MIME" && !attr.part.empty()) {
    attr.text = FetchAttr::Text::kMime;
  } else if (text == "HEADER.FIELDS" || text == "HEADER.FIELDS.NOT") {
    attr.text = text == "HEADER.FIELDS" ? FetchAttr::Text::kHeaderFields
                                        : FetchAttr::Text::kHeaderFieldsNot;
    if (!lx.Consume(' ') || !lx.Consume('(')) return Bad("expected header list");
    while (true) {
      auto f = lx.AString();
      if (!f.ok()) return f.status();
      attr.fields.push_back(std::move(*f));
      if (lx.Consume(')')) break;
      if (!lx.Consume(' ')) return Bad("expected a space");
    }
  } else {
    return Bad("invalid section");
  }
  if (!lx.Consume(']')) return Bad("expected ']'");
  return absl::OkStatus();
}

absl::Status ParsePartial(Lexer& lx, FetchAttr& attr) {
  if (!lx.Consume('<')) return absl::OkStatus();
  auto offset = lx.Number();
  if (!offset.ok()) return offset.status();
  if (!lx.Consume('.')) return Bad("expected '.' in partial");
  auto length = lx.Number();
  if (!length.ok()) return length.status();
  if (*length == 0) return Bad("partial length must be non-zero");
  if (!lx.Consume('>')) return Bad("expected '>'");
  attr.partial = std::make_pair(*offset, *length);
  return absl::OkStatus();
}

absl::StatusOr<FetchAttr> ParseOneAttr(Lexer& lx) {
  const std::string name = AttName(lx);
  FetchAttr attr;
  using K = FetchAttr::Kind;
  if (name == "ENVELOPE") {
    attr.kind = K::kEnvelope;
  } else if (name == "FLAGS") {
    attr.kind = K::kFlags;
  } else if (name == "INTERNALDATE") {
    attr.kind = K::kInternalDate;
  } else if (name == "SAVEDATE") {  // RFC 8514
    attr.kind = K::kSaveDate;
  } else if (name == "RFC822") {
    attr.kind = K::kRfc822;
  } else if (name == "RFC822.HEADER") {
    attr.kind = K::kRfc822Header;
  } else if (name == "RFC822.SIZE") {
    attr.kind = K::kRfc822Size;
  } else if (name == "RFC822.TEXT") {
    attr.kind = K::kRfc822Text;
  } else if (name == "BODYSTRUCTURE") {
    attr.kind = K::kBodyStructure;
  } else if (name == "UID") {
    attr.kind = K::kUid;
  } else if (name == "MODSEQ") {
    attr.kind = K::kModSeq;
  } else if (name == "EMAILID") {  // RFC 8474
    attr.kind = K::kEmailId;
  } else if (name == "THREADID") {
    attr.kind = K::kThreadId;
  } else if (name == "PREVIEW") {  // RFC 8970: PREVIEW [SP "(" mods ")"]
    attr.kind = K::kPreview;
    if (lx.rest().starts_with(" (")) {
      lx.Consume(' ');
      lx.Consume('(');
      do {
        // Every preview is made at once, so LAZY changes nothing.
        if (!lx.ConsumeWord("LAZY")) return Bad("unknown PREVIEW modifier");
      } while (lx.Consume(' '));
      if (!lx.Consume(')')) return Bad("expected \")\" after PREVIEW modifiers");
    }
  } else if (name == "BODY" || name == "BODY.PEEK") {
    if (lx.Peek() != '[') {
      if (name == "BODY.PEEK") return Bad("BODY.PEEK needs a section");
      attr.kind = K::kBody;
      return attr;
    }
    attr.kind = K::kSection;
    attr.peek = name == "BODY.PEEK";
    if (auto s = ParseSection(lx, attr, false); !s.ok()) return s;
    if (auto s = ParsePartial(lx, attr); !s.ok()) return s;
  } else if (name == "BINARY" || name == "BINARY.PEEK") {
    attr.kind = K::kBinary;
    attr.peek = name == "BINARY.PEEK";
    if (auto s = ParseSection(lx, attr, true); !s.ok()) return s;
    if (auto s = ParsePartial(lx, attr); !s.ok()) return s;
  } else if (name == "BINARY.SIZE") {
    attr.kind = K::kBinarySize;
    if (auto s = ParseSection(lx, attr, true); !s.ok()) return s;
  } else {
    return Bad("unknown fetch attribute");
  }
  return attr;
}

FetchAttr Simple(FetchAttr::Kind kind) {
  FetchAttr a;
  a.kind = kind;
  return a;
}

}  // namespace

std::string FetchAttr::ResponseName() const {
  std::string section = absl::StrJoin(part, ".");
  auto add = [&](std::string_view t) {
    if (!section.empty()) section += ".";
    section += t;
  };
  switch (text) {
    case Text::kAll:
      break;
    case Text::kHeader:
      add("HEADER");
      break;
    case Text::kText:
      add("TEXT");
      break;
    case Text::kMime:
      add("MIME");
      break;
    case Text::kHeaderFields:
    case Text::kHeaderFieldsNot: {
      add(text == Text::kHeaderFields ? "HEADER.FIELDS" : "HEADER.FIELDS.NOT");
      std::vector<std::string> upper;
      for (const auto& f : fields) upper.push_back(AsciiUpper(f));
      absl::StrAppend(&section, " (", absl::StrJoin(upper, " "), ")");
      break;
    }
  }
  std::string out;
  switch (kind) {
    case Kind::kBinary:
      out = absl::StrCat("BINARY[", section, "]");
      break;
    case Kind::kBinarySize:
      return absl::StrCat("BINARY.SIZE[", section, "]");
    default:
      out = absl::StrCat("BODY[", section, "]");
  }
  if (partial) absl::StrAppend(&out, "<", partial->first, ">");
  return out;
}

absl::StatusOr<std::vector<FetchAttr>> ParseFetchAttrs(Lexer& lx,
                                                       size_t max_attributes) {
  using K = FetchAttr::Kind;
  if (lx.ConsumeWord("ALL")) {
    return std::vector<FetchAttr>{Simple(K::kFlags), Simple(K::kInternalDate),
                                  Simple(K::kRfc822Size), Simple(K::kEnvelope)};
  }
  if (lx.ConsumeWord("FAST")) {
    return std::vector<FetchAttr>{Simple(K::kFlags), Simple(K::kInternalDate),
                                  Simple(K::kRfc822Size)};
  }
  if (lx.ConsumeWord("FULL")) {
    return std::vector<FetchAttr>{Simple(K::kFlags), Simple(K::kInternalDate),
                                  Simple(K::kRfc822Size), Simple(K::kEnvelope),
                                  Simple(K::kBody)};
  }
  std::vector<FetchAttr> attrs;
  if (!lx.Consume('(')) {
    auto a = ParseOneAttr(lx);
    if (!a.ok()) return a.status();
    attrs.push_back(std::move(*a));
    return attrs;
  }
  while (true) {
    auto a = ParseOneAttr(lx);
    if (!a.ok()) return a.status();
    attrs.push_back(std::move(*a));
    if (attrs.size() > max_attributes) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "too many fetch attributes (limit ", max_attributes, ")"));
    }
    if (lx.Consume(')')) break;
    if (!lx.Consume(' ')) return Bad("expected a space");
  }
  return attrs;
}

}  // namespace mailroom::imap
