#include "store/internal/change_codec.h"

#include "store/internal/keys.h"

namespace mailroom::store::internal {
namespace {

constexpr char kVersion = 1;

void AppendString(std::string* out, std::string_view s) {
  AppendU32(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}

bool ReadString(std::string_view* in, std::string* s) {
  if (in->size() < 4) return false;
  const uint32_t n = ReadU32(*in);
  in->remove_prefix(4);
  if (in->size() < n) return false;
  s->assign(in->substr(0, n));
  in->remove_prefix(n);
  return true;
}

}  // namespace

std::string EncodeChanges(uint64_t node,
                          const std::vector<ChangeEvent>& events) {
  std::string out(1, kVersion);
  AppendU64(&out, node);
  AppendU32(&out, static_cast<uint32_t>(events.size()));
  for (const ChangeEvent& e : events) {
    AppendU64(&out, e.mailbox);
    AppendU64(&out, e.modseq);
    out.push_back(static_cast<char>(e.kind));
    AppendString(&out, e.owner);
    AppendString(&out, e.user);
    if (e.kind == ChangeEvent::kMetadata) {
      AppendU32(&out, static_cast<uint32_t>(e.entries.size()));
      for (const std::string& entry : e.entries) AppendString(&out, entry);
    }
  }
  return out;
}

bool DecodeChanges(std::string_view in, uint64_t* node,
                   std::vector<ChangeEvent>* events) {
  if (in.size() < 13 || in[0] != kVersion) return false;
  *node = ReadU64(in.substr(1));
  uint32_t count = ReadU32(in.substr(9));
  in.remove_prefix(13);
  events->clear();
  for (uint32_t i = 0; i < count; ++i) {
    ChangeEvent e;
    if (in.size() < 17) return false;
    e.mailbox = ReadU64(in);
    e.modseq = ReadU64(in.substr(8));
    const int kind = static_cast<unsigned char>(in[16]);
    if (kind > ChangeEvent::kMetadata) return false;
    e.kind = static_cast<ChangeEvent::Kind>(kind);
    in.remove_prefix(17);
    if (!ReadString(&in, &e.owner) || !ReadString(&in, &e.user)) return false;
    if (e.kind == ChangeEvent::kMetadata) {
      if (in.size() < 4) return false;
      const uint32_t n = ReadU32(in);
      in.remove_prefix(4);
      if (n > in.size() / 4) return false;
      e.entries.resize(n);
      for (std::string& entry : e.entries) {
        if (!ReadString(&in, &entry)) return false;
      }
    }
    events->push_back(std::move(e));
  }
  return in.empty();
}

}  // namespace mailroom::store::internal
