#include "store/rados/layout.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace mailroom::store::rados {

using engine::Space;

namespace {

constexpr size_t kIdSize = 8;

bool KeepInName(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' ||
         c == '+' || c == '-';
}

// A name as part of an object name: [A-Za-z0-9._@+-] as is, others %XX.
std::string Escape(std::string_view name) {
  std::string out;
  for (unsigned char c : name) {
    if (KeepInName(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppendFormat(&out, "%%%02X", c);
    }
  }
  return out;
}

// A mailbox-partitioned key: `lead` bytes, then the 8-byte id.
absl::StatusOr<Placement> PlaceInMailbox(Space space, std::string_view key,
                                         size_t lead) {
  if (key.size() < lead + kIdSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("key of space ", engine::SpaceName(space),
                     " is shorter than its mailbox id"));
  }
  Placement p;
  p.object = MailboxObject(key.substr(lead, kIdSize));
  p.omap_key = OmapKey(space, key);
  p.dir_object = std::string(kMailboxDirObject);
  p.dir_row = OmapKey(space, key.substr(0, lead + kIdSize));
  p.marker = std::string(1, kMarkerPrefix);
  p.marker.push_back(SpaceByte(space));
  p.marker.append(key.substr(0, lead));
  return p;
}

}  // namespace

Placing PlacingOf(Space space) {
  switch (space) {
    case Space::kMeta:
    case Space::kGroups:
    case Space::kIndexQueue:
    case Space::kOutbound:
      return Placing::kFixed;
    case Space::kBlobs:
    case Space::kBlobRefs:
    case Space::kStructure:
      return Placing::kBlobShard;
    case Space::kMailboxes:
    case Space::kMailboxState:
    case Space::kMessages:
    case Space::kChangelog:
    case Space::kRetrieval:
    case Space::kSeen:
    case Space::kMailboxView:
      return Placing::kMailbox;
    case Space::kUsers:
    case Space::kQuota:
    case Space::kSubscriptions:
    case Space::kMailboxNames:
    case Space::kSieve:
    case Space::kSieveMarks:
      return Placing::kUser;
    case Space::kAcl:
    case Space::kMetadata:
      return Placing::kAcl;
    case Space::kCount:
      break;
  }
  return Placing::kFixed;
}

char SpaceByte(Space space) {
  return static_cast<char>('a' + static_cast<int>(space));
}

std::string OmapKey(Space space, std::string_view key) {
  std::string out(1, SpaceByte(space));
  out.append(key);
  return out;
}

std::string LockKey(std::string_view omap_key) {
  std::string out(1, kLockPrefix);
  out.append(omap_key);
  return out;
}

absl::StatusOr<Placement> Place(Space space, std::string_view key) {
  if (static_cast<int>(space) < 0 || space >= Space::kCount) {
    return absl::InvalidArgumentError("no such key space");
  }
  switch (PlacingOf(space)) {
    case Placing::kFixed: {
      Placement p;
      p.object = FixedObject(space);
      p.omap_key = OmapKey(space, key);
      return p;
    }
    case Placing::kBlobShard: {
      Placement p;
      p.object =
          BlobShardObject(key.empty() ? 0 : static_cast<uint8_t>(key[0]));
      p.omap_key = OmapKey(space, key);
      return p;
    }
    case Placing::kMailbox:
      return PlaceInMailbox(space, key, space == Space::kSeen ? 1 : 0);
    case Placing::kUser: {
      std::string_view user = key.substr(0, key.find('\0'));
      Placement p;
      p.object = UserObject(user);
      p.omap_key = OmapKey(space, key);
      p.dir_object = std::string(kUserDirObject);
      p.dir_row = OmapKey(space, user);
      p.marker = std::string(1, kMarkerPrefix);
      p.marker.push_back(SpaceByte(space));
      return p;
    }
    case Placing::kAcl: {
      if (!key.empty() && key[0] == 'm') return PlaceInMailbox(space, key, 1);
      Placement p;
      p.object = FixedObject(space);
      p.omap_key = OmapKey(space, key);
      return p;
    }
  }
  return absl::InternalError("unplaceable space");
}

std::string MailboxObject(std::string_view id8) {
  return absl::StrCat("mbox.", Hex(id8));
}

std::string UserObject(std::string_view user) {
  return absl::StrCat("user.", Escape(user));
}

std::string ChannelObject(std::string_view channel) {
  return absl::StrCat("chan.", Escape(channel));
}

std::string LeaseObject(std::string_view name) {
  return absl::StrCat("lease.", Escape(name));
}

std::string BlobShardObject(uint8_t first_byte) {
  return absl::StrFormat("blobs.%02x", first_byte);
}

std::string BlobDataObject(std::string_view hash) {
  return absl::StrCat("blob.", Hex(hash));
}

std::string FixedObject(Space space) {
  switch (space) {
    case Space::kMeta:
      return "meta";
    case Space::kGroups:
      return "groups";
    case Space::kAcl:
      return "acl";
    case Space::kIndexQueue:
      return "queue";
    default:
      break;
  }
  return absl::StrCat("space.", engine::SpaceName(space));
}

std::string TxnObject(uint64_t txn) {
  return absl::StrCat("txn.", Hex(EncodeId(txn)));
}

std::string Stamp(uint64_t txn, std::string_view payload) {
  std::string out = EncodeId(txn);
  out.append(payload);
  return out;
}

std::string_view PayloadOf(std::string_view stored) {
  if (stored.size() < kStampSize) return {};
  return stored.substr(kStampSize);
}

uint64_t StampOf(std::string_view stored) {
  if (stored.size() < kStampSize) return 0;
  return DecodeId(stored);
}

std::string EncodeId(uint64_t v) {
  std::string out(kIdSize, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

uint64_t DecodeId(std::string_view s) {
  uint64_t v = 0;
  for (size_t i = 0; i < kIdSize; ++i) {
    v = (v << 8) | static_cast<uint8_t>(s[i]);
  }
  return v;
}

std::string Hex(std::string_view bytes) {
  return absl::BytesToHexString(absl::string_view(bytes.data(), bytes.size()));
}

std::string PrefixSuccessor(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty()) {
    if (static_cast<unsigned char>(out.back()) != 0xff) {
      out.back() =
          static_cast<char>(static_cast<unsigned char>(out.back()) + 1);
      return out;
    }
    out.pop_back();
  }
  return out;
}

}  // namespace mailroom::store::rados
