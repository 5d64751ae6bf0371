#include "index/doc_text.h"

#include <string.h>
#include <zlib.h>

#include <algorithm>

#include "absl/status/status.h"
#include "base/status_macros.h"

namespace mailroom::index {

namespace {

// Bodies shorter than this are stored raw. Deflating costs about as much
// per byte as building the body's terms, and most bodies are a few
// kilobytes of folded text; the few large ones hold most of the bytes.
constexpr size_t kCompressMin = 16 * 1024;

// Bytes BodyContains() inflates before its first search; each later step is
// four times larger, so an early match costs little and a miss only a few
// more calls into zlib than inflating the body at once.
constexpr size_t kFirstInflateStep = 1024;

// The largest factor by which deflate can shrink data (zlib's technical
// details give 1032:1).
constexpr uint64_t kMaxDeflateRatio = 1032;

bool Contains(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  // memmem's arguments must not be null, and an empty view's data() may be.
  if (haystack.size() < needle.size()) return false;
  return memmem(haystack.data(), haystack.size(), needle.data(),
                needle.size()) != nullptr;
}

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
  return absl::DataLossError("corrupt stored text in the text index");
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
  // Deflate shrinks at most 1032:1, so a larger recorded size is damage,
  // and would otherwise be allocated up front by InflateMore().
  if (doc.compressed_ && body_size / kMaxDeflateRatio > body.size()) {
    return Corrupt();
  }
  doc.body_size_ = body_size;
  doc.stored_body_ = body;
  return doc;
}

struct DocText::Inflater {
  z_stream stream{};
  bool initialized = false;
  ~Inflater() {
    if (initialized) inflateEnd(&stream);
  }
};

DocText::DocText() = default;
DocText::DocText(DocText&&) = default;
DocText& DocText::operator=(DocText&&) = default;
DocText::~DocText() = default;

absl::Status DocText::InflateMore(size_t chunk) {
  if (inflated_ != nullptr && inflater_ == nullptr) return absl::OkStatus();
  // On corruption, start over next time (and fail the same way).
  auto corrupt = [this] {
    inflater_.reset();
    inflated_.reset();
    inflated_size_ = 0;
    return Corrupt();
  };
  if (inflated_ == nullptr) {
    // Not zero-filled: inflate writes every byte before it is read.
    inflated_ = std::make_unique_for_overwrite<char[]>(
        std::max<size_t>(body_size_, 1));
    inflater_ = std::make_unique<Inflater>();
    z_stream& z = inflater_->stream;
    if (inflateInit(&z) != Z_OK) return corrupt();
    inflater_->initialized = true;
    z.next_in =
        reinterpret_cast<Bytef*>(const_cast<char*>(stored_body_.data()));
    z.avail_in = static_cast<uInt>(stored_body_.size());
  }
  z_stream& z = inflater_->stream;
  const size_t want = std::min(chunk, body_size_ - inflated_size_);
  z.next_out = reinterpret_cast<Bytef*>(inflated_.get() + inflated_size_);
  z.avail_out = static_cast<uInt>(want);
  // Z_FINISH when the rest of the body fits: zlib then skips copying the
  // output into its sliding window (and allocating one) if the stream ends.
  const bool last = want == body_size_ - inflated_size_;
  int rc = inflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
  inflated_size_ += want - z.avail_out;
  // (Z_FINISH reports a full output before the stream's end as Z_BUF_ERROR.)
  if ((rc == Z_OK || rc == Z_BUF_ERROR) && inflated_size_ == body_size_) {
    // The output is full: only the end of the stream (and its checksum) may
    // remain, which needs no output space.
    Bytef spare;
    z.next_out = &spare;
    z.avail_out = 1;
    rc = inflate(&z, Z_NO_FLUSH);
    if (z.avail_out != 1) return corrupt();  // longer than recorded
  }
  if (rc == Z_STREAM_END) {
    if (inflated_size_ != body_size_) return corrupt();
    inflater_.reset();
    return absl::OkStatus();
  }
  // Z_OK with output space left means the input ended before the stream.
  if (rc != Z_OK || z.avail_out != 0 || inflated_size_ == body_size_) {
    return corrupt();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string_view> DocText::body() {
  if (!compressed_) return stored_body_;
  while (inflated_ == nullptr || inflater_ != nullptr) {
    MR_RETURN_IF_ERROR(InflateMore(body_size_));
  }
  return std::string_view(inflated_.get(), inflated_size_);
}

absl::StatusOr<bool> DocText::BodyContains(std::string_view needle) {
  if (needle.empty()) return true;
  if (!compressed_) return Contains(stored_body_, needle);
  // Matches starting before `from` were already ruled out.
  size_t from = 0;
  size_t step = std::max(kFirstInflateStep, inflated_size_);
  while (true) {
    const std::string_view have(inflated_.get(), inflated_size_);
    if (Contains(have.substr(std::min(from, have.size())), needle)) {
      return true;
    }
    if (inflated_ != nullptr && inflater_ == nullptr) return false;  // all
    if (have.size() >= needle.size()) from = have.size() - needle.size() + 1;
    MR_RETURN_IF_ERROR(InflateMore(step));
    step *= 4;
  }
}

}  // namespace mailroom::index
