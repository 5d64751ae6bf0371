#include "index/doc_text.h"

#include <zlib.h>

#include "absl/status/status.h"

namespace mailroom::index {

namespace {

// Bodies shorter than this are stored raw: zlib would barely shrink them.
constexpr size_t kCompressMin = 200;

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void PutBytes(std::string& out, std::string_view bytes) {
  PutVarint(out, bytes.size());
  out.append(bytes);
}

bool GetVarint(std::string_view& in, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    const auto byte = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

bool GetBytes(std::string_view& in, std::string_view& out) {
  uint64_t n = 0;
  if (!GetVarint(in, n) || n > in.size()) return false;
  out = in.substr(0, n);
  in.remove_prefix(n);
  return true;
}

absl::Status Corrupt() {
  return absl::DataLossError("corrupt document data in the text index");
}

}  // namespace

std::string EncodeDocData(const FoldedText& text) {
  std::string out;
  PutVarint(out, text.headers.size());
  for (const auto& [name, value] : text.headers) {
    PutBytes(out, name);
    PutBytes(out, value);
  }
  PutVarint(out, text.attachment_names.size());
  for (const std::string& name : text.attachment_names) PutBytes(out, name);
  return out;
}

std::string EncodeBodyValue(std::string_view body) {
  std::string out;
  if (body.empty()) return out;
  if (body.size() >= kCompressMin) {
    uLongf bound = compressBound(body.size());
    std::string packed(bound, '\0');
    if (compress2(reinterpret_cast<Bytef*>(packed.data()), &bound,
                  reinterpret_cast<const Bytef*>(body.data()), body.size(),
                  1) == Z_OK &&
        bound < body.size()) {
      out.push_back(1);
      PutVarint(out, body.size());
      out.append(packed.data(), bound);
      return out;
    }
  }
  out.push_back(0);
  PutVarint(out, body.size());
  out.append(body);
  return out;
}

absl::StatusOr<DocText> DocText::Decode(std::string data,
                                        std::string body_value) {
  DocText doc;
  doc.data_ = std::make_unique<const std::string>(std::move(data));
  doc.body_value_ = std::make_unique<const std::string>(std::move(body_value));
  std::string_view in = *doc.data_;
  uint64_t count = 0;
  if (!GetVarint(in, count) || count > in.size()) return Corrupt();
  doc.headers_.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view name, value;
    if (!GetBytes(in, name) || !GetBytes(in, value)) return Corrupt();
    doc.headers_.emplace_back(name, value);
  }
  if (!GetVarint(in, count) || count > in.size()) return Corrupt();
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view name;
    if (!GetBytes(in, name)) return Corrupt();
    doc.attachment_names_.push_back(name);
  }
  if (!in.empty()) return Corrupt();
  std::string_view body = *doc.body_value_;
  if (body.empty()) return doc;
  if (static_cast<unsigned char>(body.front()) > 1) return Corrupt();
  doc.compressed_ = body.front() == 1;
  body.remove_prefix(1);
  uint64_t body_size = 0;
  if (!GetVarint(body, body_size)) return Corrupt();
  if (!doc.compressed_ && body_size != body.size()) return Corrupt();
  doc.body_size_ = body_size;
  doc.stored_body_ = body;
  return doc;
}

absl::StatusOr<std::string_view> DocText::body() {
  if (!compressed_) return stored_body_;
  if (!inflated_.has_value()) {
    std::string out(body_size_, '\0');
    uLongf size = body_size_;
    if (uncompress(reinterpret_cast<Bytef*>(out.data()), &size,
                   reinterpret_cast<const Bytef*>(stored_body_.data()),
                   stored_body_.size()) != Z_OK ||
        size != body_size_) {
      return Corrupt();
    }
    inflated_ = std::move(out);
  }
  return std::string_view(*inflated_);
}

}  // namespace mailroom::index
