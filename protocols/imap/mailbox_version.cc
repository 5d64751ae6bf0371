#include "protocols/imap/mailbox_version.h"

#include <algorithm>


namespace mailroom::imap {

KeywordSets::KeywordSets() { sets_.emplace_back(); }

KeywordSets::KeywordSets(std::vector<std::vector<std::string>> lists)
    : sets_(std::move(lists)) {
  if (sets_.empty()) sets_.emplace_back();
  for (size_t i = 1; i < sets_.size(); ++i) {
    std::string joined;
    for (const std::string& k : sets_[i]) {
      joined += k;
      joined += '\0';
    }
    ids_.try_emplace(std::move(joined), static_cast<uint32_t>(i));
  }
}

uint32_t KeywordSets::Intern(const std::vector<std::string>& keywords) {
  if (keywords.empty()) return 0;
  std::string joined;
  for (const std::string& k : keywords) {
    joined += k;
    joined += '\0';
  }
  auto [it, added] = ids_.try_emplace(std::move(joined),
                                      static_cast<uint32_t>(sets_.size()));
  if (added) sets_.push_back(keywords);
  return it->second;
}

MailboxVersion::Builder::Builder(const KeywordSets* keywords, size_t expected)
    : keywords_(keywords ? std::make_shared<KeywordSets>(*keywords)
                         : std::make_shared<KeywordSets>()) {
  messages_.reserve(expected);
}

void MailboxVersion::Builder::Add(store::Uid uid, const store::Flags& flags,
                                  store::ModSeq modseq) {
  const uint32_t set = keywords_->Intern(flags.keywords);
  messages_.push_back(CompactMessage{
      uid, (flags.system & store::kAllSystemFlags) | (set << 5), modseq});
}

std::shared_ptr<const MailboxVersion> MailboxVersion::Builder::Finish(
    store::ModSeq modseq) {
  std::shared_ptr<MailboxVersion> v(new MailboxVersion());
  v->modseq_ = modseq;
  v->messages_ = std::move(messages_);
  v->messages_.shrink_to_fit();
  v->keywords_ = std::move(keywords_);
  return v;
}

std::shared_ptr<const MailboxVersion> MailboxVersion::FromSnapshot(
    const store::MailboxSnapshot& snapshot) {
  Builder builder(nullptr, snapshot.messages.size());
  for (const store::MessageMeta& m : snapshot.messages) {
    builder.Add(m.uid, m.flags, m.modseq);
  }
  return builder.Finish(snapshot.status.highestmodseq);
}

std::shared_ptr<const MailboxVersion> MailboxVersion::FromTable(
    store::MessageTable table, store::ModSeq modseq) {
  std::shared_ptr<MailboxVersion> v(new MailboxVersion());
  v->modseq_ = modseq;
  v->messages_ = std::move(table.messages);
  v->messages_.shrink_to_fit();
  v->keywords_ =
      std::make_shared<const KeywordSets>(std::move(table.keyword_sets));
  return v;
}

size_t MailboxVersion::LowerBound(store::Uid uid) const {
  return std::lower_bound(messages_.begin(), messages_.end(), uid,
                          [](const CompactMessage& m, store::Uid u) {
                            return m.uid < u;
                          }) -
         messages_.begin();
}

size_t MailboxVersion::MemoryBytes() const {
  size_t bytes = sizeof(*this) + messages_.capacity() * sizeof(CompactMessage);
  for (size_t i = 0; i < keywords_->size(); ++i) {
    for (const std::string& k : keywords_->Get(static_cast<uint32_t>(i))) {
      bytes += sizeof(std::string) + k.capacity();
    }
  }
  return bytes;
}

SharedVersions& SharedVersions::Global() {
  static SharedVersions* const versions = new SharedVersions();
  return *versions;
}

std::shared_ptr<const MailboxVersion> SharedVersions::Find(const Key& key) {
  absl::MutexLock lock(&mu_);
  Trim();
  auto it = versions_.find(key);
  if (it == versions_.end()) return nullptr;
  std::shared_ptr<const MailboxVersion> v = it->second.lock();
  if (!v) {
    versions_.erase(it);
    return nullptr;
  }
  Retain(key, v);
  return v;
}

void SharedVersions::SetRetention(size_t bytes, std::chrono::seconds seconds) {
  absl::MutexLock lock(&mu_);
  retain_budget_ = bytes;
  retain_for_ = seconds;
  Trim();
}

size_t SharedVersions::RetainedBytes() {
  absl::MutexLock lock(&mu_);
  return retained_bytes_;
}

void SharedVersions::Retain(const Key& key,
                            std::shared_ptr<const MailboxVersion> version) {
  if (auto it = retained_index_.find(key); it != retained_index_.end()) {
    retained_bytes_ -= it->second->bytes;
    retained_.erase(it->second);
    retained_index_.erase(it);
  }
  const size_t bytes = version->MemoryBytes();
  if (bytes <= retain_budget_) {
    retained_.push_back(Retained{key, std::move(version), bytes,
                                 std::chrono::steady_clock::now()});
    retained_index_[key] = std::prev(retained_.end());
    retained_bytes_ += bytes;
  }
  Trim();
}

void SharedVersions::Trim() {
  const auto oldest = std::chrono::steady_clock::now() - retain_for_;
  while (!retained_.empty() && (retained_bytes_ > retain_budget_ ||
                                retained_.front().used < oldest)) {
    retained_bytes_ -= retained_.front().bytes;
    retained_index_.erase(retained_.front().key);
    retained_.pop_front();
  }
}

void SharedVersions::Publish(const Key& key,
                             std::shared_ptr<const MailboxVersion> version) {
  absl::MutexLock lock(&mu_);
  std::weak_ptr<const MailboxVersion>& slot = versions_[key];
  std::shared_ptr<const MailboxVersion> held = slot.lock();
  if (!held || held->modseq() <= version->modseq()) {
    slot = version;
    Retain(key, version);
  }
  // Forget mailboxes nobody has open any more.
  for (auto it = versions_.begin(); it != versions_.end();) {
    it = it->second.expired() ? versions_.erase(it) : std::next(it);
  }
}

}  // namespace mailroom::imap
