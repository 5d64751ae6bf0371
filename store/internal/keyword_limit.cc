// The bound on distinct keywords per mailbox (StoreOptions::
// max_keywords_per_mailbox). Every keyword a mailbox is given is noted,
// folded to lower case, in its state record (MailboxState::keywords), which
// every writer already locks, so the check costs no extra read. The list
// only grows; when it is full it is rebuilt once from the messages, so
// keywords no message carries any more stop counting.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "store/internal/store_impl.h"

namespace mailroom::store::internal {
namespace {

// Keywords of `keywords` (folded) that `known` (folded, sorted) lacks.
std::vector<std::string> Unknown(const std::vector<std::string>& known,
                                 const std::vector<std::string>& keywords) {
  std::vector<std::string> fresh;
  for (const std::string& k : keywords) {
    std::string folded = absl::AsciiStrToLower(k);
    if (!std::binary_search(known.begin(), known.end(), folded) &&
        std::find(fresh.begin(), fresh.end(), folded) == fresh.end()) {
      fresh.push_back(std::move(folded));
    }
  }
  return fresh;
}

void Add(std::vector<std::string> fresh, std::vector<std::string>* known) {
  known->insert(known->end(), std::make_move_iterator(fresh.begin()),
                std::make_move_iterator(fresh.end()));
  std::sort(known->begin(), known->end());
}

}  // namespace

bool StoreImpl::KeywordsFull(const MailboxState& state) const {
  return options_.max_keywords_per_mailbox != 0 &&
         state.keywords.size() >= options_.max_keywords_per_mailbox;
}

absl::Status StoreImpl::RecountKeywords(Txn& txn, MailboxId mailbox,
                                        MailboxState& state) {
  std::vector<std::string> used;
  MR_RETURN_IF_ERROR(ForEachMessage(
      mailbox,
      [&](Uid, MessageRecord record) {
        Add(Unknown(used, record.keywords), &used);
      },
      &txn));
  state.keywords = std::move(used);
  return absl::OkStatus();
}

absl::Status StoreImpl::AdmitKeywords(Txn& txn, MailboxId mailbox,
                                      MailboxState& state,
                                      std::vector<std::string>* keywords,
                                      KeywordOverflow overflow) {
  std::vector<std::string> fresh = Unknown(state.keywords, *keywords);
  if (fresh.empty()) return absl::OkStatus();
  const uint64_t max = options_.max_keywords_per_mailbox;
  if (overflow == KeywordOverflow::kKeep) {
    Add(std::move(fresh), &state.keywords);
    return absl::OkStatus();
  }
  if (max != 0 && state.keywords.size() + fresh.size() > max) {
    MR_RETURN_IF_ERROR(RecountKeywords(txn, mailbox, state));
    fresh = Unknown(state.keywords, *keywords);
  }
  if (max == 0 || state.keywords.size() + fresh.size() <= max) {
    Add(std::move(fresh), &state.keywords);
    return absl::OkStatus();
  }
  if (overflow == KeywordOverflow::kRefuse) {
    return absl::ResourceExhaustedError(
        absl::StrCat("Too many keywords in this mailbox (at most ", max, ")"));
  }
  // Keep the known ones and as many new ones as still fit.
  size_t room = max > state.keywords.size() ? max - state.keywords.size() : 0;
  std::vector<std::string> admitted;
  std::vector<std::string> kept;
  for (std::string& k : *keywords) {
    std::string folded = absl::AsciiStrToLower(k);
    if (std::binary_search(state.keywords.begin(), state.keywords.end(),
                           folded)) {
      kept.push_back(std::move(k));
    } else if (room > 0 && std::find(admitted.begin(), admitted.end(),
                                     folded) == admitted.end()) {
      --room;
      admitted.push_back(std::move(folded));
      kept.push_back(std::move(k));
    }
  }
  Add(std::move(admitted), &state.keywords);
  *keywords = std::move(kept);
  return absl::OkStatus();
}

}  // namespace mailroom::store::internal
