// REPLACE and UID REPLACE (RFC 8508): the new message is appended to the
// target mailbox and the old one expunged from the selected mailbox in one
// store transaction (MailStore::Replace), so no other session ever sees
// both messages or neither. The message is read and checked as APPEND's.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "protocols/imap/response.h"
#include "protocols/imap/session.h"

namespace mailroom::imap {

Task<std::string> Session::HandleReplace(Command& c) {
  if (view_->read_only()) co_return "NO [READ-ONLY] Mailbox is read-only";
  const std::vector<uint32_t> seqs = view_->Select(c.set, c.uid, saved_result_);
  if (seqs.size() != 1) {
    // RFC 8508 section 3.3: a message number that does not exist is a
    // protocol error; a UID that is gone is NO.
    co_return c.uid ? "NO [NONEXISTENT] No such message"
                    : "BAD No such message";
  }
  const store::Uid old_uid = view_->UidAt(seqs[0]);
  absl::StatusOr<std::string> name = DecodeMailbox(c.args[0]);
  if (!name.ok()) co_return "NO [CANNOT] Invalid mailbox name";
  // A CATENATE message is built from its parts first, as for APPEND.
  const std::string catenated = co_await AssembleCatenated(c);
  if (!catenated.empty()) co_return catenated;
  store::AppendRequest request;
  const std::string refused = ToAppendRequest(c.append[0], &request);
  if (!refused.empty()) co_return refused;
  const store::MailboxId id = view_->id();
  absl::StatusOr<store::AppendResult> result =
      co_await plugin::Blocking(conn_, [&] {
        return store_.Replace(principal_, id, old_uid, *name, request);
      });
  if (!result.ok()) {
    if (result.status().code() == absl::StatusCode::kNotFound &&
        absl::StartsWith(result.status().message(),
                         "the message to replace")) {
      // Expunged by another session meanwhile; its EXPUNGE follows.
      changed_->store(true);
      co_return "NO [EXPUNGEISSUED] The message to replace was expunged";
    }
    co_return ResponseForStatus(result.status(), ErrorContext::kTargetMailbox);
  }
  Untagged(absl::StrCat("OK [APPENDUID ", result->uidvalidity, " ",
                        FormatNumberSet(result->uids),
                        "] Replacement Message ID assigned"));
  view_->MarkExpunged({old_uid});
  changed_->store(true);
  co_return "OK REPLACE completed";
}

}  // namespace mailroom::imap
