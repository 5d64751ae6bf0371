// The bound on distinct keywords per mailbox (StoreOptions::
// max_keywords_per_mailbox). Every keyword a mailbox is given is noted,
// folded to lower case, in the mailbox's keyword list. The list has its own
// key beside the state record (keys.h), written under the state key's lock,
// and the state record holds only its length: a write that brings no
// keyword neither reads nor rewrites the list, and one that does reads it
// once (and writes it only when a keyword is new). States of older stores
// hold the list inline; it moves to its own key on their next write.
//
// The list only grows; when it is full it is rebuilt once from the
// messages, so keywords no message carries any more stop counting. A
// keyword set only as someone's private flag (RFC 5257-style private
// keywords, private_flags.h) counts like a shared one: admission sees it
// before it is split off, and the rebuild reads the private rows too, so a
// rebuild never forgets a keyword a message still shows to someone.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "store/internal/keys.h"
#include "store/internal/records.h"
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

// Adds `fresh` to the mailbox's list, for PutState to write.
void Note(std::vector<std::string> fresh, MailboxState& state) {
  if (fresh.empty()) return;
  Add(std::move(fresh), &state.keywords);
  state.keyword_count = static_cast<uint32_t>(state.keywords.size());
  state.keywords_dirty = true;
}

}  // namespace

bool StoreImpl::KeywordsFull(const MailboxState& state) const {
  return options_.max_keywords_per_mailbox != 0 &&
         state.keyword_count >= options_.max_keywords_per_mailbox;
}

absl::Status StoreImpl::LoadKeywords(Txn& txn, MailboxId mailbox,
                                     MailboxState& state) {
  if (state.keywords_loaded) return absl::OkStatus();
  MR_ASSIGN_OR_RETURN(
      std::optional<std::string> stored,
      Get(Space::kMailboxState, MailboxKeywordsKey(mailbox), &txn));
  state.keywords.clear();
  if (stored.has_value() && !DecodeStringList(*stored, &state.keywords)) {
    return absl::DataLossError(
        absl::StrCat("undecodable keyword list of mailbox ", mailbox));
  }
  state.keywords_loaded = true;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> StoreImpl::KeywordsInUse(
    MailboxId mailbox, Txn* txn, engine::Reader* snapshot) {
  std::vector<std::string> used;
  MR_RETURN_IF_ERROR(ForEachMessage(
      mailbox,
      [&](Uid, MessageRecord record) {
        Add(Unknown(used, record.keywords), &used);
      },
      txn, snapshot));
  absl::Status rows_status;
  MR_RETURN_IF_ERROR(ScanPrefix(
      Space::kSeen, SeenPrefix(kSeenRowTag, mailbox),
      [&](std::string_view, std::string_view value) {
        SeenRow row;
        if (!Decode(value, &row)) {
          rows_status = absl::DataLossError("undecodable private flags row");
          return false;
        }
        Add(Unknown(used, row.keywords), &used);
        return true;
      },
      txn, snapshot));
  MR_RETURN_IF_ERROR(rows_status);
  return used;
}

absl::Status StoreImpl::RecountKeywords(Txn& txn, MailboxId mailbox,
                                        MailboxState& state) {
  MR_ASSIGN_OR_RETURN(state.keywords, KeywordsInUse(mailbox, &txn, nullptr));
  state.keyword_count = static_cast<uint32_t>(state.keywords.size());
  state.keywords_loaded = true;
  state.keywords_dirty = true;
  return absl::OkStatus();
}

absl::Status StoreImpl::AdmitKeywords(Txn& txn, MailboxId mailbox,
                                      MailboxState& state,
                                      std::vector<std::string>* keywords,
                                      KeywordOverflow overflow) {
  if (keywords->empty()) return absl::OkStatus();
  MR_RETURN_IF_ERROR(LoadKeywords(txn, mailbox, state));
  std::vector<std::string> fresh = Unknown(state.keywords, *keywords);
  if (fresh.empty()) return absl::OkStatus();
  const uint64_t max = options_.max_keywords_per_mailbox;
  if (overflow == KeywordOverflow::kKeep) {
    Note(std::move(fresh), state);
    return absl::OkStatus();
  }
  if (max != 0 && state.keywords.size() + fresh.size() > max) {
    MR_RETURN_IF_ERROR(RecountKeywords(txn, mailbox, state));
    fresh = Unknown(state.keywords, *keywords);
  }
  if (max == 0 || state.keywords.size() + fresh.size() <= max) {
    Note(std::move(fresh), state);
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
  Note(std::move(admitted), state);
  *keywords = std::move(kept);
  return absl::OkStatus();
}

}  // namespace mailroom::store::internal
