// Value encodings of the store's records (see keys.h for where each lives).
// Each encoding starts with a one-byte record version so fields can be added;
// Decode* returns false on bytes it does not understand.
//
// Thread-safety: plain values and free functions.
#ifndef MAILROOM_STORE_INTERNAL_RECORDS_H_
#define MAILROOM_STORE_INTERNAL_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/text_index.h"
#include "store/types.h"

namespace mailroom::store::internal {

struct UserRecord {
  std::string salt;
  uint32_t iterations = 0;
  std::string stored_key;
  std::string server_key;
  std::optional<uint64_t> storage_limit_bytes;
  std::optional<uint64_t> message_limit;
};

struct MailboxRecord {
  std::string owner;
  std::string name;  // canonical name within the owner's namespace
  std::optional<std::string> special_use;
  bool noselect = false;
  // Flags and keywords each user keeps for themselves (private_flags.h).
  // Older records hold only a seen mode: kPerUser reads as {\Seen}.
  Flags private_flags;
};

struct MailboxState {
  uint32_t uidvalidity = 0;
  Uid uidnext = 1;
  ModSeq highestmodseq = 0;  // of changes everyone sees
  uint32_t messages = 0;
  uint32_t unseen = 0;  // by the shared \Seen
  uint32_t deleted = 0;
  uint64_t size = 0;
  // The last modseq handed out, including per-user \Seen changes that
  // `highestmodseq` does not show (0 in older records: highestmodseq).
  ModSeq last_modseq = 0;
  // \Recent (RFC 3501 section 2.3.2): messages up to this UID were given to
  // a read-write session already (ClaimRecent). Older records: UIDNEXT - 1,
  // so an upgrade does not make every stored message \Recent.
  Uid recent_claimed = 0;
  // How many keywords the mailbox's keyword list holds (keyword_limit.cc).
  // The list has its own key (MailboxKeywordsKey), read only when a keyword
  // may be new to the mailbox. Older records carry the list inline.
  uint32_t keyword_count = 0;
  // The list, folded to lower case and sorted, once `keywords_loaded`.
  // Neither it nor the two flags are part of the encoded record.
  std::vector<std::string> keywords;
  // Whether `keywords` holds the list (decoding an older record, whose list
  // is inline, sets it; so does a new mailbox).
  bool keywords_loaded = false;
  // Whether PutState must write the list to its key (it changed, or it was
  // read inline from an older record and moves out on this write).
  bool keywords_dirty = false;
};

// A new modseq, above every one handed out in the mailbox.
inline ModSeq NextModSeq(MailboxState& state) {
  state.last_modseq =
      (state.last_modseq > state.highestmodseq ? state.last_modseq
                                               : state.highestmodseq) + 1;
  return state.last_modseq;
}
// A new modseq for a change everyone sees.
inline ModSeq NextSharedModSeq(MailboxState& state) {
  state.highestmodseq = NextModSeq(state);
  return state.highestmodseq;
}

// One user's private flags of one message in a mailbox with private flags
// (private_flags.h); it overrides, for that user only, the shared value of
// each flag it names. Rows written before other flags could be private name
// only \Seen (and are still written that way when that is all they hold).
struct SeenRow {
  bool seen = false;  // the user's \Seen, when system_mask holds kSeen
  ModSeq modseq = 0;  // of the user's last private change of the message
  uint32_t system_mask = kSeen;  // system flags the row overrides
  uint32_t system = 0;  // their values, \Seen excepted (that is `seen`)
  std::vector<std::string> keyword_mask;  // keywords overridden, sorted
  std::vector<std::string> keywords;      // those of them set, sorted
  bool operator==(const SeenRow&) const = default;
};

// One user's view of a mailbox with private flags.
struct SeenUserState {
  // Sum over the user's rows that override \Seen of (row seen) - (shared
  // \Seen bit): the user's UNSEEN is the shared unseen count minus this.
  int64_t delta = 0;
  ModSeq highestmodseq = 0;  // of the user's own private changes
};

struct MessageRecord {
  uint32_t system_flags = 0;
  std::vector<std::string> keywords;  // sorted, unique
  ModSeq modseq = 0;
  int64_t internal_date = 0;
  int32_t internal_tz_minutes = 0;
  uint64_t size = 0;
  std::string hash;  // raw SHA-256 of the body
  // When the message was saved into its mailbox. Absent in older records:
  // the internal date stands in.
  int64_t save_date = 0;
  // Object ids (object_ids.h), raw digests written at append and kept by
  // COPY and MOVE. Empty in older records: the EMAILID is derived from
  // `hash`, and the THREADID is unknown (NIL).
  std::string email_id;
  std::string thread_id;
  // MessageMeta::crlf_size, recorded at append. 0 in older records.
  uint64_t crlf_size = 0;
};

struct ChangeRecord {
  Uid uid = 0;
  bool expunged = false;
};

struct QuotaRecord {
  uint64_t bytes = 0;
  uint64_t messages = 0;
};

std::string Encode(const UserRecord& r);
std::string Encode(const MailboxRecord& r);
std::string Encode(const MailboxState& r);
std::string Encode(const MessageRecord& r);
std::string Encode(const ChangeRecord& r);
std::string Encode(const QuotaRecord& r);
std::string Encode(const SeenRow& r);
std::string Encode(const SeenUserState& r);
std::string Encode(const IndexWork& r);
std::string EncodeStringList(const std::vector<std::string>& list);

bool Decode(std::string_view in, UserRecord* r);
bool Decode(std::string_view in, MailboxRecord* r);
bool Decode(std::string_view in, MailboxState* r);
bool Decode(std::string_view in, MessageRecord* r);
bool Decode(std::string_view in, ChangeRecord* r);
bool Decode(std::string_view in, QuotaRecord* r);
bool Decode(std::string_view in, SeenRow* r);
bool Decode(std::string_view in, SeenUserState* r);
bool Decode(std::string_view in, IndexWork* r);
bool DecodeStringList(std::string_view in, std::vector<std::string>* list);

// An outbound queue row: every field but the id (its key).
std::string Encode(const OutboundMessage& r);
bool Decode(std::string_view in, OutboundMessage* r);

}  // namespace mailroom::store::internal

#endif  // MAILROOM_STORE_INTERNAL_RECORDS_H_
