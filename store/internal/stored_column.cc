#include "store/internal/stored_column.h"

#include <string_view>
#include <utility>

#include <zlib.h>

#include "absl/strings/str_cat.h"
#include "store/internal/keys.h"
#include "store/internal/message_table.h"

namespace mailroom::store::internal {
namespace {

constexpr uint8_t kColumnVersion = 1;
// version, UIDVALIDITY, covered, pieces, body length, crc32.
constexpr size_t kHeaderBytes = 1 + 4 + 4 + 4 + 8 + 4;

void Varint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void Signed(std::string* out, int64_t v) {
  Varint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
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

bool ReadSigned(std::string_view* in, int64_t* v) {
  uint64_t zigzag = 0;
  if (!ReadVarint(in, &zigzag)) return false;
  *v = static_cast<int64_t>(zigzag >> 1) ^ -static_cast<int64_t>(zigzag & 1);
  return true;
}

uint32_t Crc(std::string_view bytes) {
  return static_cast<uint32_t>(
      crc32_z(0, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

absl::Status Damaged(std::string_view why) {
  return absl::DataLossError(absl::StrCat(
      "search column: ", absl::string_view(why.data(), why.size())));
}

std::string EncodeBody(const Column& column) {
  std::string out;
  out.reserve(8 + column.size * 10);
  Varint(&out, column.size);
  ColumnEntry previous;
  for (const auto& piece : column.pieces) {
    for (const ColumnEntry& e : *piece) {
      Varint(&out, e.uid - previous.uid);
      Signed(&out, e.internal_tz_minutes);
      Signed(&out, e.internal_date - previous.internal_date);
      Signed(&out, e.save_date - previous.save_date);
      Varint(&out, e.size);
      previous = e;
    }
  }
  return out;
}

absl::StatusOr<std::vector<ColumnEntry>> DecodeBody(std::string_view in,
                                                    Uid covered) {
  uint64_t count = 0;
  // Each entry takes at least five bytes.
  if (!ReadVarint(&in, &count) || count > in.size() / 5) {
    return Damaged("count");
  }
  std::vector<ColumnEntry> entries;
  entries.reserve(count);
  ColumnEntry e;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t uid_step = 0, size = 0;
    int64_t tz = 0, date_step = 0, saved_step = 0;
    if (!ReadVarint(&in, &uid_step) || !ReadSigned(&in, &tz) ||
        !ReadSigned(&in, &date_step) || !ReadSigned(&in, &saved_step) ||
        !ReadVarint(&in, &size)) {
      return Damaged("entry");
    }
    if (uid_step == 0 || e.uid + uid_step >= covered) return Damaged("uid");
    e.uid = static_cast<Uid>(e.uid + uid_step);
    e.internal_tz_minutes = static_cast<int32_t>(tz);
    e.internal_date += date_step;
    e.save_date += saved_step;
    e.size = size;
    entries.push_back(e);
  }
  if (!in.empty()) return Damaged("trailing bytes");
  return entries;
}

}  // namespace

std::vector<std::string> EncodeStoredColumn(const Column& column) {
  const std::string body = EncodeBody(column);
  const size_t total = kHeaderBytes + body.size();
  const uint32_t pieces =
      static_cast<uint32_t>((total + kTablePieceBytes - 1) / kTablePieceBytes);
  std::string blob;
  blob.reserve(total);
  blob.push_back(static_cast<char>(kColumnVersion));
  AppendU32(&blob, column.uidvalidity);
  AppendU32(&blob, column.covered);
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

absl::StatusOr<Column> DecodeStoredColumnStamp(std::string_view piece0) {
  if (piece0.size() < kHeaderBytes ||
      static_cast<uint8_t>(piece0[0]) != kColumnVersion) {
    return Damaged("header");
  }
  Column stamp;
  stamp.uidvalidity = ReadU32(piece0.substr(1));
  stamp.covered = ReadU32(piece0.substr(5));
  if (stamp.covered == 0) return Damaged("covered");
  return stamp;
}

absl::StatusOr<std::shared_ptr<const Column>> DecodeStoredColumn(
    const std::vector<std::string>& pieces) {
  if (pieces.empty()) return Damaged("no pieces");
  const std::string_view head(pieces[0]);
  absl::StatusOr<Column> stamp = DecodeStoredColumnStamp(head);
  if (!stamp.ok()) return stamp.status();
  auto empty = std::make_shared<Column>();
  empty->uidvalidity = stamp->uidvalidity;
  const Uid covered = stamp->covered;
  const uint32_t count = ReadU32(head.substr(9));
  const uint64_t length = ReadU64(head.substr(13));
  const uint32_t crc = ReadU32(head.substr(21));
  if (count != pieces.size()) return Damaged("piece count");
  std::string blob(head.substr(kHeaderBytes));
  for (size_t i = 1; i < pieces.size(); ++i) blob.append(pieces[i]);
  if (blob.size() != length) return Damaged("length");
  if (Crc(blob) != crc) return Damaged("checksum");
  absl::StatusOr<std::vector<ColumnEntry>> entries = DecodeBody(blob, covered);
  if (!entries.ok()) return entries.status();
  return empty->Extend(*std::move(entries), covered);
}

}  // namespace mailroom::store::internal
