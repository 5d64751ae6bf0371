#include "store/internal/keys.h"

namespace mailroom::store::internal {

void AppendU32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

void AppendU64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

uint32_t ReadU32(std::string_view in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

uint64_t ReadU64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

std::string MailboxNamePrefix(std::string_view owner) {
  std::string key(owner);
  key.push_back('\0');
  return key;
}

std::string MailboxNameKey(std::string_view owner, std::string_view name) {
  std::string key = MailboxNamePrefix(owner);
  key.append(name);
  return key;
}

std::string SeenPrefix(char tag, MailboxId id) {
  std::string key(1, tag);
  AppendU64(&key, id);
  return key;
}

std::string SeenUserPrefix(char tag, MailboxId id, std::string_view user) {
  std::string key = SeenPrefix(tag, id);
  key.append(user);
  key.push_back('\0');
  return key;
}

std::string SeenStateKey(MailboxId id, std::string_view user) {
  return SeenUserPrefix(kSeenStateTag, id, user);
}

std::string SeenRowKey(MailboxId id, std::string_view user, Uid uid) {
  std::string key = SeenUserPrefix(kSeenRowTag, id, user);
  AppendU32(&key, uid);
  return key;
}

std::string SeenChangeKey(MailboxId id, std::string_view user, ModSeq modseq) {
  std::string key = SeenUserPrefix(kSeenChangeTag, id, user);
  AppendU64(&key, modseq);
  return key;
}

std::string MailboxIdKey(MailboxId id) {
  std::string key;
  AppendU64(&key, id);
  return key;
}

std::string MessageKey(MailboxId id, Uid uid) {
  std::string key;
  AppendU64(&key, id);
  AppendU32(&key, uid);
  return key;
}

bool ParseMessageKey(std::string_view key, MailboxId* id, Uid* uid) {
  if (key.size() != 12) return false;
  *id = ReadU64(key);
  *uid = ReadU32(key.substr(8));
  return true;
}

std::string MailboxKeywordsKey(MailboxId id) {
  std::string key = MailboxIdKey(id);
  key.push_back('k');
  return key;
}

std::string MailboxViewKey(MailboxId id, uint32_t piece) {
  std::string key = MailboxIdKey(id);
  AppendU32(&key, piece);
  return key;
}

std::string MailboxColumnKey(MailboxId id, uint32_t piece) {
  return MailboxViewKey(id, kColumnPieceBase + piece);
}

std::string ChangelogKey(MailboxId id, ModSeq modseq) {
  std::string key;
  AppendU64(&key, id);
  AppendU64(&key, modseq);
  return key;
}

std::string IndexQueueKey(uint64_t seq) {
  std::string key;
  AppendU64(&key, seq);
  return key;
}

std::string SubscriptionPrefix(std::string_view user) {
  std::string key(user);
  key.push_back('\0');
  return key;
}

std::string SubscriptionKey(std::string_view user, std::string_view name) {
  std::string key = SubscriptionPrefix(user);
  key.append(name);
  return key;
}

std::string AclPrefix(MailboxId id) {
  std::string key = "m";
  AppendU64(&key, id);
  return key;
}

std::string AclKey(MailboxId id, std::string_view identifier) {
  std::string key = AclPrefix(id);
  key.append(identifier);
  return key;
}

std::string AclGranteePrefix(std::string_view identifier) {
  std::string key = "g";
  key.append(identifier);
  key.push_back('\0');
  return key;
}

std::string AclGranteeKey(std::string_view identifier, MailboxId id) {
  std::string key = AclGranteePrefix(identifier);
  AppendU64(&key, id);
  return key;
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    unsigned char last = static_cast<unsigned char>(end.back());
    if (last != 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(64, '\xff');  // every key of ours sorts below this
}

std::string MetaMailboxPrefix(MailboxId id) {
  std::string key(1, kMetaMailboxTag);
  AppendU64(&key, id);
  return key;
}

std::string MetaEntryKey(MailboxId id, std::string_view user,
                         std::string_view entry) {
  const bool is_private =
      entry == "/private" || entry.starts_with("/private/");
  std::string key;
  if (id != 0) {
    key = MetaMailboxPrefix(id);
    key.push_back(is_private ? 'p' : 's');
  } else {
    key.push_back(is_private ? kMetaServerPrivateTag : kMetaServerSharedTag);
  }
  if (is_private) {
    key.append(user);
    key.push_back('\0');
  }
  key.append(entry);
  return key;
}

std::string MetaUsageKey(std::string_view owner) {
  std::string key(1, kMetaUsageTag);
  key.append(owner);
  key.push_back('\0');
  return key;
}

std::string SieveOwnerPrefix(std::string_view owner) {
  std::string key(owner.empty() ? kSieveGlobalOwner : owner);
  key.push_back('\0');
  return key;
}

std::string SieveHeadKey(std::string_view owner) {
  return SieveOwnerPrefix(owner) + 'a';
}

std::string SieveScriptPrefix(std::string_view owner) {
  return SieveOwnerPrefix(owner) + 's';
}

std::string SieveScriptKey(std::string_view owner, std::string_view name) {
  std::string key = SieveScriptPrefix(owner);
  key.append(name);
  return key;
}

std::string SieveMarkKey(std::string_view owner, std::string_view digest) {
  std::string key = SieveOwnerPrefix(owner) + 'k';
  key.append(digest);
  return key;
}

std::string SieveExpiryPrefix(std::string_view owner) {
  return SieveOwnerPrefix(owner) + 'e';
}

std::string SieveExpiryKey(std::string_view owner, uint64_t expiry,
                           std::string_view digest) {
  std::string key = SieveExpiryPrefix(owner);
  AppendU64(&key, expiry);
  key.append(digest);
  return key;
}

std::string OutboundMessageKey(std::string_view id) {
  std::string key(1, kOutboundMessageTag);
  key.append(id);
  return key;
}

std::string OutboundDueKey(int64_t at, std::string_view id) {
  std::string key(1, kOutboundDueTag);
  AppendU64(&key, at < 0 ? 0 : static_cast<uint64_t>(at));
  key.append(id);
  return key;
}

}  // namespace mailroom::store::internal
