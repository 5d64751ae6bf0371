// A parsed IMAP command: the tag, the command name and its arguments, as
// plain values. Mailbox names are kept as sent (modified UTF-7 or UTF-8);
// the session decodes them, since that depends on what the client enabled.
//
// Thread-safety: plain values.
#ifndef MAILROOM_PROTOCOLS_IMAP_COMMAND_H_
#define MAILROOM_PROTOCOLS_IMAP_COMMAND_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocols/imap/search_parser.h"
#include "protocols/imap/sequence_set.h"
#include "protocols/imap/sort_thread.h"
#include "store/types.h"

namespace mailroom::imap {

enum class CommandName {
  kCapability, kNoop, kLogout, kStartTls, kAuthenticate, kLogin, kEnable,
  kId, kSelect, kExamine, kCreate, kDelete, kRename, kSubscribe, kUnsubscribe,
  kList, kLsub, kNamespace, kStatus, kAppend, kIdle, kCheck, kClose,
  kUnselect, kExpunge, kSearch, kFetch, kStore, kCopy, kMove, kGetAcl,
  kSetAcl, kDeleteAcl, kListRights, kMyRights, kGetQuota, kGetQuotaRoot,
  kSort, kThread, kNotify, kSetQuota,
  kCompress, kUnauthenticate, kReplace, kGetMetadata, kSetMetadata,
  kCancelUpdate,
};

struct QresyncParams {
  uint32_t uidvalidity = 0;
  store::ModSeq modseq = 0;
  std::optional<SequenceSet> known_uids;
  std::optional<std::pair<SequenceSet, SequenceSet>> seq_match;  // seq, uid
};

struct SelectArgs {
  bool condstore = false;
  std::optional<QresyncParams> qresync;
};

struct ListArgs {
  bool extended = false;  // any LIST-EXTENDED syntax was used
  bool select_subscribed = false;
  bool select_remote = false;
  bool select_recursive = false;
  bool select_special_use = false;
  std::string reference;
  std::vector<std::string> patterns;
  bool return_subscribed = false;
  bool return_children = false;
  bool return_special_use = false;
  std::optional<std::vector<std::string>> return_status;  // upper case
};

// One part of a CATENATE message (RFC 4469): a literal's bytes or a URL.
struct CatenatePart {
  bool url = false;
  std::string text;  // the literal's bytes, or the URL as sent
};

struct AppendMessage {
  std::vector<std::string> flags;
  std::optional<int64_t> internal_date;  // seconds since the epoch
  int32_t tz_minutes = 0;
  std::string data;
  bool binary = false;  // sent as literal8
  // CATENATE: the parts to join into `data` (empty for a plain literal).
  std::vector<CatenatePart> catenate;
};

struct FetchAttr {
  enum class Kind {
    kEnvelope, kFlags, kInternalDate, kSaveDate, kRfc822, kRfc822Header, kRfc822Size,
    kRfc822Text, kBody, kBodyStructure, kUid, kSection, kBinary, kBinarySize,
    kModSeq, kEmailId, kThreadId, kPreview,
  };
  enum class Text { kAll, kHeader, kHeaderFields, kHeaderFieldsNot, kText,
                    kMime };
  Kind kind = Kind::kFlags;
  bool peek = false;
  std::vector<uint32_t> part;  // section-part numbers
  Text text = Text::kAll;
  std::vector<std::string> fields;  // HEADER.FIELDS names as sent
  std::optional<std::pair<uint64_t, uint64_t>> partial;  // offset, length
  // The item's name in the response, e.g. "BODY[1.HEADER]" (without the
  // partial's length; "<offset>" is added when partial).
  std::string ResponseName() const;
};

struct FetchArgs {
  SequenceSet set;
  std::vector<FetchAttr> attrs;
  std::optional<store::ModSeq> changed_since;
  bool vanished = false;
};

struct StoreArgs {
  SequenceSet set;
  std::optional<store::ModSeq> unchanged_since;
  store::FlagOp op = store::FlagOp::kAdd;
  bool silent = false;
  std::vector<std::string> flags;
};

struct SearchArgs {
  bool esearch = false;  // RETURN (...) was given
  // MIN MAX ALL COUNT SAVE PARTIAL, upper case; UPDATE and CONTEXT are
  // taken out into the fields below.
  std::vector<std::string> returns;
  bool update = false;  // UPDATE: keep the result live (RFC 5267 section 4.3)
  // PARTIAL first:last (RFC 5267 section 4.4), 1-based positions.
  std::optional<std::pair<uint32_t, uint32_t>> partial;
  std::optional<std::string> charset;
  ImapSearchKey key;
};

// SORT and THREAD (RFC 5256); their charset and criteria are in `search`.
struct SortThreadArgs {
  std::vector<SortCriterion> criteria;  // SORT
  enum class Algorithm { kOrderedSubject, kReferences };
  Algorithm algorithm = Algorithm::kReferences;  // THREAD
};

// NOTIFY (RFC 5465). Events the server does not support are collected in
// `unsupported_events` (the handler answers NO [BADEVENT]); rule violations
// the RFC answers with BAD are parse errors.
struct NotifyEvents {
  bool message_new = false;
  bool message_expunge = false;
  bool flag_change = false;
  bool mailbox_name = false;
  bool subscription_change = false;
  bool mailbox_metadata = false;  // MailboxMetadataChange (RFC 5464)
  bool server_metadata = false;   // ServerMetadataChange
  std::vector<FetchAttr> fetch_attrs;  // MessageNew (...), selected only
  bool message_events() const { return message_new || flag_change; }
  bool any() const {
    return message_new || flag_change || mailbox_name || subscription_change ||
           mailbox_metadata || server_metadata;
  }
};

struct NotifyGroup {
  enum class Filter {
    kSelected, kSelectedDelayed, kPersonal, kInboxes, kSubscribed, kSubtree,
    kMailboxes,
  };
  Filter filter = Filter::kSelected;
  std::vector<std::string> mailboxes;  // kSubtree, kMailboxes: as sent
  NotifyEvents events;
  bool selected() const {
    return filter == Filter::kSelected || filter == Filter::kSelectedDelayed;
  }
};

struct NotifyArgs {
  bool none = false;    // NOTIFY NONE
  bool status = false;  // NOTIFY SET STATUS
  std::vector<NotifyGroup> groups;
  std::vector<std::string> unsupported_events;
};

// SETQUOTA (RFC 9208): resource names upper case, limits as sent.
struct SetQuotaArgs {
  std::vector<std::pair<std::string, uint64_t>> resources;
};

// GETMETADATA and SETMETADATA (RFC 5464); the mailbox is args[0].
struct MetadataArgs {
  std::optional<uint64_t> max_size;  // GETMETADATA (MAXSIZE n)
  store::MetadataDepth depth = store::MetadataDepth::kZero;  // (DEPTH d)
  std::vector<std::string> entries;           // GETMETADATA, as sent
  std::vector<store::MetadataEntry> values;   // SETMETADATA, as sent
};

struct Command {
  std::string tag;
  CommandName name = CommandName::kNoop;
  bool uid = false;  // UID FETCH/STORE/SEARCH/SORT/THREAD/COPY/MOVE/EXPUNGE/REPLACE

  // Positional string arguments: mailbox names, user and password, ACL
  // identifier and rights, SASL mechanism, quota root, STATUS mailbox...
  std::vector<std::string> args;  // ...and CANCELUPDATE's tags
  std::vector<std::string> atoms;  // ENABLE capabilities, STATUS items
  std::optional<std::string> initial_response;  // AUTHENTICATE (SASL-IR)
  std::optional<std::string> special_use;       // CREATE ... USE (\Sent)
  std::optional<std::vector<std::pair<std::string, std::optional<std::string>>>>
      id_params;  // ID; nullopt for NIL

  SequenceSet set;  // COPY, MOVE, UID EXPUNGE, REPLACE (one number)
  SelectArgs select;
  ListArgs list;
  std::vector<AppendMessage> append;
  SearchArgs search;
  SortThreadArgs sort_thread;
  FetchArgs fetch;
  StoreArgs store;
  NotifyArgs notify;
  SetQuotaArgs set_quota;
  MetadataArgs metadata;
};

}  // namespace mailroom::imap

#endif  // MAILROOM_PROTOCOLS_IMAP_COMMAND_H_
