#include "store/rados/txn_record.h"

#include "store/rados/layout.h"

namespace mailroom::store::rados {

namespace {

constexpr std::string_view kMagic = "MRT1";

void PutU32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

void PutString(std::string* out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}

class Cursor {
 public:
  explicit Cursor(std::string_view in) : in_(in) {}
  bool U8(uint8_t* v) {
    if (in_.empty()) return false;
    *v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool U32(uint32_t* v) {
    if (in_.size() < 4) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i) *v = (*v << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(4);
    return true;
  }
  bool U64(uint64_t* v) {
    if (in_.size() < 8) return false;
    *v = DecodeId(in_);
    in_.remove_prefix(8);
    return true;
  }
  bool String(std::string* s) {
    uint32_t n;
    if (!U32(&n) || in_.size() < n) return false;
    s->assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool Literal(std::string_view lit) {
    if (in_.substr(0, lit.size()) != lit) return false;
    in_.remove_prefix(lit.size());
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

}  // namespace

std::string EncodeRecord(const TxnRecord& record) {
  std::string out(kMagic);
  out.append(EncodeId(record.id));
  out.append(EncodeId(static_cast<uint64_t>(record.start_micros)));
  PutU32(&out, static_cast<uint32_t>(record.participants.size()));
  for (const Participant& p : record.participants) {
    PutString(&out, p.object);
    PutU32(&out, static_cast<uint32_t>(p.rows.size()));
    for (const Row& row : p.rows) {
      out.push_back(static_cast<char>(row.write));
      PutString(&out, row.key);
      if (row.write == Row::Write::kPut) PutString(&out, row.value);
    }
  }
  PutU32(&out, static_cast<uint32_t>(record.blob_removals.size()));
  for (const BlobRemoval& removal : record.blob_removals) {
    PutString(&out, removal.object);
    out.append(EncodeId(removal.gen));
  }
  return out;
}

bool DecodeRecord(std::string_view data, TxnRecord* record) {
  Cursor in(data);
  *record = TxnRecord();
  uint64_t start = 0;
  uint32_t n = 0;
  if (!in.Literal(kMagic) || !in.U64(&record->id) || !in.U64(&start) ||
      !in.U32(&n)) {
    return false;
  }
  record->start_micros = static_cast<int64_t>(start);
  for (uint32_t i = 0; i < n; ++i) {
    Participant p;
    uint32_t m = 0;
    if (!in.String(&p.object) || !in.U32(&m)) return false;
    for (uint32_t j = 0; j < m; ++j) {
      Row row;
      uint8_t write = 0;
      if (!in.U8(&write) || write > 2 || !in.String(&row.key)) return false;
      row.write = static_cast<Row::Write>(write);
      if (row.write == Row::Write::kPut && !in.String(&row.value)) {
        return false;
      }
      p.rows.push_back(std::move(row));
    }
    record->participants.push_back(std::move(p));
  }
  if (!in.U32(&n)) return false;
  for (uint32_t i = 0; i < n; ++i) {
    BlobRemoval removal;
    if (!in.String(&removal.object) || !in.U64(&removal.gen)) return false;
    record->blob_removals.push_back(std::move(removal));
  }
  return in.done();
}

}  // namespace mailroom::store::rados
