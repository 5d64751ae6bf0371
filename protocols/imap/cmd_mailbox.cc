// SELECT/EXAMINE (with CONDSTORE and QRESYNC of RFC 7162), CREATE (with USE
// of RFC 6154), DELETE, RENAME, SUBSCRIBE/UNSUBSCRIBE, STATUS, CLOSE and
// UNSELECT.
#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "protocols/imap/mailbox_open.h"
#include "protocols/imap/response.h"
#include "protocols/imap/session.h"
#include "protocols/imap/strings.h"

namespace mailroom::imap {
namespace {

constexpr char kBadName[] = "NO [CANNOT] Invalid mailbox name";

}  // namespace

Task<std::string> Session::HandleSelect(Command& c) {
  const bool examine = c.name == CommandName::kExamine;
  if (c.select.qresync && !qresync_) {
    co_return "BAD QRESYNC must be enabled first";
  }
  if (view_) {
    Deselect();
    Untagged("OK [CLOSED] Previous mailbox closed");
  }
  absl::StatusOr<std::string> name = DecodeMailbox(c.args[0]);
  if (!name.ok()) co_return kBadName;
  if (c.select.condstore) condstore_ = true;

  absl::StatusOr<MailboxView> opened = co_await plugin::Blocking(
      conn_, [&] { return OpenMailboxView(store_, principal_, *name); });
  if (!opened.ok()) co_return ResponseForStatus(opened.status());

  view_.emplace(std::move(*opened));
  if (examine) view_->set_read_only(true);
  state_ = State::kSelected;
  changed_->store(false);
  {
    auto flag = changed_;
    plugin::Connection* conn = &conn_;
    watch_ = store_.WatchChanges(principal_, view_->id(),
                                 [flag, conn](const store::ChangeEvent& e) {
                                   // Annotations are not the view's.
                                   if (e.kind == store::ChangeEvent::kMetadata) {
                                     return;
                                   }
                                   flag->store(true);
                                   conn->Wake();
                                 });
  }

  co_await ClaimRecent();
  if (!view_) co_return "NO [UNAVAILABLE] The mailbox no longer exists";
  const MailboxView& v = *view_;
  SendFlagsAndPermanentFlags();
  Untagged(absl::StrCat(v.count(), " EXISTS"));
  if (!rev2_) {
    Untagged(absl::StrCat(v.recent_count(), " RECENT"));
    if (auto unseen = v.first_unseen()) {
      Untagged(absl::StrCat("OK [UNSEEN ", *unseen, "] First unseen"));
    }
  }
  Untagged(absl::StrCat("OK [UIDVALIDITY ", v.uidvalidity(), "] UIDs valid"));
  Untagged(absl::StrCat("OK [UIDNEXT ", v.uidnext(), "] Predicted next UID"));
  Untagged(absl::StrCat("OK [HIGHESTMODSEQ ", v.highest_modseq(),
                        "] Highest"));
  if (!v.object_id().empty()) {
    Untagged(absl::StrCat("OK [MAILBOXID (", v.object_id(), ")] Ok"));
  }
  if (rev2_) {
    Untagged(absl::StrCat("LIST () \"/\" ", EncodeMailbox(v.name())));
  }

  if (c.select.qresync && c.select.qresync->uidvalidity == v.uidvalidity()) {
    const QresyncParams& q = *c.select.qresync;
    const store::MailboxId id = v.id();
    absl::StatusOr<store::Changes> changes = co_await plugin::Blocking(
        conn_, [&] { return store_.ChangesSince(principal_, id, q.modseq); });
    if (changes.ok()) {
      std::vector<ResolvedRange> known;
      if (q.known_uids) known = q.known_uids->Resolve(view_->max_uid());
      auto is_known = [&](store::Uid uid) {
        return !q.known_uids || RangesContain(known, uid);
      };
      std::vector<uint32_t> vanished;
      if (changes->vanished_complete) {
        for (store::Uid uid : changes->vanished) {
          if (is_known(uid)) vanished.push_back(uid);
        }
      } else if (q.known_uids) {
        // Expunge history is incomplete: every known UID not present now.
        for (const auto& r : known) {
          for (uint64_t u = r.first; u <= r.last && vanished.size() < 1000000;
               ++u) {
            if (!view_->SeqOf(static_cast<uint32_t>(u))) {
              vanished.push_back(static_cast<uint32_t>(u));
            }
          }
        }
      } else {
        // Without known UIDs: everything below UIDNEXT that is gone.
        store::Uid prev = 0;
        for (store::Uid uid : view_->Uids()) {
          for (store::Uid u = prev + 1; u < uid && vanished.size() < 1000000;
               ++u) {
            vanished.push_back(u);
          }
          prev = uid;
        }
      }
      if (!vanished.empty()) {
        Untagged(absl::StrCat("VANISHED (EARLIER) ", FormatNumberSet(vanished)));
      }
      for (const store::MessageMeta& m : changes->changed) {
        if (auto seq = view_->SeqOf(m.uid)) {
          const store::MessageMeta now = view_->MessageAt(*seq);
          Untagged(absl::StrCat(*seq, " FETCH (UID ", m.uid, " FLAGS ",
                                FlagListFor(now), " MODSEQ (", now.modseq,
                                "))"));
        }
      }
    }
  }
  co_return absl::StrCat("OK [", v.read_only() ? "READ-ONLY" : "READ-WRITE",
                         "] ", examine ? "EXAMINE" : "SELECT", " completed");
}

Task<std::string> Session::HandleCreate(Command& c) {
  absl::StatusOr<std::string> name = DecodeMailbox(c.args[0]);
  if (!name.ok() || name->empty()) co_return kBadName;
  // A trailing delimiter only says the client intends to create children.
  while (name->size() > 1 && name->back() == store::kDelimiter) {
    name->pop_back();
  }
  if (*name == "INBOX") co_return "NO [ALREADYEXISTS] INBOX always exists";
  std::optional<std::string> use;
  if (c.special_use) {
    const std::string want = AsciiLower(c.special_use->substr(1));
    for (std::string_view known : store::kSpecialUses) {
      if (AsciiLower(known) == want) use = std::string(known);
    }
    if (!use) co_return "NO [USEATTR] Unsupported special-use attribute";
  }
  // RFC 8474: the new mailbox's MAILBOXID in the tagged OK (left out when
  // the creator may not read the mailbox's status).
  std::string object_id;
  const absl::Status s = co_await plugin::Blocking(conn_, [&] {
    absl::Status created = store_.CreateMailbox(principal_, *name, use);
    if (created.ok()) {
      absl::StatusOr<store::MailboxStatus> st =
          store_.GetStatus(principal_, *name);
      if (st.ok()) object_id = st->object_id;
    }
    return created;
  });
  if (!s.ok()) co_return ResponseForStatus(s);
  if (!object_id.empty()) {
    co_return absl::StrCat("OK [MAILBOXID (", object_id, ")] CREATE completed");
  }
  co_return "OK CREATE completed";
}

Task<std::string> Session::HandleDelete(Command& c) {
  absl::StatusOr<std::string> name = DecodeMailbox(c.args[0]);
  if (!name.ok()) co_return kBadName;
  if (*name == "INBOX") co_return "NO [CANNOT] INBOX cannot be deleted";
  if (view_ && view_->name() == *name) {
    Deselect();
    Untagged("OK [CLOSED] Mailbox closed");
  }
  const absl::Status s = co_await plugin::Blocking(
      conn_, [&] { return store_.DeleteMailbox(principal_, *name); });
  if (!s.ok()) co_return ResponseForStatus(s);
  co_return "OK DELETE completed";
}

Task<std::string> Session::HandleRename(Command& c) {
  absl::StatusOr<std::string> from = DecodeMailbox(c.args[0]);
  absl::StatusOr<std::string> to = DecodeMailbox(c.args[1]);
  if (!from.ok() || !to.ok() || to->empty()) co_return kBadName;
  if (*to == "INBOX") co_return "NO [ALREADYEXISTS] INBOX always exists";
  const absl::Status s = co_await plugin::Blocking(
      conn_, [&] { return store_.RenameMailbox(principal_, *from, *to); });
  if (!s.ok()) co_return ResponseForStatus(s);
  co_return "OK RENAME completed";
}

Task<std::string> Session::HandleSubscribe(Command& c, bool subscribe) {
  absl::StatusOr<std::string> name = DecodeMailbox(c.args[0]);
  if (!name.ok()) co_return kBadName;
  const absl::Status s = co_await plugin::Blocking(conn_, [&] {
    return store_.SetSubscribed(principal_, *name, subscribe);
  });
  if (!s.ok()) co_return ResponseForStatus(s);
  co_return subscribe ? "OK SUBSCRIBE completed" : "OK UNSUBSCRIBE completed";
}

absl::StatusOr<std::string> Session::ValidateStatusItems(
    const std::vector<std::string>& items) const {
  for (const std::string& item : items) {
    if (item != "MESSAGES" && item != "UIDNEXT" && item != "UIDVALIDITY" &&
        item != "UNSEEN" && item != "DELETED" && item != "SIZE" &&
        item != "RECENT" && item != "HIGHESTMODSEQ" &&
        item != "APPENDLIMIT" && item != "MAILBOXID") {
      return absl::InvalidArgumentError(
          absl::StrCat("BAD Unknown STATUS item ", item));
    }
  }
  return std::string();
}

std::string Session::StatusLine(const std::string& name,
                                const store::MailboxStatus& st,
                                const std::vector<std::string>& items) const {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += " ";
    out += item + " ";
    if (item == "MESSAGES") {
      absl::StrAppend(&out, st.messages);
    } else if (item == "UIDNEXT") {
      absl::StrAppend(&out, st.uidnext);
    } else if (item == "UIDVALIDITY") {
      absl::StrAppend(&out, st.uidvalidity);
    } else if (item == "UNSEEN") {
      absl::StrAppend(&out, st.unseen);
    } else if (item == "DELETED") {
      absl::StrAppend(&out, st.deleted);
    } else if (item == "SIZE") {
      absl::StrAppend(&out, st.size);
    } else if (item == "RECENT") {
      absl::StrAppend(&out, st.recent);
    } else if (item == "HIGHESTMODSEQ") {
      absl::StrAppend(&out, st.highestmodseq);
    } else if (item == "APPENDLIMIT") {
      absl::StrAppend(&out, config_.max_literal_bytes);
    } else if (item == "MAILBOXID") {  // RFC 8474
      absl::StrAppend(&out, "(", st.object_id, ")");
    }
  }
  return absl::StrCat("STATUS ", EncodeMailbox(name), " (", out, ")");
}

