// STORE (with UNCHANGEDSINCE of RFC 7162), COPY, MOVE (RFC 6851), EXPUNGE
// and UID EXPUNGE (RFC 4315), CHECK.
#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "protocols/imap/response.h"
#include "protocols/imap/session.h"
#include "store/no_space.h"

namespace mailroom::imap {

absl::StatusOr<std::vector<uint32_t>> Session::SelectMessages(
    const SequenceSet& set, bool uid) const {
  if (!uid && !set.saved) {
    for (const SeqRange& r : set.ranges) {
      if (r.first > view_->count() || r.last > view_->count()) {
        return absl::InvalidArgumentError("BAD Invalid message sequence number");
      }
    }
  }
  return view_->Select(set, uid, saved_result_);
}

Task<std::string> Session::HandleCheck(Command& c) {
  co_await PullChanges();
  co_return "OK CHECK completed";
}

Task<std::string> Session::HandleStore(Command& c) {
  if (view_->read_only()) co_return "NO [READ-ONLY] Mailbox is read-only";
  absl::StatusOr<std::vector<uint32_t>> seqs = SelectMessages(c.store.set, c.uid);
  if (!seqs.ok()) co_return std::string(seqs.status().message());
  absl::StatusOr<store::Flags> flags = FlagsFromStrings(c.store.flags);
  if (!flags.ok()) co_return "BAD Invalid flag";
  if (c.store.unchanged_since) EnableCondstore();

  store::StoreFlagsRequest request;
  for (uint32_t seq : *seqs) request.uids.push_back(view_->UidAt(seq));
  request.op = c.store.op;
  request.flags = std::move(*flags);
  request.unchanged_since = c.store.unchanged_since;
  const store::MailboxId id = view_->id();
  absl::StatusOr<store::StoreFlagsResult> result;
  if (!request.uids.empty()) {
    result = co_await plugin::Blocking(
        conn_, [&] { return store_.StoreFlags(principal_, id, request); });
    if (!result.ok()) {
      // The mailbox's keyword bound is reached: \* leaves PERMANENTFLAGS
      // (RFC 3501 section 7.1), said before the tagged NO.
      if (result.status().code() == absl::StatusCode::kResourceExhausted &&
          !store::IsNoSpace(result.status()) && !view_->keywords_full()) {
        view_->set_keywords_full();
        SendFlagsAndPermanentFlags();
      }
      co_return ResponseForStatus(result.status());
    }
  } else {
    result = store::StoreFlagsResult();
  }
  std::set<store::Uid> changed;
  bool new_keywords = false;
  for (const store::MessageMeta& m : result->changed) {
    view_->UpdateMessage(m);
    changed.insert(m.uid);
    new_keywords = view_->LearnKeywords(m.flags) || new_keywords;
  }
  // Also with .SILENT: the client learns the keyword list (RFC 3501
  // section 7.2.6).
  if (new_keywords) SendFlagsAndPermanentFlags();
  std::set<store::Uid> modified(result->modified.begin(),
                                result->modified.end());
  for (uint32_t seq : *seqs) {
    const store::Uid uid = view_->UidAt(seq);
    if (modified.count(uid)) continue;
    // .SILENT suppresses our own change, but CONDSTORE clients still learn
    // the new modseq of what they changed (RFC 7162 section 3.2).
    if (c.store.silent && !(condstore_ && changed.count(uid))) continue;
    const store::MessageMeta m = view_->MessageAt(seq);
    std::string line = absl::StrCat(seq, " FETCH (");
    if (c.uid) absl::StrAppend(&line, "UID ", m.uid, " ");
    if (!c.store.silent) absl::StrAppend(&line, "FLAGS ", FlagListFor(m));
    if (condstore_) {
      absl::StrAppend(&line, c.store.silent ? "" : " ", "MODSEQ (", m.modseq,
                      ")");
    }
    line += ")";
    Untagged(line);
    if (!co_await MaybeFlush()) co_return "";
  }
  if (!modified.empty()) {
    std::vector<uint32_t> numbers;
    for (store::Uid uid : modified) {
      if (c.uid) {
        numbers.push_back(uid);
      } else if (auto seq = view_->SeqOf(uid)) {
        numbers.push_back(*seq);
      }
    }
    co_return absl::StrCat("OK [MODIFIED ", FormatNumberSet(numbers),
                           "] Conditional STORE failed for some messages");
  }
  co_return "OK STORE completed";
}

Task<std::string> Session::HandleCopy(Command& c, bool move) {
  if (move && view_->read_only()) co_return "NO [READ-ONLY] Mailbox is read-only";
  absl::StatusOr<std::vector<uint32_t>> seqs = SelectMessages(c.set, c.uid);
  if (!seqs.ok()) co_return std::string(seqs.status().message());
  absl::StatusOr<std::string> dest = DecodeMailbox(c.args[0]);
  if (!dest.ok()) co_return "NO [CANNOT] Invalid mailbox name";
  const char* verb = move ? "MOVE" : "COPY";
  if (seqs->empty()) co_return absl::StrCat("OK ", verb, " completed, nothing to do");
  std::vector<store::Uid> uids;
  for (uint32_t seq : *seqs) uids.push_back(view_->UidAt(seq));
  const store::MailboxId id = view_->id();
  absl::StatusOr<store::CopyResult> result = co_await plugin::Blocking(
      conn_, [&] {
        return move ? store_.Move(principal_, id, uids, *dest)
                    : store_.Copy(principal_, id, uids, *dest);
      });
  if (!result.ok()) {
    co_return ResponseForStatus(result.status(), ErrorContext::kTargetMailbox);
  }
  std::string code;
  if (!result->source_uids.empty()) {
    code = absl::StrCat("[COPYUID ", result->dest_uidvalidity, " ",
                        FormatNumberSet(result->source_uids), " ",
                        FormatNumberSet(result->dest_uids), "] ");
  }
  if (view_->name() == *dest) changed_->store(true);
  if (!move) co_return absl::StrCat("OK ", code, "COPY completed");
  // RFC 6851: COPYUID goes in an untagged OK before the expunges.
  if (!code.empty()) Untagged(absl::StrCat("OK ", code, "Moved"));
  view_->MarkExpunged(result->source_uids);
  co_return "OK MOVE completed";
}

Task<std::string> Session::HandleExpunge(Command& c) {
  if (view_->read_only()) co_return "NO [READ-ONLY] Mailbox is read-only";
  store::ExpungeRequest request;
  request.only_deleted = true;
  if (c.uid) {
    std::vector<store::Uid> uids;
    for (uint32_t seq : view_->Select(c.set, true, saved_result_)) {
      uids.push_back(view_->UidAt(seq));
    }
    if (uids.empty()) co_return "OK EXPUNGE completed, nothing to do";
    request.uids = std::move(uids);
  }
  const store::MailboxId id = view_->id();
  absl::StatusOr<std::vector<store::Uid>> gone = co_await plugin::Blocking(
      conn_, [&] { return store_.Expunge(principal_, id, request); });
  if (!gone.ok()) co_return ResponseForStatus(gone.status());
  view_->MarkExpunged(*gone);
  changed_->store(true);
  co_return "OK EXPUNGE completed";
}

}  // namespace mailroom::imap
