#include "tests/store/store_damage.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/crypto.h"
#include "base/status_macros.h"
#include "store/internal/keys.h"
#include "store/internal/records.h"
#include "store/rados/rados_engine.h"
#include "store/rocksdb/rocksdb_engine.h"

namespace mailroom::store::testing {

using engine::Space;
using namespace ::mailroom::store::internal;  // keys and records

absl::StatusOr<std::unique_ptr<StoreDamage>> StoreDamage::Open(
    const StoreOptions& options) {
  absl::StatusOr<std::unique_ptr<engine::Engine>> engine;
  if (options.engine == EngineKind::kRados) {
    engine = rados::OpenRadosEngine({.conf_file = options.rados.conf_file,
                                     .pool = options.rados.pool,
                                     .ns = options.rados.ns,
                                     .user = options.rados.user});
  } else {
    engine = rocksdb_engine::OpenRocksDbEngine(
        {.dir = options.data_dir, .sync_writes = true});
  }
  if (!engine.ok()) return engine.status();
  return std::unique_ptr<StoreDamage>(new StoreDamage(*std::move(engine)));
}

absl::Status StoreDamage::Write(
    const std::function<absl::Status(engine::Transaction&)>& fn) {
  MR_ASSIGN_OR_RETURN(std::unique_ptr<engine::Transaction> t,
                      engine_->Begin(true));
  MR_RETURN_IF_ERROR(fn(*t));
  return t->Commit();
}

absl::StatusOr<MailboxId> StoreDamage::FindMailbox(const std::string& user,
                                                   const std::string& mailbox) {
  MR_ASSIGN_OR_RETURN(
      std::optional<std::string> id,
      engine_->Latest().Get(Space::kMailboxNames, MailboxNameKey(user, mailbox)));
  if (!id.has_value() || id->size() != 8) {
    return absl::NotFoundError(absl::StrCat("no mailbox ", user, "/", mailbox));
  }
  return ReadU64(*id);
}

absl::StatusOr<std::string> StoreDamage::BodyHash(MailboxId id, Uid uid) {
  MR_ASSIGN_OR_RETURN(std::optional<std::string> raw,
                      engine_->Latest().Get(Space::kMessages, MessageKey(id, uid)));
  MessageRecord record;
  if (!raw.has_value() || !Decode(*raw, &record)) {
    return absl::NotFoundError(absl::StrCat("no message ", uid));
  }
  return record.hash;
}

absl::Status StoreDamage::DropBody(const std::string& user,
                                   const std::string& mailbox, Uid uid) {
  MR_ASSIGN_OR_RETURN(MailboxId id, FindMailbox(user, mailbox));
  MR_ASSIGN_OR_RETURN(std::string hash, BodyHash(id, uid));
  return Write([&](engine::Transaction& t) {
    return t.Delete(Space::kBlobs, hash);
  });
}

absl::Status StoreDamage::SetMessageCounter(const std::string& user,
                                            const std::string& mailbox,
                                            uint32_t messages) {
  MR_ASSIGN_OR_RETURN(MailboxId id, FindMailbox(user, mailbox));
  return Write([&](engine::Transaction& t) -> absl::Status {
    MR_ASSIGN_OR_RETURN(std::optional<std::string> raw,
                        t.GetForUpdate(Space::kMailboxState, MailboxIdKey(id)));
    MailboxState state;
    if (!raw.has_value() || !Decode(*raw, &state)) {
      return absl::DataLossError("no mailbox state");
    }
    state.messages = messages;
    return t.Put(Space::kMailboxState, MailboxIdKey(id), Encode(state));
  });
}

absl::Status StoreDamage::DropKeywordList(const std::string& user,
                                          const std::string& mailbox) {
  MR_ASSIGN_OR_RETURN(MailboxId id, FindMailbox(user, mailbox));
  return Write([&](engine::Transaction& t) -> absl::Status {
    MR_RETURN_IF_ERROR(
        t.GetForUpdate(Space::kMailboxState, MailboxIdKey(id)).status());
    return t.Delete(Space::kMailboxState, MailboxKeywordsKey(id));
  });
}

absl::Status StoreDamage::InlineKeywordList(const std::string& user,
                                            const std::string& mailbox) {
  MR_ASSIGN_OR_RETURN(MailboxId id, FindMailbox(user, mailbox));
  return Write([&](engine::Transaction& t) -> absl::Status {
    MR_ASSIGN_OR_RETURN(std::optional<std::string> raw,
                        t.GetForUpdate(Space::kMailboxState, MailboxIdKey(id)));
    MailboxState state;
    if (!raw.has_value() || !Decode(*raw, &state) || state.keywords_loaded) {
      return absl::DataLossError("no mailbox state of the current format");
    }
    MR_ASSIGN_OR_RETURN(std::optional<std::string> list,
                        t.Get(Space::kMailboxState, MailboxKeywordsKey(id)));
    std::vector<std::string> keywords;
    if (list.has_value() && !DecodeStringList(*list, &keywords)) {
      return absl::DataLossError("undecodable keyword list");
    }
    // The current format ends with an empty list and the count (0: one
    // byte); the older one ends with the list itself, as a field.
    state.keyword_count = 0;
    std::string older = Encode(state);
    older.resize(older.size() - 2);
    older += EncodeStringList(keywords).substr(1);  // no format byte inline
    MR_RETURN_IF_ERROR(t.Put(Space::kMailboxState, MailboxIdKey(id), older));
    return t.Delete(Space::kMailboxState, MailboxKeywordsKey(id));
  });
}

absl::Status StoreDamage::SetQuotaUsage(const std::string& user,
                                        uint64_t bytes, uint64_t messages) {
  return Write([&](engine::Transaction& t) -> absl::Status {
    MR_RETURN_IF_ERROR(t.GetForUpdate(Space::kQuota, user).status());
    return t.Put(Space::kQuota, user, Encode(QuotaRecord{bytes, messages}));
  });
}

absl::Status StoreDamage::AddToRefCount(const std::string& user,
                                        const std::string& mailbox, Uid uid,
                                        int64_t delta) {
  MR_ASSIGN_OR_RETURN(MailboxId id, FindMailbox(user, mailbox));
  MR_ASSIGN_OR_RETURN(std::string hash, BodyHash(id, uid));
  return Write([&](engine::Transaction& t) -> absl::Status {
    MR_ASSIGN_OR_RETURN(std::optional<std::string> raw,
                        t.GetForUpdate(Space::kBlobRefs, hash));
    uint64_t n = raw.has_value() && raw->size() == 8 ? ReadU64(*raw) : 0;
    std::string value;
    AppendU64(&value, static_cast<uint64_t>(static_cast<int64_t>(n) + delta));
    return t.Put(Space::kBlobRefs, hash, value);
  });
}

absl::Status StoreDamage::AddOrphanSeenRow(const std::string& user,
                                           const std::string& mailbox,
                                           const std::string& seen_user,
                                           Uid uid) {
  MR_ASSIGN_OR_RETURN(MailboxId id, FindMailbox(user, mailbox));
  return Write([&](engine::Transaction& t) -> absl::Status {
    MR_ASSIGN_OR_RETURN(std::optional<std::string> raw,
                        t.GetForUpdate(Space::kMailboxState, MailboxIdKey(id)));
    MailboxState state;
    if (!raw.has_value() || !Decode(*raw, &state)) {
      return absl::DataLossError("no mailbox state");
    }
    return t.Put(Space::kSeen, SeenRowKey(id, seen_user, uid),
                 Encode(SeenRow{true, state.highestmodseq}));
  });
}

absl::Status StoreDamage::AddStaleChange(const std::string& user,
                                         const std::string& mailbox, Uid uid) {
  MR_ASSIGN_OR_RETURN(MailboxId id, FindMailbox(user, mailbox));
  return Write([&](engine::Transaction& t) -> absl::Status {
    MR_ASSIGN_OR_RETURN(std::optional<std::string> raw,
                        t.GetForUpdate(Space::kMailboxState, MailboxIdKey(id)));
    MailboxState state;
    if (!raw.has_value() || !Decode(*raw, &state)) {
      return absl::DataLossError("no mailbox state");
    }
    ModSeq modseq = NextSharedModSeq(state);
    MR_RETURN_IF_ERROR(t.Put(Space::kMailboxState, MailboxIdKey(id), Encode(state)));
    return t.Put(Space::kChangelog, ChangelogKey(id, modseq),
                 Encode(ChangeRecord{uid, false}));
  });
}

absl::Status StoreDamage::AddUnreferencedBody(const std::string& data) {
  const std::string hash = crypto::Sha256(data);
  return Write([&](engine::Transaction& t) -> absl::Status {
    MR_RETURN_IF_ERROR(t.GetForUpdate(Space::kBlobRefs, hash).status());
    return t.Put(Space::kBlobs, hash, data);
  });
}

absl::Status StoreDamage::Apply(const std::vector<std::string>& w) {
  auto number = [](const std::string& text, int64_t* out) {
    return absl::SimpleAtoi(text, out);
  };
  int64_t a = 0, b = 0;
  const std::string op = w.empty() ? "" : w[0];
  if (op == "drop-body" && w.size() == 4 && number(w[3], &a)) {
    return DropBody(w[1], w[2], static_cast<Uid>(a));
  }
  if (op == "message-counter" && w.size() == 4 && number(w[3], &a)) {
    return SetMessageCounter(w[1], w[2], static_cast<uint32_t>(a));
  }
  if (op == "quota" && w.size() == 4 && number(w[2], &a) && number(w[3], &b)) {
    return SetQuotaUsage(w[1], a, b);
  }
  if (op == "refcount" && w.size() == 5 && number(w[3], &a) &&
      number(w[4], &b)) {
    return AddToRefCount(w[1], w[2], static_cast<Uid>(a), b);
  }
  if (op == "orphan-seen" && w.size() == 5 && number(w[4], &a)) {
    return AddOrphanSeenRow(w[1], w[2], w[3], static_cast<Uid>(a));
  }
  if (op == "stale-change" && w.size() == 4 && number(w[3], &a)) {
    return AddStaleChange(w[1], w[2], static_cast<Uid>(a));
  }
  if (op == "unreferenced-body" && w.size() == 2) {
    return AddUnreferencedBody(w[1]);
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown damage: ", op));
}

}  // namespace mailroom::store::testing
