// The framing the store's saved per-mailbox blobs share (the message table
// and the search column, Space::kMailboxView): one blob cut into pieces of
// at most kTablePieceBytes, piece 0 first, laid out as
//   stamp (the kind's version and identity, a fixed size per kind),
//   u32 pieces, u64 body length, u32 crc32 of the body, then the body;
// and the varints their bodies are written with.
//
// Thread-safety: plain functions.
#ifndef MAILROOM_STORE_INTERNAL_PIECE_FRAME_H_
#define MAILROOM_STORE_INTERNAL_PIECE_FRAME_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace mailroom::store::internal {

inline constexpr size_t kTablePieceBytes = 256 * 1024;
// The frame's own fields after the stamp: pieces, body length, crc32.
inline constexpr size_t kFrameBytes = 4 + 8 + 4;

// `stamp`, the frame and `body`, cut into pieces.
std::vector<std::string> EncodeFramedPieces(std::string_view stamp,
                                            std::string_view body);
// The body of `pieces` whose stamp is `stamp_bytes` long, checked against
// the frame (piece count, length, checksum); kDataLoss "<what>: <fault>"
// otherwise. REQUIRES: the caller checked piece 0's stamp, so piece 0
// holds at least stamp_bytes + kFrameBytes bytes.
absl::StatusOr<std::string> DecodeFramedPieces(
    const std::vector<std::string>& pieces, size_t stamp_bytes,
    std::string_view what);

void AppendVarint(std::string* out, uint64_t v);
// False when `in` ends inside the varint or it is longer than 64 bits.
bool ReadVarint(std::string_view* in, uint64_t* v);

}  // namespace mailroom::store::internal

#endif  // MAILROOM_STORE_INTERNAL_PIECE_FRAME_H_
