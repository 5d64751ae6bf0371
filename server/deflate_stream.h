// Raw DEFLATE (RFC 1951) in both directions of one connection, as IMAP
// COMPRESS=DEFLATE (RFC 4978) puts it between the protocol and TLS.
//
// Output is compressed with a sync flush at every Compress() call, so the
// peer can decode everything sent so far: a response is never held back in
// the compressor. Input is decompressed in bounded steps: Inflate() writes
// at most `capacity` bytes, keeping the rest of the compressed input, so a
// small "bomb" grows the caller's buffers only as far as the caller reads,
// and every line and literal limit applies to the decompressed bytes.
//
// Memory: the compressor holds (1 << (window_bits + 2)) +
// (1 << (memory_level + 9)) bytes (256 KiB at zlib's defaults 15/8); the
// decompressor about 7 KiB plus a 32 KiB window, which it needs at full size
// because the peer chooses its own window. An idle connection may give the
// compressor back (ReleaseCompressor): every Compress() ends with a sync
// flush, so a fresh compressor's blocks continue the stream the peer reads;
// they only cannot refer back to what was sent before.
//
// Thread-safety: not thread-safe; one connection's strand uses it.
#ifndef MAILROOM_SERVER_DEFLATE_STREAM_H_
#define MAILROOM_SERVER_DEFLATE_STREAM_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mailroom::server {

struct DeflateSettings {
  bool enabled = true;  // offer compression to plugins at all
  int level = 6;        // 1 (fast) .. 9 (small); 0 stores without compressing
  int window_bits = 12;   // 9..15: history the compressor looks back on
  int memory_level = 5;   // 1..9: the compressor's hash and buffer sizes
};

class DeflateStream {
 public:
  // kInvalidArgument for settings outside the ranges above.
  static absl::StatusOr<std::unique_ptr<DeflateStream>> Create(
      const DeflateSettings& settings);
  static absl::Status Validate(const DeflateSettings& settings);
  ~DeflateStream();
  DeflateStream(const DeflateStream&) = delete;
  DeflateStream& operator=(const DeflateStream&) = delete;

  // Appends the compressed form of `plain` to `*out`, ending with a sync
  // flush. kInternal if zlib fails (it does not for valid use).
  absl::Status Compress(std::string_view plain, std::string* out);

  // Queues compressed bytes from the peer.
  void AddInput(std::string_view compressed);
  // Decompresses into dst[0, capacity); returns the number of bytes written
  // (0: all queued input is consumed and more is needed). kDataLoss when the
  // peer's stream is corrupt or was ended (a final block): the connection
  // cannot go on.
  absl::StatusOr<size_t> Inflate(char* dst, size_t capacity);
  // Queued input not yet decompressed, or output zlib may still hold.
  bool HasPendingInput() const;

  // Frees the compressor's state (and the input buffer once it is used up);
  // the next Compress() starts a new one with the same settings.
  void ReleaseCompressor();
  bool holds_compressor() const;

  // Bytes before/after compression, for the log line at close.
  uint64_t plain_out() const { return plain_out_; }
  uint64_t compressed_out() const { return compressed_out_; }

 private:
  struct Streams;
  DeflateStream(const DeflateSettings& settings,
                std::unique_ptr<Streams> streams);

  const DeflateSettings settings_;
  std::unique_ptr<Streams> streams_;
  std::string input_;     // compressed bytes from the peer
  size_t input_pos_ = 0;  // consumed prefix of input_
  bool output_pending_ = false;  // the last Inflate() filled its buffer
  bool failed_ = false;
  uint64_t plain_out_ = 0;
  uint64_t compressed_out_ = 0;
};

}  // namespace mailroom::server

#endif  // MAILROOM_SERVER_DEFLATE_STREAM_H_
