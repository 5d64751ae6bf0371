// Sieve scripts kept per owner (Store::ListSieveScripts and friends). Key
// layout: keys.h, "sieve".
//
// Every write of an owner's scripts reads its head key for update and
// rewrites it with a fresh random tag, so writers of one owner are
// serialised on every engine (the script count and the one active script
// stay exact) and a reader can tell from the head alone whether anything
// changed since it last looked.
//
// GetActiveSieveScript runs for every recipient of every delivery, so its
// answer is cached per owner (also "none active", the common case):
//   - on a store of one node (RocksDB) only this process writes, so an
//     entry is valid until this process's own write of that owner drops it:
//     a hit reads nothing;
//   - on a shared store (RADOS) other nodes write too, so a hit still reads
//     the owner's small head key and is used only when the tag matches:
//     one omap read instead of two, and no script source is transferred.
#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/utf8.h"
#include "sieve/script.h"
#include "store/internal/names.h"
#include "store/internal/store_impl.h"
#include "store/internal/strings.h"

namespace mailroom::store::internal {
namespace {

// Entries kept in the active-script cache; past it the cache starts over
// (a cold entry costs one read).
constexpr size_t kSieveCacheMaxOwners = 100000;
constexpr size_t kSieveNameMaxChars = 128;

struct Head {
  uint64_t tag = 0;    // changed by every write; 0 when never written
  std::string active;  // "" when none is active
};

std::string EncodeHead(const Head& head) {
  std::string out;
  AppendU64(&out, head.tag);
  out.append(head.active);
  return out;
}

absl::StatusOr<Head> DecodeHead(const std::optional<std::string>& raw) {
  Head head;
  if (!raw.has_value()) return head;
  if (raw->size() < 8) return absl::DataLossError("undecodable Sieve head");
  head.tag = ReadU64(*raw);
  head.active = raw->substr(8);
  return head;
}

uint64_t FreshTag() {
  static Mutex mu;
  static std::mt19937_64 rng(std::random_device{}());
  MutexLock lock(&mu);
  uint64_t tag = 0;
  while (tag == 0) tag = rng();
  return tag;
}

absl::Status QuotaMaxSize(uint64_t limit) {
  return absl::ResourceExhaustedError(absl::StrCat(
      "QUOTA/MAXSIZE: a script may have at most ", limit, " bytes"));
}

absl::Status QuotaMaxScripts(uint64_t limit) {
  return absl::ResourceExhaustedError(
      absl::StrCat("QUOTA/MAXSCRIPTS: at most ", limit, " scripts"));
}

absl::Status CheckSieveScriptName(std::string_view name) {
  size_t chars = 0;
  for (size_t i = 0; i < name.size();) {
    uint32_t c = 0;
    const size_t len = base::Utf8SequenceLength(name.substr(i), &c);
    if (len == 0) {
      return absl::InvalidArgumentError("script name is not UTF-8");
    }
    // RFC 5804 section 1.6: no control characters, no line or paragraph
    // separators; "/" is reserved here as in mailbox names.
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 ||
        c == 0x2029 || c == '/') {
      return absl::InvalidArgumentError(
          "script name has a control character or '/'");
    }
    i += len;
    ++chars;
  }
  if (chars == 0 || chars > kSieveNameMaxChars) {
    return absl::InvalidArgumentError(absl::StrCat(
        "script name must have 1 to ", kSieveNameMaxChars, " characters"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> StoreImpl::SieveOwner(const Principal& who,
                                                  std::string_view owner,
                                                  bool write) {
  if (owner.empty()) {
    if (write && !who.admin()) {
      return absl::PermissionDeniedError(
          "only administrators change global Sieve scripts");
    }
    return std::string();
  }
  absl::StatusOr<std::string> canonical = CanonicalUser(owner);
  if (!canonical.ok() || (!who.admin() && *canonical != who.user())) {
    return absl::NotFoundError("no such user");
  }
  return *std::move(canonical);
}

absl::Status StoreImpl::RequireSieveOwnerExists(const std::string& owner,
                                                Txn* txn,
                                                engine::Reader* snapshot) {
  if (owner.empty()) return absl::OkStatus();
  std::optional<std::string> record;
  if (snapshot != nullptr) {
    MR_ASSIGN_OR_RETURN(record, snapshot->Get(Space::kUsers, owner));
  } else {
    MR_ASSIGN_OR_RETURN(record,
                        Get(Space::kUsers, owner, txn, txn != nullptr));
  }
  if (!record.has_value()) return absl::NotFoundError("no such user");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<SieveScriptInfo>> StoreImpl::ListSieveScripts(
    const Principal& who, std::string_view owner_in) {
  MR_ASSIGN_OR_RETURN(std::string owner, SieveOwner(who, owner_in, false));
  return RetryAborted([&]() -> absl::StatusOr<std::vector<SieveScriptInfo>> {
    MR_ASSIGN_OR_RETURN(std::unique_ptr<engine::Reader> snapshot,
                        engine_->Snapshot());
    MR_RETURN_IF_ERROR(RequireSieveOwnerExists(owner, nullptr, snapshot.get()));
    MR_ASSIGN_OR_RETURN(std::optional<std::string> raw,
                        snapshot->Get(Space::kSieve, SieveHeadKey(owner)));
    MR_ASSIGN_OR_RETURN(Head head, DecodeHead(raw));
    std::vector<SieveScriptInfo> scripts;
    const std::string prefix = SieveScriptPrefix(owner);
    MR_RETURN_IF_ERROR(ScanPrefix(
        Space::kSieve, prefix,
        [&](std::string_view key, std::string_view value) {
          SieveScriptInfo info;
          info.name = std::string(key.substr(prefix.size()));
          info.size = value.size();
          info.active = info.name == head.active;
          scripts.push_back(std::move(info));
          return true;
        },
        nullptr, snapshot.get()));
    return scripts;
  });
}

absl::StatusOr<std::string> StoreImpl::GetSieveScript(const Principal& who,
                                                      std::string_view owner_in,
                                                      std::string_view name) {
  MR_ASSIGN_OR_RETURN(std::string owner, SieveOwner(who, owner_in, false));
  MR_RETURN_IF_ERROR(CheckSieveScriptName(name));
  MR_ASSIGN_OR_RETURN(std::optional<std::string> source,
                      Get(Space::kSieve, SieveScriptKey(owner, name)));
  if (!source.has_value()) return absl::NotFoundError("no such script");
  return *std::move(source);
}

absl::StatusOr<std::optional<SieveScript>> StoreImpl::GetActiveSieveScript(
    const Principal& who, std::string_view owner_in) {
  MR_ASSIGN_OR_RETURN(std::string owner, SieveOwner(who, owner_in, false));
  if (owner.empty()) return std::optional<SieveScript>();
  uint64_t generation = 0;
  std::optional<SieveActiveEntry> cached;
  {
    MutexLock lock(&sieve_cache_mu_);
    generation = sieve_cache_generation_;
    auto it = sieve_active_cache_.find(owner);
    if (it != sieve_active_cache_.end()) cached = it->second;
  }
  if (cached.has_value() && !shared_) return cached->script;
  return RetryAborted([&]() -> absl::StatusOr<std::optional<SieveScript>> {
    MR_ASSIGN_OR_RETURN(std::unique_ptr<engine::Reader> snapshot,
                        engine_->Snapshot());
    MR_ASSIGN_OR_RETURN(std::optional<std::string> raw,
                        snapshot->Get(Space::kSieve, SieveHeadKey(owner)));
    MR_ASSIGN_OR_RETURN(Head head, DecodeHead(raw));
    if (cached.has_value() && cached->tag == head.tag) return cached->script;
    SieveActiveEntry entry{.tag = head.tag};
    if (!head.active.empty()) {
      MR_ASSIGN_OR_RETURN(
          std::optional<std::string> source,
          snapshot->Get(Space::kSieve, SieveScriptKey(owner, head.active)));
      // A head naming a missing script is damage Verify repairs; until
      // then nothing is active.
      if (source.has_value()) {
        entry.script = SieveScript{head.active, *std::move(source)};
      }
    }
    MutexLock lock(&sieve_cache_mu_);
    if (sieve_cache_generation_ == generation) {
      if (sieve_active_cache_.size() >= kSieveCacheMaxOwners) {
        sieve_active_cache_.clear();
      }
      sieve_active_cache_[owner] = entry;
    }
    return entry.script;
  });
}

void StoreImpl::ForgetSieveOwner(const std::string& owner) {
  MutexLock lock(&sieve_cache_mu_);
  ++sieve_cache_generation_;
  sieve_active_cache_.erase(owner);
}

absl::Status StoreImpl::WriteSieve(
    const std::string& owner,
    const std::function<absl::Status(Txn&, std::string& active)>& change) {
  absl::Status status = RunTxn([&](Txn& txn) -> absl::Status {
    MR_ASSIGN_OR_RETURN(
        std::optional<std::string> raw,
        Get(Space::kSieve, SieveHeadKey(owner), &txn, /*for_update=*/true));
    MR_ASSIGN_OR_RETURN(Head head, DecodeHead(raw));
    MR_RETURN_IF_ERROR(RequireSieveOwnerExists(owner, &txn, nullptr));
    MR_RETURN_IF_ERROR(change(txn, head.active));
    head.tag = FreshTag();
    return Put(txn, Space::kSieve, SieveHeadKey(owner), EncodeHead(head));
  });
  ForgetSieveOwner(owner);
  return status;
}

absl::StatusOr<uint64_t> StoreImpl::CountSieveScripts(
    Txn& txn, const std::string& owner, std::string_view name, bool* exists) {
  uint64_t count = 0;
  *exists = false;
  const std::string prefix = SieveScriptPrefix(owner);
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kSieve, prefix,
      [&](std::string_view key, std::string_view) {
        ++count;
        if (key.substr(prefix.size()) == name) *exists = true;
        return true;
      },
      &txn));
  return count;
}

absl::Status StoreImpl::PutSieveScript(const Principal& who,
                                       std::string_view owner_in,
                                       std::string_view name,
                                       std::string_view source) {
  MR_ASSIGN_OR_RETURN(std::string owner, SieveOwner(who, owner_in, true));
  MR_RETURN_IF_ERROR(CheckSieveScriptName(name));
  if (source.size() > options_.sieve_max_script_bytes) {
    return QuotaMaxSize(options_.sieve_max_script_bytes);
  }
  sieve::Limits limits;
  limits.max_script_bytes = options_.sieve_max_script_bytes;
  MR_RETURN_IF_ERROR(sieve::Compile(source, limits).status());
  return WriteSieve(owner, [&](Txn& txn, std::string&) -> absl::Status {
    bool exists = false;
    MR_ASSIGN_OR_RETURN(uint64_t count,
                        CountSieveScripts(txn, owner, name, &exists));
    if (!exists && count >= options_.sieve_max_scripts) {
      return QuotaMaxScripts(options_.sieve_max_scripts);
    }
    return Put(txn, Space::kSieve, SieveScriptKey(owner, name), source);
  });
}

absl::Status StoreImpl::CheckSieveSpace(const Principal& who,
                                        std::string_view owner_in,
                                        std::string_view name, uint64_t size) {
  MR_ASSIGN_OR_RETURN(std::string owner, SieveOwner(who, owner_in, true));
  MR_RETURN_IF_ERROR(CheckSieveScriptName(name));
  if (size > options_.sieve_max_script_bytes) {
    return QuotaMaxSize(options_.sieve_max_script_bytes);
  }
  return RetryAborted([&]() -> absl::Status {
    MR_ASSIGN_OR_RETURN(std::unique_ptr<engine::Reader> snapshot,
                        engine_->Snapshot());
    MR_RETURN_IF_ERROR(RequireSieveOwnerExists(owner, nullptr, snapshot.get()));
    uint64_t count = 0;
    bool exists = false;
    const std::string prefix = SieveScriptPrefix(owner);
    MR_RETURN_IF_ERROR(ScanPrefix(
        Space::kSieve, prefix,
        [&](std::string_view key, std::string_view) {
          ++count;
          if (key.substr(prefix.size()) == name) exists = true;
          return true;
        },
        nullptr, snapshot.get()));
    if (!exists && count >= options_.sieve_max_scripts) {
      return QuotaMaxScripts(options_.sieve_max_scripts);
    }
    return absl::OkStatus();
  });
}

absl::Status StoreImpl::ActivateSieveScript(const Principal& who,
                                            std::string_view owner_in,
                                            std::string_view name) {
  MR_ASSIGN_OR_RETURN(std::string owner, SieveOwner(who, owner_in, true));
  if (owner.empty()) {
    return absl::InvalidArgumentError(
        "global scripts are run by name, never activated");
  }
  if (!name.empty()) MR_RETURN_IF_ERROR(CheckSieveScriptName(name));
  return WriteSieve(owner, [&](Txn& txn, std::string& active) -> absl::Status {
    if (!name.empty()) {
      MR_ASSIGN_OR_RETURN(std::optional<std::string> source,
                          Get(Space::kSieve, SieveScriptKey(owner, name), &txn,
                              /*for_update=*/true));
      if (!source.has_value()) return absl::NotFoundError("no such script");
    }
    active = std::string(name);
    return absl::OkStatus();
  });
}

absl::Status StoreImpl::DeleteSieveScript(const Principal& who,
                                          std::string_view owner_in,
                                          std::string_view name) {
  MR_ASSIGN_OR_RETURN(std::string owner, SieveOwner(who, owner_in, true));
  MR_RETURN_IF_ERROR(CheckSieveScriptName(name));
  return WriteSieve(owner, [&](Txn& txn, std::string& active) -> absl::Status {
    const std::string key = SieveScriptKey(owner, name);
    MR_ASSIGN_OR_RETURN(std::optional<std::string> source,
                        Get(Space::kSieve, key, &txn, /*for_update=*/true));
    if (!source.has_value()) return absl::NotFoundError("no such script");
    if (active == name) {
      return absl::FailedPreconditionError(
          "ACTIVE: the active script cannot be deleted");
    }
    return Delete(txn, Space::kSieve, key);
  });
}

absl::Status StoreImpl::RenameSieveScript(const Principal& who,
                                          std::string_view owner_in,
                                          std::string_view from,
                                          std::string_view to) {
  MR_ASSIGN_OR_RETURN(std::string owner, SieveOwner(who, owner_in, true));
  MR_RETURN_IF_ERROR(CheckSieveScriptName(from));
  MR_RETURN_IF_ERROR(CheckSieveScriptName(to));
  return WriteSieve(owner, [&](Txn& txn, std::string& active) -> absl::Status {
    const std::string from_key = SieveScriptKey(owner, from);
    const std::string to_key = SieveScriptKey(owner, to);
    MR_ASSIGN_OR_RETURN(std::optional<std::string> source,
                        Get(Space::kSieve, from_key, &txn, true));
    if (!source.has_value()) return absl::NotFoundError("no such script");
    MR_ASSIGN_OR_RETURN(std::optional<std::string> taken,
                        Get(Space::kSieve, to_key, &txn, true));
    if (taken.has_value()) {
      return absl::AlreadyExistsError("a script of that name exists");
    }
    MR_RETURN_IF_ERROR(Delete(txn, Space::kSieve, from_key));
    MR_RETURN_IF_ERROR(Put(txn, Space::kSieve, to_key, *source));
    if (active == from) active = std::string(to);
    return absl::OkStatus();
  });
}

absl::Status StoreImpl::DropSieveOfOwner(Txn& txn, const std::string& owner) {
  MR_RETURN_IF_ERROR(DeletePrefix(txn, Space::kSieve, SieveOwnerPrefix(owner)));
  return DeletePrefix(txn, Space::kSieveMarks, SieveOwnerPrefix(owner));
}

}  // namespace mailroom::store::internal
