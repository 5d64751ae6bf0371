#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "mime/imap.h"
#include "mime/params.h"

namespace mailroom::mime {
namespace {

void AppendParams(const std::vector<Param>& params, bool default_charset,
                  std::string* out) {
  bool add_charset = default_charset && FindParam(params, "charset") == nullptr;
  if (params.empty() && !add_charset) {
    *out += "NIL";
    return;
  }
  *out += "(";
  bool first = true;
  if (add_charset) {
    *out += "\"charset\" \"us-ascii\"";
    first = false;
  }
  for (const Param& p : params) {
    if (!first) *out += " ";
    first = false;
    *out += ImapString(p.name);
    *out += " ";
    *out += ImapString(p.value);
  }
  *out += ")";
}

// body-fld-dsp SP body-fld-lang SP body-fld-loc
void AppendDispositionLanguageLocation(const Part& part, std::string* out) {
  if (part.disposition && !part.disposition->empty()) {
    *out += "(" + ImapString(*part.disposition) + " ";
    AppendParams(part.disposition_params, false, out);
    *out += ")";
  } else {
    *out += "NIL";
  }
  if (part.language.empty()) {
    *out += " NIL";
  } else {
    *out += " (";
    for (size_t i = 0; i < part.language.size(); ++i) {
      if (i > 0) *out += " ";
      *out += ImapString(part.language[i]);
    }
    *out += ")";
  }
  *out += " " + ImapNString(part.location);
}

void AppendPart(const Part& part, bool extensible, std::string* out) {
  if (part.is_multipart() && !part.children.empty()) {
    *out += "(";
    for (const Part& child : part.children) AppendPart(child, extensible, out);
    *out += " " + ImapString(part.subtype);
    if (extensible) {
      *out += " ";
      AppendParams(part.type_params, false, out);
      *out += " ";
      AppendDispositionLanguageLocation(part, out);
    }
    *out += ")";
    return;
  }
  bool text = part.type == "text";
  bool message = part.is_message() && !part.children.empty();
  *out += "(" + ImapString(part.type) + " " + ImapString(part.subtype) + " ";
  AppendParams(part.type_params, text, out);
  *out += " " + ImapNString(part.content_id);
  *out += " " + ImapNString(part.description);
  *out += " " + ImapString(part.encoding);
  absl::StrAppend(out, " ", part.body.size);
  if (message) {
    *out += " ";
    *out += Envelope(part.envelope.value_or(EnvelopeFields{}));
    *out += " ";
    AppendPart(part.children.front(), extensible, out);
    absl::StrAppend(out, " ", part.body_lines);
  } else if (text) {
    absl::StrAppend(out, " ", part.body_lines);
  }
  if (extensible) {
    *out += " " + ImapNString(part.md5) + " ";
    AppendDispositionLanguageLocation(part, out);
  }
  *out += ")";
}

}  // namespace

std::string BodyStructure(const Message& message, std::string_view raw,
                          bool extensible) {
  std::string out;
  AppendPart(message.root, extensible, &out);
  return out;
}

}  // namespace mailroom::mime
