// Store::Verify: quota usage, body reference counts and rows of mailboxes
// that no longer exist. The design is in verifier.h.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "store/internal/password.h"
#include "store/internal/verifier.h"

namespace mailroom::store::internal {
namespace {
// A store several nodes share has no snapshot of all of it at one instant:
// a message moved between two mailboxes while they were scanned may be
// missed, so a count found too high is not trusted to lower (and perhaps
// free) a body.
constexpr char kNotLowered[] =
    " (not repaired: on a store shared by several nodes a recount that "
    "finds fewer references is not exact while nodes serve)";

// There a body is written before the rows that reference it are locked, so
// one that looks unreferenced may belong to a delivery in flight.
constexpr char kNotFreed[] =
    " (not repaired: on a store shared by several nodes an unreferenced "
    "body may belong to a delivery in flight; it only costs space)";

}  // namespace

absl::Status StoreImpl::Verifier::CheckQuota() {
  auto compare = [&](const std::string& owner, const QuotaRecord& stored) {
    QuotaRecord counted;
    if (auto it = usage_.find(owner); it != usage_.end()) counted = it->second;
    if (stored.bytes == counted.bytes && stored.messages == counted.messages) {
      return;
    }
    Problem(owner, "",
            absl::StrCat("quota usage is ", stored.bytes, " bytes, ",
                         stored.messages, " messages; counted ", counted.bytes,
                         " bytes, ", counted.messages, " messages"),
            RepairKey{kFixQuota, owner},
            [this, owner]() -> absl::StatusOr<std::string> {
              return RecountQuota(owner);
            });
  };
  if (!owner_.empty()) {
    MR_ASSIGN_OR_RETURN(std::optional<std::string> raw,
                        store_.Get(Space::kQuota, owner_, nullptr, false,
                                   global_));
    QuotaRecord stored;
    if (raw.has_value() && !Decode(*raw, &stored)) {
      Problem(owner_, "", "undecodable quota record", RepairKey{kFixQuota, owner_},
              [this] { return RecountQuota(owner_); });
      return absl::OkStatus();
    }
    compare(owner_, stored);
    return absl::OkStatus();
  }
  std::set<std::string> seen;
  MR_RETURN_IF_ERROR(store_.ScanPrefix(
      Space::kQuota, "",
      [&](std::string_view key, std::string_view value) {
        std::string owner(key);
        seen.insert(owner);
        QuotaRecord stored;
        if (!Decode(value, &stored)) {
          Problem(owner, "", "undecodable quota record", RepairKey{kFixQuota, owner},
                  [this, owner] { return RecountQuota(owner); });
          return true;
        }
        compare(owner, stored);
        return true;
      },
      nullptr, global_));
  for (const auto& [owner, counted] : usage_) {
    if (!seen.contains(owner) && counted.messages != 0) {
      compare(owner, QuotaRecord());
    }
  }
  return absl::OkStatus();
}

// Store-wide: each reference count equals the messages that name the body,
// and each stored body is referenced.
absl::Status StoreImpl::Verifier::CheckBlobs() {
  if (!owner_.empty()) return absl::OkStatus();
  absl::flat_hash_set<std::string> counted_rows;
  MR_RETURN_IF_ERROR(store_.ScanPrefix(
      Space::kBlobRefs, "",
      [&](std::string_view key, std::string_view value) {
        std::string hash(key);
        counted_rows.insert(hash);
        uint64_t stored = value.size() == 8 ? ReadU64(value) : 0;
        auto it = refs_.find(hash);
        uint64_t counted = it == refs_.end() ? 0 : it->second;
        if (counted == 0) {
          if (blobs_.contains(hash)) return true;  // an unreferenced blob
          if (store_.shared_) {
            Problem("", "",
                    absl::StrCat("reference count ", stored, " of body ",
                                 ShortHash(hash),
                                 ", which is neither stored nor referenced",
                                 kNotFreed));
            return true;
          }
          Problem("", "",
                  absl::StrCat("reference count ", stored, " of body ",
                               ShortHash(hash),
                               ", which is neither stored nor referenced"),
                  RepairKey{kFixUnreferencedBlob, hash},
                  [this, hash, stored] {
                    return DropUnreferencedBlob(hash, stored);
                  });
        } else if (stored > counted && store_.shared_) {
          Problem("", "",
                  absl::StrCat("reference count of body ", ShortHash(hash), " is ",
                               stored, "; counted ", counted, kNotLowered));
        } else if (stored != counted) {
          Problem("", "",
                  absl::StrCat("reference count of body ", ShortHash(hash), " is ",
                               stored, "; counted ", counted),
                  RepairKey{kFixRefCount, hash}, [this, hash, stored, counted] {
                    return FixRefCount(hash, stored, counted);
                  });
        }
        return true;
      },
      nullptr, global_));
  for (const auto& [hash, counted] : refs_) {
    if (counted_rows.contains(hash)) continue;
    std::string h = hash;
    uint64_t n = counted;
    Problem("", "",
            absl::StrCat("body ", ShortHash(hash), " has no reference count; counted ",
                         counted),
            RepairKey{kFixRefCount, hash},
            [this, h, n] { return FixRefCount(h, 0, n); });
  }
  for (const std::string& hash : blobs_) {
    if (refs_.contains(hash)) continue;
    std::optional<uint64_t> stored;
    if (counted_rows.contains(hash)) {
      MR_ASSIGN_OR_RETURN(std::optional<std::string> raw,
                          store_.Get(Space::kBlobRefs, hash, nullptr, false,
                                     global_));
      if (raw.has_value() && raw->size() == 8) stored = ReadU64(*raw);
    }
    std::string h = hash;
    if (store_.shared_) {
      Problem("", "",
              absl::StrCat("body ", ShortHash(hash),
                           " is stored but no message refers to it",
                           kNotFreed));
      continue;
    }
    Problem("", "",
            absl::StrCat("body ", ShortHash(hash), " is stored but no message "
                         "refers to it"),
            RepairKey{kFixUnreferencedBlob, hash},
            [this, h, stored] { return DropUnreferencedBlob(h, stored); });
  }
  return absl::OkStatus();
}

absl::Status StoreImpl::Verifier::ForEachIdWithKeys(
    Space space, const std::string& prefix,
    const std::function<absl::Status(MailboxId)>& fn) {
  std::string begin = prefix;
  const std::string end = PrefixEnd(prefix);
  while (true) {
    std::optional<MailboxId> found;
    MR_RETURN_IF_ERROR(store_.Scan(
        space, begin, end,
        [&](std::string_view key, std::string_view) {
          if (key.size() >= prefix.size() + 8) {
            found = ReadU64(key.substr(prefix.size()));
          }
          return false;
        },
        nullptr, global_));
    if (!found.has_value()) return absl::OkStatus();
    MR_RETURN_IF_ERROR(fn(*found));
    begin = PrefixEnd(prefix + MailboxIdKey(*found));
    if (begin >= end) return absl::OkStatus();
  }
}

// Keys of mailboxes that no longer exist.
absl::Status StoreImpl::Verifier::CheckOrphans() {
  std::set<MailboxId> messages_of, rows_of;
  MR_RETURN_IF_ERROR(ForEachIdWithKeys(Space::kMessages, "", [&](MailboxId id) {
    if (!mailboxes_.contains(id)) messages_of.insert(id);
    return absl::OkStatus();
  }));
  for (MailboxId id : messages_of) {
    Problem("", "", absl::StrCat("messages of mailbox ", id,
                                 ", which does not exist (not repaired: "
                                 "their owner is unknown)"));
  }
  auto rows = [&](Space space, const std::string& prefix) {
    return ForEachIdWithKeys(space, prefix, [&](MailboxId id) {
      if (!mailboxes_.contains(id) && !messages_of.contains(id)) {
        rows_of.insert(id);
      }
      return absl::OkStatus();
    });
  };
  MR_RETURN_IF_ERROR(rows(Space::kChangelog, ""));
  MR_RETURN_IF_ERROR(rows(Space::kMailboxState, ""));
  MR_RETURN_IF_ERROR(rows(Space::kMailboxView, ""));
  for (char tag : {kSeenStateTag, kSeenRowTag, kSeenChangeTag}) {
    MR_RETURN_IF_ERROR(rows(Space::kSeen, std::string(1, tag)));
  }
  for (MailboxId id : rows_of) {
    Problem("", "",
            absl::StrCat("state, change log, message table or \\Seen rows "
                         "of mailbox ", id,
                         ", which does not exist"),
            RepairKey{kFixOrphanRows, absl::StrCat(id)},
            [this, id] { return DropOrphanRows(id); });
  }
  return absl::OkStatus();
}

absl::Status StoreImpl::Verifier::CheckMetadata() {
  std::set<MailboxId> orphans;
  MR_ASSIGN_OR_RETURN(auto counted,
                      store_.CountMetadataUsage(nullptr, global_, &orphans));
  MR_ASSIGN_OR_RETURN(auto stored,
                      store_.StoredMetadataUsage(nullptr, global_));
  for (MailboxId id : orphans) {
    Problem("", "",
            absl::StrCat("annotations of mailbox ", id,
                         ", which does not exist"),
            RepairKey{kFixOrphanRows, absl::StrCat("metadata ", id)},
            [this, id] { return DropOrphanMetadata(id); });
  }
  std::set<std::string> owners;
  for (const auto& [owner, usage] : counted) owners.insert(owner);
  for (const auto& [owner, usage] : stored) owners.insert(owner);
  for (const std::string& owner : owners) {
    const MetadataUsage c = counted.contains(owner) ? counted[owner] : MetadataUsage();
    const MetadataUsage s = stored.contains(owner) ? stored[owner] : MetadataUsage();
    if (c == s) continue;
    Problem(owner, "",
            absl::StrCat("annotation usage says ", s.entries, " entries, ",
                         s.bytes, " bytes; the annotations hold ", c.entries,
                         ", ", c.bytes),
            RepairKey{kFixMetadataUsage, owner},
            [this, owner] { return RecountMetadata(owner); });
  }
  return absl::OkStatus();
}

}  // namespace mailroom::store::internal
