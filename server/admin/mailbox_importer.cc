#include "server/admin/mailbox_importer.h"

#include <algorithm>

#include "absl/strings/ascii.h"

namespace mailroom::server::admin {

std::optional<std::string> GuessSpecialUse(const std::string& mailbox) {
  static const std::pair<const char*, const char*> kNames[] = {
      {"sent", "Sent"},         {"sent messages", "Sent"},
      {"sent items", "Sent"},   {"sent mail", "Sent"},
      {"drafts", "Drafts"},     {"draft", "Drafts"},
      {"trash", "Trash"},       {"deleted messages", "Trash"},
      {"deleted items", "Trash"}, {"bin", "Trash"},
      {"junk", "Junk"},         {"spam", "Junk"},
      {"junk e-mail", "Junk"},  {"junk mail", "Junk"},
      {"archive", "Archive"},   {"archives", "Archive"},
  };
  const std::string lower = absl::AsciiStrToLower(mailbox);
  for (const auto& [name, use] : kNames) {
    if (lower == name) return std::string(use);
  }
  return std::nullopt;
}

absl::Status MailboxImporter::Prepare(uint32_t uidvalidity) {
  absl::StatusOr<store::MailboxStatus> status =
      store_.GetStatus(who_, mailbox_);
  if (absl::IsNotFound(status.status())) {
    absl::Status created =
        store_.CreateMailbox(who_, mailbox_, GuessSpecialUse(mailbox_));
    if (!created.ok() && !absl::IsAlreadyExists(created)) {
      // The special use may be taken by another mailbox already.
      created = store_.CreateMailbox(who_, mailbox_);
    }
    if (!created.ok() && !absl::IsAlreadyExists(created)) return created;
    status = store_.GetStatus(who_, mailbox_);
  }
  if (!status.ok()) return status.status();
  uidvalidity_ = status->uidvalidity;
  mailbox_id_ = status->id;
  if (uidvalidity != 0) {
    if (status->uidnext == 1) {
      absl::Status set = store_.SetUidValidity(who_, mailbox_, uidvalidity);
      if (!set.ok() && !absl::IsUnimplemented(set)) return set;
      if (set.ok()) {
        uidvalidity_ = uidvalidity;
        keep_uids_ = true;
        return absl::OkStatus();
      }
    } else if (status->uidvalidity == uidvalidity) {
      keep_uids_ = true;
      skip_below_ = status->uidnext;
      return absl::OkStatus();
    }
  }
  if (status->messages > 0) {
    absl::StatusOr<store::MailboxSnapshot> snapshot =
        store_.OpenMailbox(who_, mailbox_);
    if (!snapshot.ok()) return snapshot.status();
    for (const store::MessageMeta& meta : snapshot->messages) {
      present_by_size_.emplace(meta.size, meta.uid);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> MailboxImporter::AlreadyPresent(const std::string& data) {
  auto [begin, end] = present_by_size_.equal_range(data.size());
  for (auto it = begin; it != end; ++it) {
    absl::StatusOr<std::shared_ptr<const std::string>> stored =
        store_.ReadMessage(who_, mailbox_id_, it->second);
    if (absl::IsNotFound(stored.status())) continue;
    if (!stored.ok()) return stored.status();
    if (**stored == data) {
      present_by_size_.erase(it);
      return true;
    }
  }
  return false;
}

void MailboxImporter::ReserveUidsBelow(store::Uid next_uid) {
  if (next_uid > 0) last_uid_ = std::max(last_uid_, next_uid - 1);
}

absl::Status MailboxImporter::Add(std::string data, const store::Flags& flags,
                                  std::optional<int64_t> internal_date,
                                  std::optional<store::Uid> source_uid) {
  std::optional<store::Uid> uid;
  if (keep_uids_) {
    uid = source_uid.has_value() && *source_uid > last_uid_ ? *source_uid
                                                            : last_uid_ + 1;
    last_uid_ = *uid;
    if (*uid < skip_below_) {
      ++skipped_;
      return absl::OkStatus();
    }
  } else if (!present_by_size_.empty()) {
    absl::StatusOr<bool> present = AlreadyPresent(data);
    if (!present.ok()) return present.status();
    if (*present) {
      ++skipped_;
      return absl::OkStatus();
    }
  }
  batch_bytes_ += data.size();
  data_.push_back(std::move(data));
  store::AppendRequest request;
  request.flags = flags;
  request.internal_date = internal_date;
  request.uid = uid;
  batch_.push_back(std::move(request));
  if (batch_.size() >= kBatchMessages || batch_bytes_ >= kBatchBytes) {
    return Flush();
  }
  return absl::OkStatus();
}

absl::Status MailboxImporter::Flush() {
  if (batch_.empty()) return absl::OkStatus();
  // The views point into data_, which no longer grows in this batch.
  for (size_t i = 0; i < batch_.size(); ++i) batch_[i].data = data_[i];
  absl::StatusOr<store::AppendResult> result =
      store_.Append(who_, mailbox_, batch_);
  if (!result.ok()) return result.status();
  imported_ += batch_.size();
  batch_.clear();
  data_.clear();
  batch_bytes_ = 0;
  return absl::OkStatus();
}

}  // namespace mailroom::server::admin