Task<std::string> Session::HandleStatus(Command& c) {
  absl::StatusOr<std::string> name = DecodeMailbox(c.args[0]);
  if (!name.ok()) co_return kBadName;
  absl::StatusOr<std::string> valid = ValidateStatusItems(c.atoms);
  if (!valid.ok()) co_return std::string(valid.status().message());
  for (const auto& item : c.atoms) {
    if (item == "HIGHESTMODSEQ") EnableCondstore();
  }
  absl::StatusOr<store::MailboxStatus> st = co_await plugin::Blocking(
      conn_, [&] { return store_.GetStatus(principal_, *name); });
  if (!st.ok()) co_return ResponseForStatus(st.status());
  Untagged(StatusLine(*name, *st, c.atoms));
  co_return "OK STATUS completed";
}

Task<std::string> Session::HandleClose(Command& c, bool expunge) {
  if (expunge && view_ && !view_->read_only()) {
    const store::MailboxId id = view_->id();
    store::ExpungeRequest request;
    request.only_deleted = true;
    absl::StatusOr<std::vector<store::Uid>> gone = co_await plugin::Blocking(
        conn_, [&] { return store_.Expunge(principal_, id, request); });
    if (!gone.ok() &&
        gone.status().code() != absl::StatusCode::kPermissionDenied) {
      co_return ResponseForStatus(gone.status());
    }
  }
  Deselect();
  co_return expunge ? "OK CLOSE completed" : "OK UNSELECT completed";
}

}  // namespace mailroom::imap
