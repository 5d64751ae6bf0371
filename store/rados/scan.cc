#include "store/rados/scan.h"

#include <memory>
#include <string>
#include <vector>

#include "base/status_macros.h"
#include "store/rados/layout.h"

namespace mailroom::store::rados {

using engine::Space;

namespace {

constexpr size_t kIdSize = 8;

// [begin, end) over user keys; an empty end is no bound.
struct Range {
  std::string begin;
  std::string end;

  bool empty() const { return !end.empty() && begin >= end; }
  Range Intersect(std::string_view lo, std::string_view hi) const {
    Range r;
    r.begin = std::max(begin, std::string(lo));
    if (end.empty()) {
      r.end = std::string(hi);
    } else if (hi.empty()) {
      r.end = end;
    } else {
      r.end = std::min(end, std::string(hi));
    }
    return r;
  }
};

std::string CommonPrefix(std::string_view a, std::string_view b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return std::string(a.substr(0, n));
}

// The rows of one space in one object, in order, a page at a time.
class ObjectCursor {
 public:
  ObjectCursor(ObjectReader* reader, std::string object, Space space,
               const Range& range)
      : reader_(reader), object_(std::move(object)) {
    const std::string s(1, SpaceByte(space));
    request_.start = s + range.begin;
    if (range.end.empty()) {
      request_.prefix = s;
    } else {
      request_.prefix = s + CommonPrefix(range.begin, range.end);
      request_.end = s + range.end;
    }
    finished_ = range.empty();
  }

  // Moves to the next row; false at the end.
  absl::StatusOr<bool> Next() {
    while (true) {
      if (index_ < page_.rows.size()) {
        ++index_;
        return true;
      }
      if (finished_) return false;
      MR_RETURN_IF_ERROR(reader_->ReadPage(object_, request_, &page_));
      index_ = 0;
      if (page_.done) {
        finished_ = true;
      } else {
        request_.start = page_.last;
        request_.after = true;
      }
    }
  }
  // REQUIRES: the last Next() returned true.
  std::string_view key() const {
    return std::string_view(page_.rows[index_ - 1].first).substr(1);
  }
  std::string_view value() const {
    return PayloadOf(page_.rows[index_ - 1].second);
  }

 private:
  ObjectReader* reader_;
  std::string object_;
  ObjectReader::PageRequest request_;
  ObjectReader::Page page_;
  size_t index_ = 0;
  bool finished_ = false;
};

// Feeds fn and remembers whether it asked to stop.
class Sink {
 public:
  Sink(ObjectReader& reader, BlobStore& blobs, Space space,
       const engine::ScanFn& fn)
      : reader_(reader), blobs_(blobs), space_(space), fn_(fn) {}

  absl::Status Emit(std::string_view key, std::string_view value) {
    if (space_ != Space::kBlobs) {
      stopped_ = !fn_(key, value);
      return absl::OkStatus();
    }
    MR_ASSIGN_OR_RETURN(std::optional<std::string> body,
                        blobs_.Read(reader_, key, 0, std::nullopt));
    if (body.has_value()) stopped_ = !fn_(key, *body);  // else just removed
    return absl::OkStatus();
  }
  bool stopped() const { return stopped_; }
  ObjectReader& reader() { return reader_; }

 private:
  ObjectReader& reader_;
  BlobStore& blobs_;
  Space space_;
  const engine::ScanFn& fn_;
  bool stopped_ = false;
};

absl::Status ScanObject(Sink& sink, const std::string& object, Space space,
                        const Range& range) {
  ObjectCursor cursor(&sink.reader(), object, space, range);
  while (!sink.stopped()) {
    MR_ASSIGN_OR_RETURN(bool more, cursor.Next());
    if (!more) break;
    MR_RETURN_IF_ERROR(sink.Emit(cursor.key(), cursor.value()));
  }
  return absl::OkStatus();
}

absl::Status ScanBlobShards(Sink& sink, Space space, const Range& range) {
  if (range.empty()) return absl::OkStatus();
  int first = range.begin.empty() ? 0 : static_cast<uint8_t>(range.begin[0]);
  int last = 255;
  if (!range.end.empty()) {
    last = static_cast<uint8_t>(range.end[0]);
    if (range.end.size() == 1) --last;  // keys < "X" cannot start with X
  }
  for (int shard = first; shard <= last && !sink.stopped(); ++shard) {
    MR_RETURN_IF_ERROR(ScanObject(
        sink, BlobShardObject(static_cast<uint8_t>(shard)), space, range));
  }
  return absl::OkStatus();
}

// Mailbox or user spaces: the directory lists the partitions (each a
// prefix of its keys) in key order.
absl::Status ScanPartitions(Sink& sink, Space space, size_t lead,
                            const Range& range) {
  if (range.empty()) return absl::OkStatus();
  const bool mailbox = PlacingOf(space) != Placing::kUser;
  Range rows = range;
  // The partition of `begin`: rows before it hold only smaller keys.
  rows.begin = mailbox ? range.begin.substr(0, lead + kIdSize)
                       : range.begin.substr(0, range.begin.find('\0'));
  ObjectCursor directory(
      &sink.reader(), std::string(mailbox ? kMailboxDirObject : kUserDirObject),
      space, rows);
  while (!sink.stopped()) {
    MR_ASSIGN_OR_RETURN(bool more, directory.Next());
    if (!more) break;
    std::string partition(directory.key());
    std::string object;
    if (mailbox) {
      if (partition.size() != lead + kIdSize) continue;  // not ours
      object = MailboxObject(std::string_view(partition).substr(lead));
    } else {
      object = UserObject(partition);
    }
    std::string successor = PrefixSuccessor(partition);
    Range inner = range.Intersect(partition, successor);
    if (successor.empty() && range.end.empty()) inner.end.clear();
    MR_RETURN_IF_ERROR(ScanObject(sink, object, space, inner));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ScanSpace(ObjectReader& reader, BlobStore& blobs, Space space,
                       std::string_view begin, std::string_view end,
                       const engine::ScanFn& fn) {
  Sink sink(reader, blobs, space, fn);
  Range range{std::string(begin), std::string(end)};
  switch (PlacingOf(space)) {
    case Placing::kFixed:
      return ScanObject(sink, FixedObject(space), space, range);
    case Placing::kBlobShard:
      return ScanBlobShards(sink, space, range);
    case Placing::kMailbox:
      return ScanPartitions(sink, space, space == Space::kSeen ? 1 : 0, range);
    case Placing::kUser:
      return ScanPartitions(sink, space, 0, range);
    case Placing::kAcl: {
      // 'm' rows live with their mailboxes, the others in one object.
      MR_RETURN_IF_ERROR(ScanObject(sink, FixedObject(space), space,
                                    range.Intersect("", "m")));
      if (sink.stopped()) return absl::OkStatus();
      MR_RETURN_IF_ERROR(
          ScanPartitions(sink, space, 1, range.Intersect("m", "n")));
      if (sink.stopped()) return absl::OkStatus();
      return ScanObject(sink, FixedObject(space), space,
                        range.Intersect("n", ""));
    }
  }
  return absl::InternalError("unknown placing");
}

}  // namespace mailroom::store::rados
