// Helpers shared by the index tests: an in-memory blob store and builders of
// index work items and search keys.
#ifndef MAILROOM_TESTS_INDEX_INDEX_TEST_UTIL_H_
#define MAILROOM_TESTS_INDEX_INDEX_TEST_UTIL_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/search_key.h"
#include "store/text_index.h"

namespace mailroom::index::testing {

// Bodies by blob id; counts loads so tests can see reuse.
class BlobStore {
 public:
  // `structure` (may be null) is handed over with the body, as the store
  // hands over the structure it parsed at append.
  void Put(const std::string& id, std::string raw,
           std::shared_ptr<const std::string> structure = nullptr) {
    blobs_[id] = std::make_shared<const std::string>(std::move(raw));
    structures_[id] = std::move(structure);
  }
  const std::string& Get(const std::string& id) const { return *blobs_.at(id); }
  int loads() const { return loads_.load(); }
  // The loader Apply() takes; fails with kUnavailable on `fail_on` (for
  // crash tests) and kNotFound for unknown ids.
  store::LoadStoredBody Loader(std::string fail_on = "") {
    return [this, fail_on](
               const std::string& id) -> absl::StatusOr<store::StoredBody> {
      ++loads_;
      if (id == fail_on) return absl::UnavailableError("injected failure");
      auto it = blobs_.find(id);
      if (it == blobs_.end()) return absl::NotFoundError("no such blob");
      return store::StoredBody(it->second, structures_.at(id));
    };
  }

 private:
  std::map<std::string, std::shared_ptr<const std::string>> blobs_;
  std::map<std::string, std::shared_ptr<const std::string>> structures_;
  std::atomic<int> loads_{0};
};

inline store::IndexWork AddWork(const std::string& owner,
                                store::MailboxId mailbox, store::Uid uid,
                                const std::string& blob) {
  store::IndexWork work;
  work.op = store::IndexWork::kAdd;
  work.owner = owner;
  work.mailbox = mailbox;
  work.uid = uid;
  work.blob_id = blob;
  return work;
}

inline store::IndexWork RemoveWork(const std::string& owner,
                                   store::MailboxId mailbox, store::Uid uid) {
  store::IndexWork work;
  work.op = store::IndexWork::kRemove;
  work.owner = owner;
  work.mailbox = mailbox;
  work.uid = uid;
  return work;
}

inline store::IndexWork RemoveMailboxWork(const std::string& owner,
                                          store::MailboxId mailbox) {
  store::IndexWork work;
  work.op = store::IndexWork::kRemoveMailbox;
  work.owner = owner;
  work.mailbox = mailbox;
  return work;
}

inline store::IndexWork RemoveOwnerWork(const std::string& owner) {
  store::IndexWork work;
  work.op = store::IndexWork::kRemoveOwner;
  work.owner = owner;
  return work;
}

inline store::SearchKey TextKey(store::SearchKey::Kind kind,
                                const std::string& value,
                                const std::string& field = "") {
  store::SearchKey key;
  key.kind = kind;
  key.value = value;
  key.field = field;
  return key;
}

inline store::SearchKey Body(const std::string& value) {
  return TextKey(store::SearchKey::Kind::kBody, value);
}
inline store::SearchKey Text(const std::string& value) {
  return TextKey(store::SearchKey::Kind::kText, value);
}
inline store::SearchKey Header(const std::string& field,
                               const std::string& value) {
  return TextKey(store::SearchKey::Kind::kHeader, value, field);
}

inline store::SearchKey Tree(store::SearchKey::Kind kind,
                             std::vector<store::SearchKey> children) {
  store::SearchKey key;
  key.kind = kind;
  key.children = std::move(children);
  return key;
}

}  // namespace mailroom::index::testing

#endif  // MAILROOM_TESTS_INDEX_INDEX_TEST_UTIL_H_
