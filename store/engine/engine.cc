#include "store/engine/engine.h"

namespace mailroom::store::engine {

const char* SpaceName(Space space) {
  switch (space) {
    case Space::kMeta: return "default";
    case Space::kUsers: return "users";
    case Space::kGroups: return "groups";
    case Space::kMailboxNames: return "mailbox_names";
    case Space::kMailboxes: return "mailboxes";
    case Space::kMailboxState: return "mbox_state";
    case Space::kMessages: return "messages";
    case Space::kBlobs: return "blobs";
    case Space::kBlobRefs: return "blob_refs";
    case Space::kStructure: return "structure";
    case Space::kChangelog: return "changelog";
    case Space::kIndexQueue: return "index_queue";
    case Space::kSubscriptions: return "subscriptions";
    case Space::kAcl: return "acl";
    case Space::kQuota: return "quota";
    case Space::kRetrieval: return "retrieval";
    case Space::kSeen: return "seen";
    case Space::kMetadata: return "metadata";
    case Space::kSieve: return "sieve";
    case Space::kSieveMarks: return "sieve_marks";
    case Space::kOutbound: return "outbound";
    case Space::kMailboxView: return "mailbox_view";
    case Space::kCount: break;
  }
  return "?";
}

absl::StatusOr<std::vector<std::optional<std::string>>> Reader::MultiGet(
    Space space, const std::vector<std::string>& keys) {
  std::vector<std::optional<std::string>> out;
  out.reserve(keys.size());
  for (const std::string& key : keys) {
    absl::StatusOr<std::optional<std::string>> value = Get(space, key);
    if (!value.ok()) return value.status();
    out.push_back(*std::move(value));
  }
  return out;
}

}  // namespace mailroom::store::engine
