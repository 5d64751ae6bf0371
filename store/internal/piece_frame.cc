#include "store/internal/piece_frame.h"

#include <zlib.h>

#include "absl/strings/str_cat.h"
#include "store/internal/keys.h"

namespace mailroom::store::internal {
namespace {

uint32_t Crc(std::string_view bytes) {
  return static_cast<uint32_t>(
      crc32_z(0, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

}  // namespace

std::vector<std::string> EncodeFramedPieces(std::string_view stamp,
                                            std::string_view body) {
  const size_t total = stamp.size() + kFrameBytes + body.size();
  const uint32_t pieces =
      static_cast<uint32_t>((total + kTablePieceBytes - 1) / kTablePieceBytes);
  std::string blob;
  blob.reserve(total);
  blob.append(stamp);
  AppendU32(&blob, pieces);
  AppendU64(&blob, body.size());
  AppendU32(&blob, Crc(body));
  blob.append(body);
  std::vector<std::string> out;
  for (size_t at = 0; at < blob.size(); at += kTablePieceBytes) {
    out.push_back(blob.substr(at, kTablePieceBytes));
  }
  return out;
}

absl::StatusOr<std::string> DecodeFramedPieces(
    const std::vector<std::string>& pieces, size_t stamp_bytes,
    std::string_view what) {
  auto damaged = [&](std::string_view why) {
    return absl::DataLossError(
        absl::StrCat(absl::string_view(what.data(), what.size()), ": ",
                     absl::string_view(why.data(), why.size())));
  };
  if (pieces.empty()) return damaged("no pieces");
  const std::string_view head(pieces[0]);
  if (head.size() < stamp_bytes + kFrameBytes) return damaged("header");
  const uint32_t count = ReadU32(head.substr(stamp_bytes));
  const uint64_t length = ReadU64(head.substr(stamp_bytes + 4));
  const uint32_t crc = ReadU32(head.substr(stamp_bytes + 12));
  if (count != pieces.size()) return damaged("piece count");
  std::string body;
  body.reserve(pieces.size() * kTablePieceBytes);
  body.append(head.substr(stamp_bytes + kFrameBytes));
  for (size_t i = 1; i < pieces.size(); ++i) body.append(pieces[i]);
  if (body.size() != length) return damaged("length");
  if (Crc(body) != crc) return damaged("checksum");
  return body;
}

void AppendVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool ReadVarint(std::string_view* in, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    const uint8_t byte = static_cast<uint8_t>((*in)[0]);
    in->remove_prefix(1);
    *v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

}  // namespace mailroom::store::internal
