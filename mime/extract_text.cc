// ExtractText and the per-part decoding it is built from.
#include <string>
#include <string_view>

#include "mime/charset.h"
#include "mime/header.h"
#include "mime/params.h"
#include "mime/text.h"

namespace mailroom::mime {
namespace {

std::string_view Slice(std::string_view raw, Span span) {
  if (span.offset >= raw.size()) return {};
  return raw.substr(span.offset, std::min<uint64_t>(span.size,
                                                    raw.size() - span.offset));
}

// Header fields of an encapsulated message worth searching as body text.
bool IsSearchableHeader(std::string_view name) {
  for (const char* n : {"subject", "from", "to", "cc", "date"}) {
    if (EqualsIgnoreCase(name, n)) return true;
  }
  return false;
}

// Header fields that hold address lists.
bool IsAddressField(std::string_view name) {
  for (const char* n : {"from", "to", "cc", "bcc", "sender", "reply-to",
                        "resent-from", "resent-to", "resent-cc", "resent-bcc",
                        "resent-sender"}) {
    if (EqualsIgnoreCase(name, n)) return true;
  }
  return false;
}

// The addresses of an address field written out plainly, one per line:
// "group: name <mailbox@domain>". Searching an address then finds it however
// the header wrote it (comments or spaces inside it, quoting, folding);
// the decoded header value stays searchable as well.
std::string PlainAddresses(std::string_view raw_value) {
  std::string out;
  for (const Address& a : ParseAddressList(raw_value)) {
    out.push_back('\n');
    if (!a.group.empty()) out.append(a.group).append(": ");
    if (!a.display_name.empty()) out.append(a.display_name).append(" ");
    out.push_back('<');
    out.append(a.mailbox);
    if (!a.domain.empty()) out.append("@").append(a.domain);
    out.push_back('>');
  }
  return out;
}

// Walks one message's parts collecting text. Not thread-safe; one per call.
class Extractor {
 public:
  Extractor(std::string_view raw, ExtractedText* out) : raw_(raw), out_(out) {}

  void Walk(const Part& part) {
    if (part.is_multipart()) {
      // Every alternative too: SEARCH BODY must find words that only the
      // HTML version has ("see the HTML part" plain texts are common).
      for (const Part& child : part.children) Walk(child);
      return;
    }
    if (part.is_message() && !part.children.empty()) {
      const Part& inner = part.children.front();
      for (const HeaderField& f : SplitHeader(raw_, inner.header)) {
        if (!IsSearchableHeader(f.name)) continue;
        AppendBody(DecodeHeaderValue(f.value));
      }
      Walk(inner);
      return;
    }
    std::string name = AttachmentName(part);
    if (!name.empty()) out_->attachment_names.push_back(std::move(name));
    if (part.type == "text") AppendBody(DecodePartText(part, raw_));
  }

 private:
  void AppendBody(std::string_view text) {
    if (text.empty()) return;
    if (!out_->body.empty()) out_->body.push_back('\n');
    out_->body.append(text);
  }

  std::string_view raw_;
  ExtractedText* out_;
};

}  // namespace

std::string DecodePartText(const Part& part, std::string_view raw) {
  std::string_view body = Slice(raw, part.body);
  std::optional<std::string> decoded =
      DecodeTransferEncoding(body, part.encoding);
  std::string_view bytes = decoded ? std::string_view(*decoded) : body;
  const std::string* charset = FindParam(part.type_params, "charset");
  std::string text = ToUtf8(bytes, charset ? *charset : std::string_view());
  if (part.subtype == "html") return HtmlToText(text);
  return text;
}

std::string AttachmentName(const Part& part) {
  const std::string* name = FindParam(part.disposition_params, "filename");
  if (name == nullptr || name->empty()) name = FindParam(part.type_params, "name");
  if (name == nullptr) return "";
  return DecodeHeaderValue(*name);
}

ExtractedText ExtractText(const Message& message, std::string_view raw) {
  ExtractedText out;
  for (const HeaderField& f : SplitHeader(raw, message.root.header)) {
    std::string value = DecodeHeaderValue(f.value);
    if (IsAddressField(f.name)) value += PlainAddresses(f.value);
    out.headers.emplace_back(AsciiLower(f.name), std::move(value));
  }
  Extractor(raw, &out).Walk(message.root);
  return out;
}

}  // namespace mailroom::mime
