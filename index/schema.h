// The on-disk layout of the full-text index. Everything that names a Xapian
// term prefix, value slot or metadata key lives here.
//
// One Xapian (glass) database per mailbox owner, in <root>/<owner-dir>/ where
// <owner-dir> is the owner name with every byte outside [a-z0-9@_+-] (and a
// leading '.') written as %XX. One Xapian document per message in a mailbox.
//
// IMAP text search is a case-insensitive substring match on decoded text
// (i;unicode-casemap), inside words too. Every field is folded
// (mime::SearchFold) and split into words (index/tokenizer.h); each distinct
// word becomes a boolean term under the field's prefix, and every word ever
// stored is listed once in the database metadata (index/vocabulary.h). A key
// is answered in two parts (index/query_planner.h):
//   sure   a key that is a single word without separators occurs in a field
//          exactly when some word of the field contains it, so the OR of the
//          vocabulary words containing it is the exact answer;
//   maybe  anything else (several words, separators, words cut into pieces
//          because they were longer than kMaxWordBytes: term XL) yields the
//          AND of per-word candidates (prefix, suffix or infix matches from
//          the vocabulary), verified exactly against the folded text kept
//          with each document.
// Words are taken per field value (each header field instance separately).
// No stemming (mail is multilingual), wdf is always 0.
//
// Positions: the word terms of the body, Subject and attachment names carry
// their positions, counted per prefix (PrefixHasPositions); the words of
// other header fields (H, F, T, C, B) are stored without positions, and a
// key of several words there is answered from per-word candidates verified
// against the stored text (those fields are rarely searched for phrases,
// and their words, Received: lines above all, were half of all positions). A
// word is one position after the previous word of the same field value when
// exactly one space separates them, two positions otherwise (any other
// separators, or none: CJK characters, pieces of a long word); each field
// value starts kFieldGap positions on, so no phrase spans two values (an
// any-header line is one value: its name, then two positions on, its
// value, unless the value has a prefix of its own). A phrase query over consecutive positions (window = its number of
// words) thus finds exactly the texts holding the words separated by single
// spaces; a window of 2n-1 bounds any separators (index/query_planner.h).
//
// Machine headers (Received:, Message-ID:, DKIM-Signature:, X-*) keep their
// per-word H terms. Measured on the test corpus (SpamAssassin, 6,046
// messages): H holds ~120 of ~320 terms per message, Received: half of
// them, but only ~7 per message are words no other message has (ids,
// numbers); dropping every header term saved about 17% of Xapian's time
// per message, the unique ones about 5%, while positions (body words) are
// about 45% of it. Without those terms a TEXT key could only stay exact by
// verifying every message holding such a header (nearly all), which makes
// TEXT a scan; so they stay, and indexing cost is cut elsewhere.
//
// Terms
//   Q<mailbox>:<uid>   unique id, one per document (decimal numbers);
//                      replace_document() by this term makes re-applying
//                      index work idempotent. Xapian assigns the docid.
//   XM<mailbox>        boolean: the mailbox the message is in.
//   XB<blob id>        boolean: the stored body; a COPY/MOVE of the same body
//                      copies an existing document instead of parsing again.
//   XF<field>          boolean: the message has header field <field> (lower
//                      case); answers HEADER <field> "" exactly.
//   <word>             body text (decoded text parts, HTML as text), no
//                      prefix. Folded text holds no upper-case ASCII, so it
//                      never collides with a prefix.
//   XL                 boolean: some field holds a word longer than
//                      kMaxWordBytes, stored as pieces.
//   H<word>            any header line: its name, and its decoded value
//                      unless the field has a prefix below (then the value
//                      is stored under that prefix only). TEXT = H, the
//                      field prefixes or body; a TEXT key may span
//                      "name: value", joined by the planner for the fields
//                      below (index/query_planner.cc).
//   S<word>            Subject.
//   F<word>            From, with T To, C Cc, B Bcc: the decoded value,
//                      display names and addresses alike.
//   A<word>            attachment file names.
//   XD<day>            boolean: the Date: header as a day in the zone it was
//                      written in (what SENTBEFORE/SENTON/SENTSINCE compare),
//                      days since the epoch in decimal (negative before 1970).
//                      One term per day, so a date range is the union of the
//                      few thousand day terms' posting lists.
//   XN                 boolean: no usable Date: header (RFC 3501: SENT* keys
//                      compare the internal date instead, which the store
//                      keeps and the index does not).
//
// Value slots
//   0  uid (Xapian::sortable_serialise)
//   1, 2  unused: the Date: header and the message size were kept here
//      until schema 6, but no search read them (sent dates are the XD
//      terms; sizes and internal dates come from the store's search
//      columns, store/internal/search_columns.h)
//   3  the folded body, zlib-compressed from 16 KB on (index/doc_text.h);
//      not sortable
//   4  the folded header fields and attachment names (index/doc_text.h);
//      not sortable
//
// Document data: none. Xapian deflates a document's data (level 6) at
// every write; values it stores as they are.
//
// Metadata
//   v:<10-digit number>  the distinct words of any field first stored by one
//                        Apply(), newline-separated (index/vocabulary.h).
//   mailroom.schema      kSchemaVersion; any other value is refused (kDataLoss:
//                        the store answers by brute force until a reindex).
//   mailroom.incomplete  "1" when the database was recreated after it had been
//                        lost; queries refuse it until the owner is reindexed
//                        (a kRemoveOwner item starts a complete database).
//   mailroom.mark.ID     "MODSEQ UID": how far this node's index has caught
//                        up with mailbox ID's change log (shared stores)
#ifndef MAILROOM_INDEX_SCHEMA_H_
#define MAILROOM_INDEX_SCHEMA_H_

