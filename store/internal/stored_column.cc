#include "store/internal/stored_column.h"

#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "store/internal/keys.h"
#include "store/internal/message_table.h"

namespace mailroom::store::internal {
namespace {

constexpr uint8_t kColumnVersion = 1;
// The stamp: version, UIDVALIDITY, covered; then the frame (piece_frame.h).
constexpr size_t kStampBytes = 1 + 4 + 4;

void Signed(std::string* out, int64_t v) {
  AppendVarint(out,
               (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

bool ReadSigned(std::string_view* in, int64_t* v) {
  uint64_t zigzag = 0;
  if (!ReadVarint(in, &zigzag)) return false;
  *v = static_cast<int64_t>(zigzag >> 1) ^ -static_cast<int64_t>(zigzag & 1);
  return true;
}

absl::Status Damaged(std::string_view why) {
  return absl::DataLossError(absl::StrCat(
      "search column: ", absl::string_view(why.data(), why.size())));
}

std::string EncodeBody(const Column& column) {
  std::string out;
  out.reserve(8 + column.size * 10);
  AppendVarint(&out, column.size);
  ColumnEntry previous;
  for (const auto& piece : column.pieces) {
    for (const ColumnEntry& e : *piece) {
      AppendVarint(&out, e.uid - previous.uid);
      Signed(&out, e.internal_tz_minutes);
      Signed(&out, e.internal_date - previous.internal_date);
      Signed(&out, e.save_date - previous.save_date);
      AppendVarint(&out, e.size);
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
  std::string stamp;
  stamp.push_back(static_cast<char>(kColumnVersion));
  AppendU32(&stamp, column.uidvalidity);
  AppendU32(&stamp, column.covered);
  return EncodeFramedPieces(stamp, EncodeBody(column));
}

absl::StatusOr<Column> DecodeStoredColumnStamp(std::string_view piece0) {
  if (piece0.size() < kStampBytes + kFrameBytes ||
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
  absl::StatusOr<std::string> blob =
      DecodeFramedPieces(pieces, kStampBytes, "search column");
  if (!blob.ok()) return blob.status();
  absl::StatusOr<std::vector<ColumnEntry>> entries = DecodeBody(*blob, covered);
  if (!entries.ok()) return entries.status();
  return empty->Extend(*std::move(entries), covered);
}

}  // namespace mailroom::store::internal
