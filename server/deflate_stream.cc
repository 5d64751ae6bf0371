#include "server/deflate_stream.h"

#include <sys/mman.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"

namespace mailroom::server {
namespace {

// Compressed input is compacted once this much of it has been consumed.
constexpr size_t kCompactAfter = 16 * 1024;
// Output grows in steps of at least this much while compressing.
constexpr size_t kOutputStep = 4096;
// zlib's blocks of at least this size are mapped pages of their own, so
// that a released compressor goes back to the system at once instead of
// staying in the allocator's free lists.
constexpr size_t kMappedBlock = 4096;

}  // namespace

struct DeflateStream::Streams {
  z_stream deflate{};
  z_stream inflate{};
  bool deflate_ready = false;
  bool inflate_ready = false;
  // The mapped blocks (address, length); zlib holds at most five a stream.
  std::array<std::pair<void*, size_t>, 16> mapped{};

  static voidpf Allocate(voidpf opaque, uInt items, uInt size) {
    auto* self = static_cast<Streams*>(opaque);
    const size_t bytes = static_cast<size_t>(items) * size;
    if (bytes < kMappedBlock) return calloc(items, size);
    for (auto& [address, length] : self->mapped) {
      if (address != nullptr) continue;
      void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) return Z_NULL;
      address = p;
      length = bytes;
      return p;
    }
    return calloc(items, size);
  }
  static void Free(voidpf opaque, voidpf p) {
    auto* self = static_cast<Streams*>(opaque);
    for (auto& [address, length] : self->mapped) {
      if (address != p) continue;
      munmap(address, length);
      address = nullptr;
      return;
    }
    free(p);
  }
  void UseAllocator(z_stream& z) {
    z.zalloc = &Streams::Allocate;
    z.zfree = &Streams::Free;
    z.opaque = this;
  }
  ~Streams() {
    if (deflate_ready) deflateEnd(&deflate);
    if (inflate_ready) inflateEnd(&inflate);
  }
  // Negative window bits: raw DEFLATE, no zlib header or checksum.
  bool StartDeflate(const DeflateSettings& settings) {
    deflate = z_stream{};
    UseAllocator(deflate);
    deflate_ready =
        deflateInit2(&deflate, settings.level, Z_DEFLATED,
                     -settings.window_bits, settings.memory_level,
                     Z_DEFAULT_STRATEGY) == Z_OK;
    return deflate_ready;
  }
};

absl::Status DeflateStream::Validate(const DeflateSettings& s) {
  if (s.level < 0 || s.level > 9) {
    return absl::InvalidArgumentError(
        absl::StrCat("compress_level must be 0..9, not ", s.level));
  }
  // zlib silently turns a raw window of 8 into 9; ask for 9 or more.
  if (s.window_bits < 9 || s.window_bits > 15) {
    return absl::InvalidArgumentError(
        absl::StrCat("compress_window_bits must be 9..15, not ", s.window_bits));
  }
  if (s.memory_level < 1 || s.memory_level > 9) {
    return absl::InvalidArgumentError(absl::StrCat(
        "compress_memory_level must be 1..9, not ", s.memory_level));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<DeflateStream>> DeflateStream::Create(
    const DeflateSettings& settings) {
  if (absl::Status s = Validate(settings); !s.ok()) return s;
  auto streams = std::make_unique<Streams>();
  if (!streams->StartDeflate(settings)) {
    return absl::ResourceExhaustedError("cannot start the compressor");
  }
  // The peer may use any window up to 32 KiB: decompress with the largest.
  streams->UseAllocator(streams->inflate);
  if (inflateInit2(&streams->inflate, -15) != Z_OK) {
    return absl::ResourceExhaustedError("cannot start the decompressor");
  }
  streams->inflate_ready = true;
  return std::unique_ptr<DeflateStream>(
      new DeflateStream(settings, std::move(streams)));
}

DeflateStream::DeflateStream(const DeflateSettings& settings,
                             std::unique_ptr<Streams> streams)
    : settings_(settings), streams_(std::move(streams)) {}

DeflateStream::~DeflateStream() = default;

void DeflateStream::ReleaseCompressor() {
  if (streams_->deflate_ready) {
    deflateEnd(&streams_->deflate);
    streams_->deflate_ready = false;
  }
  if (input_pos_ == input_.size() && !output_pending_) {
    std::string().swap(input_);
    input_pos_ = 0;
  }
}

bool DeflateStream::holds_compressor() const {
  return streams_->deflate_ready;
}

absl::Status DeflateStream::Compress(std::string_view plain, std::string* out) {
  if (!streams_->deflate_ready && !streams_->StartDeflate(settings_)) {
    return absl::ResourceExhaustedError("cannot start the compressor");
  }
  z_stream& z = streams_->deflate;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  z.avail_in = static_cast<uInt>(plain.size());
  const size_t start = out->size();
  // A sync flush ends once the output buffer is not filled completely.
  do {
    const size_t used = out->size();
    const size_t room =
        std::max(kOutputStep, static_cast<size_t>(z.avail_in) / 2 + 64);
    out->resize(used + room);
    z.next_out = reinterpret_cast<Bytef*>(out->data() + used);
    z.avail_out = static_cast<uInt>(room);
    const int rc = deflate(&z, Z_SYNC_FLUSH);
    out->resize(used + room - z.avail_out);
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return absl::InternalError(absl::StrCat("deflate failed: ", rc));
    }
  } while (z.avail_out == 0 || z.avail_in > 0);
  plain_out_ += plain.size();
  compressed_out_ += out->size() - start;
  return absl::OkStatus();
}

void DeflateStream::AddInput(std::string_view compressed) {
  if (input_pos_ == input_.size()) {
    input_.clear();
    input_pos_ = 0;
  } else if (input_pos_ >= kCompactAfter) {
    input_.erase(0, input_pos_);
    input_pos_ = 0;
  }
  input_.append(compressed);
}

bool DeflateStream::HasPendingInput() const {
  return !failed_ && (input_pos_ < input_.size() || output_pending_);
}

absl::StatusOr<size_t> DeflateStream::Inflate(char* dst, size_t capacity) {
  if (failed_) return absl::DataLossError("compressed stream already failed");
  if (capacity == 0) return 0;
  z_stream& z = streams_->inflate;
  const size_t available = input_.size() - input_pos_;
  z.next_in = reinterpret_cast<Bytef*>(input_.data() + input_pos_);
  z.avail_in = static_cast<uInt>(available);
  z.next_out = reinterpret_cast<Bytef*>(dst);
  z.avail_out = static_cast<uInt>(std::min<size_t>(capacity, 1u << 30));
  const uInt out_room = z.avail_out;
  const int rc = inflate(&z, Z_SYNC_FLUSH);
  input_pos_ += available - z.avail_in;
  const size_t produced = out_room - z.avail_out;
  output_pending_ = z.avail_out == 0;
  if (input_pos_ == input_.size() && input_.capacity() > 2 * kCompactAfter) {
    // An idle connection keeps no large buffer.
    std::string().swap(input_);
    input_pos_ = 0;
  }
  switch (rc) {
    case Z_OK:
      return produced;
    case Z_BUF_ERROR:  // no progress possible: needs more input
      output_pending_ = false;
      return produced;
    case Z_STREAM_END:
      failed_ = true;
      return absl::DataLossError("the client ended its compressed stream");
    default:
      failed_ = true;
      return absl::DataLossError(absl::StrCat(
          "corrupt compressed input: ", z.msg != nullptr ? z.msg : "error"));
  }
}

}  // namespace mailroom::server