#include <cstddef>
#include <string_view>

namespace mailroom::index {

// "6": no Date: or size value slots; text folded to a stable form
// (mime::SearchFold): a character whose NFKD folds again is stored folded
// ("tm" for U+2122, not "TM").
// "5": positions only under the body, S and A prefixes.
// "4": the values of Subject, From, To, Cc and Bcc under their own prefix
// only, no longer under H as well; headers in a value slot instead of the
// document data; bodies under 16 KB not compressed; the sent-day terms
// XD/XN ("3": word positions and the vocabulary written per batch). Older
// databases are refused and rebuilt from the store's queue.
inline constexpr char kSchemaVersion[] = "6";
inline constexpr char kSchemaKey[] = "mailroom.schema";
inline constexpr char kIncompleteKey[] = "mailroom.incomplete";
// Followed by the mailbox id in decimal: "MODSEQ UID", how far this node's
// index has caught up with the mailbox (store::IndexMark; only on stores
// shared by several nodes).
inline constexpr char kMarkKeyPrefix[] = "mailroom.mark.";

inline constexpr char kPrefixUniqueId[] = "Q";
inline constexpr char kPrefixMailbox[] = "XM";
inline constexpr char kPrefixBlob[] = "XB";
inline constexpr char kPrefixFieldPresent[] = "XF";
inline constexpr char kPrefixBody[] = "";
inline constexpr char kPrefixAnyHeader[] = "H";
inline constexpr char kPrefixSubject[] = "S";
inline constexpr char kPrefixFrom[] = "F";
inline constexpr char kPrefixTo[] = "T";
inline constexpr char kPrefixCc[] = "C";
inline constexpr char kPrefixBcc[] = "B";
inline constexpr char kPrefixAttachment[] = "A";

// Whether the words under `prefix` carry positions (phrases are placed
// there): the body, Subject and attachment names.
inline constexpr bool PrefixHasPositions(std::string_view prefix) {
  return prefix == kPrefixBody || prefix == kPrefixSubject ||
         prefix == kPrefixAttachment;
}

inline constexpr unsigned kSlotUid = 0;
inline constexpr unsigned kSlotBody = 3;
inline constexpr unsigned kSlotHeaders = 4;

// Xapian refuses terms longer than 245 bytes; longer ids are not indexed.
inline constexpr size_t kMaxTermBytes = 240;

// Positions between two field values of one prefix (more than any phrase
// window).
inline constexpr unsigned kFieldGap = 1000;

inline constexpr char kPrefixLongWord[] = "XL";
inline constexpr char kPrefixSentDay[] = "XD";
inline constexpr char kTermUndated[] = "XN";
inline constexpr char kWordChunkKeyPrefix[] = "v:";

}  // namespace mailroom::index

#endif  // MAILROOM_INDEX_SCHEMA_H_
