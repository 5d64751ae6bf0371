#include "store/internal/message_table.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "store/internal/keys.h"
#include "store/internal/piece_frame.h"

namespace mailroom::store::internal {
namespace {

constexpr uint8_t kTableVersion = 1;
// The stamp: version, UIDVALIDITY, modseq; then the frame (piece_frame.h).
constexpr size_t kStampBytes = 1 + 4 + 8;

std::string EncodeBody(const MessageTable& table) {
  std::string out;
  out.reserve(64 + table.messages.size() * 2);
  AppendVarint(&out, table.keyword_sets.size() - 1);
  for (size_t i = 1; i < table.keyword_sets.size(); ++i) {
    AppendVarint(&out, table.keyword_sets[i].size());
    for (const std::string& k : table.keyword_sets[i]) {
      AppendVarint(&out, k.size());
      out.append(k);
    }
  }
  AppendVarint(&out, table.messages.size());
  Uid uid = 0;
  ModSeq modseq = 0;
  const auto& m = table.messages;
  for (size_t i = 0; i < m.size();) {
    const uint64_t uid_step = m[i].uid - uid;
    const uint32_t flags = m[i].flags;
    const int64_t modseq_step = static_cast<int64_t>(m[i].modseq - modseq);
    size_t run = 1;
    while (i + run < m.size() && m[i + run].uid - m[i + run - 1].uid == uid_step &&
           m[i + run].flags == flags &&
           static_cast<int64_t>(m[i + run].modseq - m[i + run - 1].modseq) ==
               modseq_step) {
      ++run;
    }
    AppendVarint(&out, run);
    AppendVarint(&out, uid_step);
    AppendVarint(&out, flags);
    AppendVarint(&out, (static_cast<uint64_t>(modseq_step) << 1) ^
                     static_cast<uint64_t>(modseq_step >> 63));
    i += run;
    uid = m[i - 1].uid;
    modseq = m[i - 1].modseq;
  }
  return out;
}

absl::Status Damaged(std::string_view why) {
  return absl::DataLossError(
      absl::StrCat("message table: ", absl::string_view(why.data(), why.size())));
}

absl::StatusOr<MessageTable> DecodeBody(std::string_view in) {
  MessageTable table;
  uint64_t sets = 0;
  if (!ReadVarint(&in, &sets) || sets > in.size()) return Damaged("lists");
  for (uint64_t i = 0; i < sets; ++i) {
    uint64_t count = 0;
    if (!ReadVarint(&in, &count) || count == 0 || count > in.size()) {
      return Damaged("keyword list");
    }
    std::vector<std::string> keywords;
    for (uint64_t j = 0; j < count; ++j) {
      uint64_t length = 0;
      if (!ReadVarint(&in, &length) || length > in.size()) {
        return Damaged("keyword");
      }
      keywords.emplace_back(in.substr(0, length));
      in.remove_prefix(length);
    }
    table.keyword_sets.push_back(std::move(keywords));
  }
  uint64_t count = 0;
  if (!ReadVarint(&in, &count) || count > (uint64_t{1} << 32)) {
    return Damaged("count");
  }
  table.messages.reserve(count);
  uint64_t uid = 0;
  ModSeq modseq = 0;
  while (table.messages.size() < count) {
    uint64_t run = 0, uid_step = 0, flags = 0, zigzag = 0;
    if (!ReadVarint(&in, &run) || !ReadVarint(&in, &uid_step) ||
        !ReadVarint(&in, &flags) || !ReadVarint(&in, &zigzag) || run == 0 ||
        run > count - table.messages.size() || uid_step == 0 ||
        flags > UINT32_MAX || (flags >> 5) >= table.keyword_sets.size()) {
      return Damaged("run");
    }
    const int64_t modseq_step =
        static_cast<int64_t>(zigzag >> 1) ^ -static_cast<int64_t>(zigzag & 1);
    if (uid + run * uid_step > UINT32_MAX) return Damaged("uid");
    for (uint64_t k = 0; k < run; ++k) {
      uid += uid_step;
      modseq += static_cast<ModSeq>(modseq_step);
      table.messages.push_back(CompactMessage{static_cast<Uid>(uid),
                                              static_cast<uint32_t>(flags),
                                              modseq});
    }
  }
  if (!in.empty()) return Damaged("trailing bytes");
  return table;
}

}  // namespace

std::vector<std::string> EncodeTableCheckpoint(
    const TableCheckpoint& checkpoint) {
  std::string stamp;
  stamp.push_back(static_cast<char>(kTableVersion));
  AppendU32(&stamp, checkpoint.uidvalidity);
  AppendU64(&stamp, checkpoint.modseq);
  return EncodeFramedPieces(stamp, EncodeBody(checkpoint.table));
}

absl::StatusOr<TableCheckpoint> DecodeTableStamp(const std::string& piece0) {
  if (piece0.size() < kStampBytes + kFrameBytes ||
      static_cast<uint8_t>(piece0[0]) != kTableVersion) {
    return Damaged("header");
  }
  TableCheckpoint stamp;
  stamp.uidvalidity = ReadU32(std::string_view(piece0).substr(1));
  stamp.modseq = ReadU64(std::string_view(piece0).substr(5));
  return stamp;
}

absl::StatusOr<TableCheckpoint> DecodeTableCheckpoint(
    const std::vector<std::string>& pieces) {
  if (pieces.empty()) return Damaged("no pieces");
  absl::StatusOr<TableCheckpoint> stamp = DecodeTableStamp(pieces[0]);
  if (!stamp.ok()) return stamp.status();
  absl::StatusOr<std::string> blob =
      DecodeFramedPieces(pieces, kStampBytes, "message table");
  if (!blob.ok()) return blob.status();
  absl::StatusOr<MessageTable> table = DecodeBody(*blob);
  if (!table.ok()) return table.status();
  stamp->table = *std::move(table);
  return stamp;
}

KeywordNumbering::KeywordNumbering(MessageTable* table) : table_(table) {
  if (table_->keyword_sets.empty()) table_->keyword_sets.emplace_back();
  for (size_t i = 1; i < table_->keyword_sets.size(); ++i) {
    std::string joined;
    for (const std::string& k : table_->keyword_sets[i]) {
      joined += k;
      joined += '\0';
    }
    numbers_.try_emplace(std::move(joined), static_cast<uint32_t>(i));
  }
}

uint32_t KeywordNumbering::Number(const std::vector<std::string>& keywords) {
  if (keywords.empty()) return 0;
  std::string joined;
  for (const std::string& k : keywords) {
    joined += k;
    joined += '\0';
  }
  auto [it, added] = numbers_.try_emplace(
      std::move(joined), static_cast<uint32_t>(table_->keyword_sets.size()));
  if (added) table_->keyword_sets.push_back(keywords);
  return it->second;
}

CompactMessage KeywordNumbering::Compact(Uid uid, const Flags& flags,
                                         ModSeq modseq) {
  return CompactMessage{
      uid, (flags.system & kAllSystemFlags) | (Number(flags.keywords) << 5),
      modseq};
}

Flags KeywordNumbering::FlagsOf(const CompactMessage& message) const {
  return Flags{message.system(), table_->keyword_sets[message.keyword_set()]};
}

void ApplyTableChanges(MessageTable* table, const std::vector<Uid>& removed,
                       const std::vector<CompactMessage>& updated) {
  std::vector<CompactMessage>& m = table->messages;
  // The common case: flag changes in place and new messages at the end.
  std::vector<CompactMessage> inserts;
  for (const CompactMessage& u : updated) {
    auto it = std::lower_bound(
        m.begin(), m.end(), u.uid,
        [](const CompactMessage& a, Uid uid) { return a.uid < uid; });
    if (it != m.end() && it->uid == u.uid) {
      *it = u;
    } else {
      inserts.push_back(u);
    }
  }
  const bool append_only =
      inserts.empty() || m.empty() || inserts.front().uid > m.back().uid;
  if (removed.empty() && append_only) {
    m.insert(m.end(), inserts.begin(), inserts.end());
    return;
  }
  std::vector<CompactMessage> merged;
  merged.reserve(m.size() + inserts.size());
  auto gone = removed.begin();
  auto add = inserts.begin();
  auto keep = [&](const CompactMessage& c) {
    while (gone != removed.end() && *gone < c.uid) ++gone;
    if (gone == removed.end() || *gone != c.uid) merged.push_back(c);
  };
  for (const CompactMessage& c : m) {
    while (add != inserts.end() && add->uid < c.uid) keep(*add++);
    keep(c);
  }
  while (add != inserts.end()) keep(*add++);
  m = std::move(merged);
}

}  // namespace mailroom::store::internal
