// Structure cache encoding.
//
// Format (version 1): the bytes "MRS", a version byte, varint message size,
// then the root part. A part is:
//   varint header.offset, header.size, body.offset, body.size, body_lines
//   string type, subtype, encoding
//   params (varint count, then name/value strings)
//   flags byte: bit0 content_id, bit1 description, bit2 md5, bit3 location,
//               bit4 disposition, bit5 envelope
//   each present optional string, in that order
//   disposition params; language (varint count, strings)
//   envelope (if flagged): a presence bitmask varint, then present strings
//   varint child count, then the children
// Strings are a varint length and the bytes. Deserialize checks every length
// against the input and the nesting depth, so corrupt bytes give nullopt.
#include <string>
#include <string_view>

#include "mime/message.h"

namespace mailroom::mime {
namespace {

constexpr char kMagic[] = "MRS";
constexpr char kVersion = 1;
constexpr int kMaxDepth = 256;

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutString(std::string_view s, std::string* out) {
  PutVarint(s.size(), out);
  out->append(s);
}

void PutParams(const std::vector<Param>& params, std::string* out) {
  PutVarint(params.size(), out);
  for (const Param& p : params) {
    PutString(p.name, out);
    PutString(p.value, out);
  }
}

std::optional<std::string> EnvelopeField(const EnvelopeFields& e, int i) {
  const std::optional<std::string>* fields[] = {
      &e.date, &e.subject, &e.from,        &e.sender,      &e.reply_to,
      &e.to,   &e.cc,      &e.bcc,         &e.in_reply_to, &e.message_id};
  return *fields[i];
}

std::optional<std::string>* MutableEnvelopeField(EnvelopeFields* e, int i) {
  std::optional<std::string>* fields[] = {
      &e->date, &e->subject, &e->from,        &e->sender,      &e->reply_to,
      &e->to,   &e->cc,      &e->bcc,         &e->in_reply_to, &e->message_id};
  return fields[i];
}

constexpr int kEnvelopeFieldCount = 10;

void PutPart(const Part& part, std::string* out) {
  PutVarint(part.header.offset, out);
  PutVarint(part.header.size, out);
  PutVarint(part.body.offset, out);
  PutVarint(part.body.size, out);
  PutVarint(part.body_lines, out);
  PutString(part.type, out);
  PutString(part.subtype, out);
  PutString(part.encoding, out);
  PutParams(part.type_params, out);
  uint8_t flags = (part.content_id ? 1 : 0) | (part.description ? 2 : 0) |
                  (part.md5 ? 4 : 0) | (part.location ? 8 : 0) |
                  (part.disposition ? 16 : 0) | (part.envelope ? 32 : 0);
  out->push_back(static_cast<char>(flags));
  for (const auto* field : {&part.content_id, &part.description, &part.md5,
                            &part.location, &part.disposition}) {
    if (*field) PutString(**field, out);
  }
  PutParams(part.disposition_params, out);
  PutVarint(part.language.size(), out);
  for (const std::string& l : part.language) PutString(l, out);
  if (part.envelope) {
    uint64_t mask = 0;
    for (int i = 0; i < kEnvelopeFieldCount; ++i) {
      if (EnvelopeField(*part.envelope, i)) mask |= uint64_t{1} << i;
    }
    PutVarint(mask, out);
    for (int i = 0; i < kEnvelopeFieldCount; ++i) {
      if (auto f = EnvelopeField(*part.envelope, i)) PutString(*f, out);
    }
  }
  PutVarint(part.children.size(), out);
  for (const Part& child : part.children) PutPart(child, out);
}

// Bounds-checked cursor over cache bytes. Not thread-safe; one per call.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool Varint(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return false;
      uint8_t byte = static_cast<uint8_t>(in_[pos_++]);
      result |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if (!(byte & 0x80)) {
        *v = result;
        return true;
      }
    }
    return false;
  }

  bool String(std::string* s) {
    uint64_t n;
    if (!Varint(&n) || n > in_.size() - pos_) return false;
    s->assign(in_.substr(pos_, n));
    pos_ += n;
    return true;
  }

  bool Byte(uint8_t* b) {
    if (pos_ >= in_.size()) return false;
    *b = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }

  // A count of items each at least `min_item_bytes` long must fit in the rest
  // of the input; this stops huge allocations on corrupt counts.
  bool Count(uint64_t* n, size_t min_item_bytes) {
    return Varint(n) && *n <= (in_.size() - pos_) / min_item_bytes;
  }

  bool Params(std::vector<Param>* params) {
    uint64_t n;
    if (!Count(&n, 2)) return false;
    params->resize(n);
    for (Param& p : *params) {
      if (!String(&p.name) || !String(&p.value)) return false;
    }
    return true;
  }

  bool Part(mime::Part* part, int depth) {
    if (depth > kMaxDepth) return false;
    uint8_t flags;
    if (!Varint(&part->header.offset) || !Varint(&part->header.size) ||
        !Varint(&part->body.offset) || !Varint(&part->body.size) ||
        !Varint(&part->body_lines) || !String(&part->type) ||
        !String(&part->subtype) || !String(&part->encoding) ||
        !Params(&part->type_params) || !Byte(&flags))
      return false;
    int bit = 1;
    for (auto* field : {&part->content_id, &part->description, &part->md5,
                        &part->location, &part->disposition}) {
      if (flags & bit) {
        if (!String(&field->emplace())) return false;
      }
      bit <<= 1;
    }
    if (!Params(&part->disposition_params)) return false;
    uint64_t n;
    if (!Count(&n, 1)) return false;
    part->language.resize(n);
    for (std::string& l : part->language) {
      if (!String(&l)) return false;
    }
    if (flags & 32) {
      EnvelopeFields& env = part->envelope.emplace();
      uint64_t mask;
      if (!Varint(&mask)) return false;
      for (int i = 0; i < kEnvelopeFieldCount; ++i) {
        if (mask & (uint64_t{1} << i)) {
          if (!String(&MutableEnvelopeField(&env, i)->emplace())) return false;
        }
      }
    }
    if (!Count(&n, 8)) return false;
    part->children.resize(n);
    for (mime::Part& child : part->children) {
      if (!Part(&child, depth + 1)) return false;
    }
    return true;
  }

  bool AtEnd() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace

std::string Serialize(const Message& message) {
  std::string out(kMagic);
  out.push_back(kVersion);
  PutVarint(message.size, &out);
  PutPart(message.root, &out);
  return out;
}

std::optional<Message> Deserialize(std::string_view bytes) {
  if (bytes.size() < 4 || bytes.substr(0, 3) != kMagic ||
      bytes[3] != kVersion)
    return std::nullopt;
  Reader reader(bytes.substr(4));
  Message message;
  if (!reader.Varint(&message.size) || !reader.Part(&message.root, 0) ||
      !reader.AtEnd())
    return std::nullopt;
  return message;
}

}  // namespace mailroom::mime
