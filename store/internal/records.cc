#include "store/internal/records.h"

namespace mailroom::store::internal {
namespace {

constexpr char kRecordVersion = 1;

class Writer {
 public:
  Writer() { out_.push_back(kRecordVersion); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void Signed(int64_t v) {  // zig-zag
    Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void Bytes(std::string_view s) {
    Varint(s.size());
    out_.append(s);
  }
  void Optional(const std::optional<uint64_t>& v) {
    Varint(v.has_value() ? 1 : 0);
    if (v.has_value()) Varint(*v);
  }
  void OptionalString(const std::optional<std::string>& v) {
    Varint(v.has_value() ? 1 : 0);
    if (v.has_value()) Bytes(*v);
  }
  void StringList(const std::vector<std::string>& list) {
    Varint(list.size());
    for (const std::string& s : list) Bytes(s);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {
    if (in_.empty() || in_[0] != kRecordVersion) {
      ok_ = false;
    } else {
      in_.remove_prefix(1);
    }
  }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) break;
      uint8_t byte = static_cast<uint8_t>(in_[0]);
      in_.remove_prefix(1);
      v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    ok_ = false;
    return 0;
  }
  int64_t Signed() {
    uint64_t v = Varint();
    return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
  }
  std::string Bytes() {
    uint64_t n = Varint();
    if (!ok_ || n > in_.size()) {
      ok_ = false;
      return {};
    }
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }
  std::optional<uint64_t> Optional() {
    if (Varint() == 0) return std::nullopt;
    return Varint();
  }
  std::optional<std::string> OptionalString() {
    if (Varint() == 0) return std::nullopt;
    return Bytes();
  }
  std::vector<std::string> StringList() {
    uint64_t n = Varint();
    std::vector<std::string> list;
    if (n > in_.size()) {  // every entry takes at least one byte
      ok_ = false;
      return list;
    }
    for (uint64_t i = 0; i < n && ok_; ++i) list.push_back(Bytes());
    return list;
  }
  bool ok() const { return ok_; }
  // Fields added later are absent from older records.
  bool at_end() const { return in_.empty(); }

 private:
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace

std::string Encode(const UserRecord& r) {
  Writer w;
  w.Bytes(r.salt);
  w.Varint(r.iterations);
  w.Bytes(r.stored_key);
  w.Bytes(r.server_key);
  w.Optional(r.storage_limit_bytes);
  w.Optional(r.message_limit);
  return w.Take();
}

bool Decode(std::string_view in, UserRecord* r) {
  Reader rd(in);
  r->salt = rd.Bytes();
  r->iterations = static_cast<uint32_t>(rd.Varint());
  r->stored_key = rd.Bytes();
  r->server_key = rd.Bytes();
  r->storage_limit_bytes = rd.Optional();
  r->message_limit = rd.Optional();
  return rd.ok();
}

std::string Encode(const MailboxRecord& r) {
  Writer w;
  w.Bytes(r.owner);
  w.Bytes(r.name);
  w.OptionalString(r.special_use);
  w.Varint(r.noselect ? 1 : 0);
  // The seen mode of older records, then the private set when it holds more
  // than \Seen.
  const Flags& p = r.private_flags;
  w.Varint((p.system & kSeen) != 0 ? 1 : 0);
  if ((p.system & ~uint32_t{kSeen}) != 0 || !p.keywords.empty()) {
    w.Varint(p.system);
    w.StringList(p.keywords);
  }
  return w.Take();
}

bool Decode(std::string_view in, MailboxRecord* r) {
  Reader rd(in);
  r->owner = rd.Bytes();
  r->name = rd.Bytes();
  r->special_use = rd.OptionalString();
  r->noselect = rd.Varint() != 0;
  r->private_flags = Flags();
  if (rd.ok() && !rd.at_end()) {
    uint64_t mode = rd.Varint();
    if (mode > 1) return false;
    if (mode == 1) r->private_flags.system = kSeen;
  }
  if (rd.ok() && !rd.at_end()) {
    uint64_t system = rd.Varint();
    if (system > kAllSystemFlags) return false;
    r->private_flags.system = static_cast<uint32_t>(system);
    r->private_flags.keywords = rd.StringList();
  }
  return rd.ok();
}

std::string Encode(const MailboxState& r) {
  Writer w;
  w.Varint(r.uidvalidity);
  w.Varint(r.uidnext);
  w.Varint(r.highestmodseq);
  w.Varint(r.messages);
  w.Varint(r.unseen);
  w.Varint(r.deleted);
  w.Varint(r.size);
  w.Varint(r.last_modseq);
  w.Varint(r.recent_claimed);
  // Where older records held the keyword list: now always empty, followed
  // by the count, whose presence says the list has its own key.
  w.StringList({});
  w.Varint(r.keyword_count);
  return w.Take();
}

bool Decode(std::string_view in, MailboxState* r) {
  Reader rd(in);
  r->uidvalidity = static_cast<uint32_t>(rd.Varint());
  r->uidnext = static_cast<Uid>(rd.Varint());
  r->highestmodseq = rd.Varint();
  r->messages = static_cast<uint32_t>(rd.Varint());
  r->unseen = static_cast<uint32_t>(rd.Varint());
  r->deleted = static_cast<uint32_t>(rd.Varint());
  r->size = rd.Varint();
  r->last_modseq = rd.ok() && !rd.at_end() ? rd.Varint() : 0;
  r->recent_claimed = rd.ok() && !rd.at_end()
                          ? static_cast<Uid>(rd.Varint())
                          : (r->uidnext > 0 ? r->uidnext - 1 : 0);
  r->keywords = rd.ok() && !rd.at_end() ? rd.StringList()
                                        : std::vector<std::string>{};
  if (rd.ok() && !rd.at_end()) {
    r->keyword_count = static_cast<uint32_t>(rd.Varint());
    r->keywords.clear();
    r->keywords_loaded = false;
    r->keywords_dirty = false;
  } else {
    // An older record: the list (if any) is inline and moves out on the
    // next write.
    r->keyword_count = static_cast<uint32_t>(r->keywords.size());
    r->keywords_loaded = true;
    r->keywords_dirty = !r->keywords.empty();
  }
  return rd.ok();
}

std::string Encode(const MessageRecord& r) {
  Writer w;
  w.Varint(r.system_flags);
  w.Varint(r.keywords.size());
  for (const std::string& k : r.keywords) w.Bytes(k);
  w.Varint(r.modseq);
  w.Signed(r.internal_date);
  w.Signed(r.internal_tz_minutes);
  w.Varint(r.size);
  w.Bytes(r.hash);
  w.Signed(r.save_date);
  w.Bytes(r.email_id);
  w.Bytes(r.thread_id);
  w.Varint(r.crlf_size);
  return w.Take();
}

bool Decode(std::string_view in, MessageRecord* r) {
  Reader rd(in);
  r->system_flags = static_cast<uint32_t>(rd.Varint());
  uint64_t n = rd.Varint();
  r->keywords.clear();
  for (uint64_t i = 0; i < n && rd.ok(); ++i) r->keywords.push_back(rd.Bytes());
  r->modseq = rd.Varint();
  r->internal_date = rd.Signed();
  r->internal_tz_minutes = static_cast<int32_t>(rd.Signed());
  r->size = rd.Varint();
  r->hash = rd.Bytes();
  r->save_date = r->internal_date;
  if (rd.ok() && !rd.at_end()) r->save_date = rd.Signed();
  r->email_id.clear();
  r->thread_id.clear();
  if (rd.ok() && !rd.at_end()) {
    r->email_id = rd.Bytes();
    r->thread_id = rd.Bytes();
  }
  r->crlf_size = rd.ok() && !rd.at_end() ? rd.Varint() : 0;
  return rd.ok();
}

std::string Encode(const ChangeRecord& r) {
  Writer w;
  w.Varint(r.uid);
  w.Varint(r.expunged ? 1 : 0);
  return w.Take();
}

bool Decode(std::string_view in, ChangeRecord* r) {
  Reader rd(in);
  r->uid = static_cast<Uid>(rd.Varint());
  r->expunged = rd.Varint() != 0;
  return rd.ok();
}

std::string Encode(const QuotaRecord& r) {
  Writer w;
  w.Varint(r.bytes);
  w.Varint(r.messages);
  return w.Take();
}

bool Decode(std::string_view in, QuotaRecord* r) {
  Reader rd(in);
  r->bytes = rd.Varint();
  r->messages = rd.Varint();
  return rd.ok();
}

std::string Encode(const SeenRow& r) {
  Writer w;
  w.Varint(r.seen ? 1 : 0);
  w.Varint(r.modseq);
  // A row of \Seen alone keeps the shorter original encoding.
  if (r.system_mask != kSeen || !r.keyword_mask.empty()) {
    w.Varint(r.system_mask);
    w.Varint(r.system);
    w.StringList(r.keyword_mask);
    w.StringList(r.keywords);
  }
  return w.Take();
}

bool Decode(std::string_view in, SeenRow* r) {
  Reader rd(in);
  r->seen = rd.Varint() != 0;
  r->modseq = rd.Varint();
  r->system_mask = kSeen;
  r->system = 0;
  r->keyword_mask.clear();
  r->keywords.clear();
  if (rd.ok() && !rd.at_end()) {
    uint64_t mask = rd.Varint();
    uint64_t system = rd.Varint();
    if (mask > kAllSystemFlags || system > kAllSystemFlags) return false;
    r->system_mask = static_cast<uint32_t>(mask);
    r->system = static_cast<uint32_t>(system);
    r->keyword_mask = rd.StringList();
    r->keywords = rd.StringList();
  }
  return rd.ok();
}

std::string Encode(const SeenUserState& r) {
  Writer w;
  w.Signed(r.delta);
  w.Varint(r.highestmodseq);
  return w.Take();
}

bool Decode(std::string_view in, SeenUserState* r) {
  Reader rd(in);
  r->delta = rd.Signed();
  r->highestmodseq = rd.Varint();
  return rd.ok();
}

std::string Encode(const IndexWork& r) {
  Writer w;
  w.Varint(r.op);
  w.Bytes(r.owner);
  w.Varint(r.mailbox);
  w.Varint(r.uid);
  w.Bytes(r.blob_id);
  return w.Take();
}

bool Decode(std::string_view in, IndexWork* r) {
  Reader rd(in);
  uint64_t op = rd.Varint();
  if (op > IndexWork::kRemoveOwner) return false;
  r->op = static_cast<IndexWork::Op>(op);
  r->owner = rd.Bytes();
  r->mailbox = rd.Varint();
  r->uid = static_cast<Uid>(rd.Varint());
  r->blob_id = rd.Bytes();
  return rd.ok();
}

std::string EncodeStringList(const std::vector<std::string>& list) {
  Writer w;
  w.Varint(list.size());
  for (const std::string& s : list) w.Bytes(s);
  return w.Take();
}

bool DecodeStringList(std::string_view in, std::vector<std::string>* list) {
  Reader rd(in);
  uint64_t n = rd.Varint();
  list->clear();
  for (uint64_t i = 0; i < n && rd.ok(); ++i) list->push_back(rd.Bytes());
  return rd.ok();
}

std::string Encode(const OutboundMessage& r) {
  Writer w;
  w.Bytes(r.envelope_from);
  w.StringList(r.recipients);
  w.Bytes(r.data);
  w.Bytes(r.reason);
  w.Signed(r.queued_at);
  w.Signed(r.next_attempt_at);
  w.Varint(r.attempts);
  w.Bytes(r.last_error);
  w.Signed(r.claimed_until);
  return w.Take();
}

bool Decode(std::string_view in, OutboundMessage* r) {
  Reader rd(in);
  r->envelope_from = rd.Bytes();
  r->recipients = rd.StringList();
  r->data = rd.Bytes();
  r->reason = rd.Bytes();
  r->queued_at = rd.Signed();
  r->next_attempt_at = rd.Signed();
  r->attempts = static_cast<uint32_t>(rd.Varint());
  r->last_error = rd.Bytes();
  r->claimed_until = rd.ok() && !rd.at_end() ? rd.Signed() : 0;
  return rd.ok();
}

}  // namespace mailroom::store::internal
