#include "protocols/lmtp/sieve_message.h"

#include <utility>

#include "mime/header.h"
#include "mime/text.h"

namespace mailroom::lmtp {
namespace {

// Leaf parts in message order; an encapsulated message (message/rfc822)
// is walked into, so its text parts are searched too (RFC 5173 section 5.2
// treats the parts of an attached message as parts of the body).
void CollectLeaves(const mime::Part& part, std::string_view raw,
                   std::vector<sieve::BodyPart>* out) {
  if (part.is_multipart() || part.is_message()) {
    for (const mime::Part& child : part.children) CollectLeaves(child, raw, out);
    return;
  }
  sieve::BodyPart leaf;
  leaf.content_type = part.type + "/" + part.subtype;
  if (part.type == "text") {
    leaf.text = mime::DecodePartText(part, raw);
  } else {
    std::string_view body = raw.substr(part.body.offset, part.body.size);
    std::optional<std::string> decoded =
        mime::DecodeTransferEncoding(body, part.encoding);
    leaf.text = decoded.has_value() ? std::move(*decoded) : std::string(body);
  }
  out->push_back(std::move(leaf));
}

}  // namespace

DeliveredMessage::DeliveredMessage(std::string_view raw,
                                   std::string envelope_from,
                                   std::string envelope_to)
    : raw_(raw),
      envelope_from_(std::move(envelope_from)),
      envelope_to_(std::move(envelope_to)),
      parsed_(mime::Parse(raw)) {}

std::vector<std::string> DeliveredMessage::HeaderValues(std::string_view name,
                                                        bool decoded) const {
  std::vector<std::string> values;
  for (const mime::HeaderField& field :
       mime::SplitHeader(raw_, parsed_.root.header)) {
    if (!mime::EqualsIgnoreCase(field.name, name)) continue;
    std::string value = mime::Unfold(field.value);
    values.push_back(decoded ? mime::DecodeHeaderValue(value)
                             : std::move(value));
  }
  return values;
}

std::optional<std::string> DeliveredMessage::Envelope(
    std::string_view part) const {
  if (part == "from") return envelope_from_;
  if (part == "to") return envelope_to_;
  return std::nullopt;  // LMTP carries no AUTH identity
}

std::string DeliveredMessage::RawBody() const {
  const mime::Span& body = parsed_.root.body;
  if (body.offset >= raw_.size()) return std::string();
  return std::string(raw_.substr(body.offset, body.size));
}

std::vector<sieve::BodyPart> DeliveredMessage::BodyParts() const {
  if (!parts_.has_value()) {
    parts_.emplace();
    CollectLeaves(parsed_.root, raw_, &*parts_);
  }
  return *parts_;
}

}  // namespace mailroom::lmtp
