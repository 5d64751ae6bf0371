// Store::Verify: the walk over the store, mailbox records and names, and
// the repairs applied at the end (the design is in verifier.h; the checks
// of a mailbox are in verify_mailbox.cc, the store-wide ones in
// verify_store_wide.cc, the index in verify_index.cc).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "store/internal/names.h"
#include "store/internal/password.h"
#include "store/internal/verifier.h"

namespace mailroom::store::internal {
absl::StatusOr<VerifyReport> StoreImpl::Verify(
    std::string_view user, bool repair,
    const std::function<void(uint64_t, uint64_t)>& progress) {
  std::string owner;
  if (!user.empty()) {
    MR_ASSIGN_OR_RETURN(owner, CanonicalUser(user));
    MR_ASSIGN_OR_RETURN(std::optional<std::string> account,
                        Get(Space::kUsers, owner));
    bool has_mailboxes = false;
    MR_RETURN_IF_ERROR(ScanPrefix(
        Space::kMailboxNames, MailboxNamePrefix(owner),
        [&](std::string_view, std::string_view) {
          has_mailboxes = true;
          return false;
        }));
    if (!account.has_value() && !has_mailboxes) {
      return absl::NotFoundError(absl::StrCat("no such user: ", owner));
    }
  }
  Verifier verifier(*this, std::move(owner), repair, progress);
  return verifier.Run();
}

absl::StatusOr<VerifyReport> StoreImpl::Verifier::Run() {
  MR_RETURN_IF_ERROR(RetryAborted([&] { return Check(); }));
  if (repair_) ApplyRepairs();
  return std::move(report_);
}

void StoreImpl::Verifier::Problem(std::string user, std::string mailbox,
                                  std::string problem,
                                  std::optional<RepairKey> key, RepairFn fn) {
  report_.problems.push_back(VerifyProblem{std::move(user), std::move(mailbox),
                                           std::move(problem), ""});
  if (key.has_value() && fn != nullptr) repairs_.emplace(*key, std::move(fn));
  problem_repairs_.push_back(fn != nullptr || (key.has_value() &&
                                               repairs_.contains(*key))
                                 ? key
                                 : std::nullopt);
}

void StoreImpl::Verifier::MailboxProblem(MailboxId id, std::string problem,
                                         std::optional<RepairKey> key,
                                         RepairFn fn) {
  const MailboxRecord& record = mailboxes_[id];
  Problem(record.owner, record.name, std::move(problem), std::move(key),
          std::move(fn));
}

absl::Status StoreImpl::Verifier::Check() {
  report_ = VerifyReport();
  problem_repairs_.clear();
  repairs_.clear();
  mailboxes_.clear();
  blobs_.clear();
  refs_.clear();
  usage_.clear();
  index_owners_.clear();
  MR_ASSIGN_OR_RETURN(snapshot_, store_.engine_->Snapshot());
  // A shared engine keeps no old state: a snapshot of everything would be
  // aborted by any commit while verify runs. It reads each mailbox at a
  // snapshot of its own and the rest at the newest state.
  global_ = store_.shared_ ? nullptr : snapshot_.get();

  if (owner_.empty()) {
    MR_RETURN_IF_ERROR(store_.ScanPrefix(
        Space::kUsers, "",
        [&](std::string_view, std::string_view) {
          ++report_.users;
          return true;
        },
        nullptr, global_));
    // Bodies first, so that each message can be checked against them.
    MR_RETURN_IF_ERROR(store_.ScanPrefix(
        Space::kBlobs, "",
        [&](std::string_view key, std::string_view) {
          blobs_.emplace(key);
          return true;
        },
        nullptr, global_));
  } else {
    report_.users = 1;
  }
  MR_RETURN_IF_ERROR(ListMailboxes());
  MR_RETURN_IF_ERROR(CheckNames());
  report_.mailboxes = mailboxes_.size();
  uint64_t done = 0;
  if (progress_) progress_(0, mailboxes_.size());
  for (const auto& [id, record] : mailboxes_) {
    if (!store_.shared_) {
      mailbox_view_ = snapshot_.get();
      MR_RETURN_IF_ERROR(CheckMailbox(id, record));
    } else {
      const size_t problems = report_.problems.size();
      const uint64_t messages = report_.messages;
      MR_RETURN_IF_ERROR(RetryAborted([&]() -> absl::Status {
        report_.problems.resize(problems);
        problem_repairs_.resize(problems);
        report_.messages = messages;
        MR_ASSIGN_OR_RETURN(mailbox_snapshot_, store_.engine_->Snapshot());
        mailbox_view_ = mailbox_snapshot_.get();
        return CheckMailbox(id, record);
      }));
    }
    if (progress_) progress_(++done, mailboxes_.size());
  }
  MR_RETURN_IF_ERROR(CheckQuota());
  MR_RETURN_IF_ERROR(CheckBlobs());
  if (owner_.empty()) MR_RETURN_IF_ERROR(CheckOrphans());
  if (owner_.empty()) MR_RETURN_IF_ERROR(CheckMetadata());
  MR_RETURN_IF_ERROR(CheckSieve());
  return absl::OkStatus();
}

absl::Status StoreImpl::Verifier::ListMailboxes() {
  auto add = [&](MailboxId id, std::string_view value) {
    MailboxRecord record;
    if (!Decode(value, &record)) {
      Problem(owner_, "", absl::StrCat("mailbox record ", id,
                                       " is undecodable"));
      return;
    }
    mailboxes_[id] = std::move(record);
  };
  if (!owner_.empty()) {
    std::vector<MailboxId> ids;
    MR_RETURN_IF_ERROR(store_.ScanPrefix(
        Space::kMailboxNames, MailboxNamePrefix(owner_),
        [&](std::string_view, std::string_view value) {
          if (value.size() == 8) ids.push_back(ReadU64(value));
          return true;
        },
        nullptr, global_));
    for (MailboxId id : ids) {
      MR_ASSIGN_OR_RETURN(std::optional<std::string> value,
                          store_.Get(Space::kMailboxes, MailboxIdKey(id),
                                     nullptr, false, global_));
      if (value.has_value()) add(id, *value);
    }
    return absl::OkStatus();
  }
  return store_.ScanPrefix(
      Space::kMailboxes, "",
      [&](std::string_view key, std::string_view value) {
        if (key.size() != 8) {
          Problem("", "", "malformed mailbox key");
          return true;
        }
        add(ReadU64(key), value);
        return true;
      },
      nullptr, global_);
}

// Every mailbox is reachable by its name, and every name leads to a
// mailbox of that name.
absl::Status StoreImpl::Verifier::CheckNames() {
  for (const auto& [id, record] : mailboxes_) {
    MR_ASSIGN_OR_RETURN(
        std::optional<std::string> named,
        store_.Get(Space::kMailboxNames, MailboxNameKey(record.owner, record.name),
                   nullptr, false, global_));
    if (named.has_value() && named->size() == 8 && ReadU64(*named) == id) {
      continue;
    }
    MailboxId mailbox = id;
    MailboxRecord copy = record;
    Problem(record.owner, record.name,
            absl::StrCat("mailbox ", id, " is not reachable by its name"),
            RepairKey{kFixNames, absl::StrCat("record ", id)},
            [this, mailbox, copy] { return RestoreName(mailbox, copy); });
  }
  return store_.ScanPrefix(
      Space::kMailboxNames, owner_.empty() ? "" : MailboxNamePrefix(owner_),
      [&](std::string_view key, std::string_view value) {
        size_t end = key.find('\0');
        std::string owner(key.substr(0, end));
        std::string name(end == std::string_view::npos ? ""
                                                       : key.substr(end + 1));
        if (value.size() != 8) {
          Problem(owner, name, "undecodable mailbox name entry");
          return true;
        }
        MailboxId id = ReadU64(value);
        auto it = mailboxes_.find(id);
        if (it == mailboxes_.end()) {
          std::string name_key(key);
          Problem(owner, name,
                  absl::StrCat("the name leads to mailbox ", id,
                               ", which does not exist"),
                  RepairKey{kFixNames, absl::StrCat("name ", HexEncode(key))},
                  [this, name_key, id] { return DropDanglingName(name_key, id); });
        } else if (it->second.owner != owner || it->second.name != name) {
          Problem(owner, name,
                  absl::StrCat("the name leads to mailbox ", id, ", which is ",
                               it->second.owner, "/", it->second.name));
        }
        return true;
      },
      nullptr, global_);
}

void StoreImpl::Verifier::ApplyRepairs() {
  // Only repairs a reported problem names (a mailbox read again after
  // kAborted may have registered some that its final reading dropped).
  std::set<RepairKey> wanted;
  for (const auto& key : problem_repairs_) {
    if (key.has_value()) wanted.insert(*key);
  }
  std::map<RepairKey, absl::StatusOr<std::string>> done;
  for (auto& [key, fn] : repairs_) {
    if (wanted.contains(key)) done.emplace(key, fn());
  }
  for (size_t i = 0; i < report_.problems.size(); ++i) {
    if (!problem_repairs_[i].has_value()) continue;
    const absl::StatusOr<std::string>& result = done.at(*problem_repairs_[i]);
    VerifyProblem& problem = report_.problems[i];
    if (result.ok()) {
      problem.repair = result->empty() ? "nothing left to do (fixed meanwhile)"
                                       : *result;
    } else {
      absl::StrAppend(&problem.problem, " (repair failed: ",
                      result.status().ToString(), ")");
    }
  }
}

}  // namespace mailroom::store::internal
