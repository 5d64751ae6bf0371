// Turns a message's folded text into the Xapian document of index/schema.h,
// and re-labels an existing document for another (mailbox, uid).
//
// Thread-safety: pure functions (Xapian objects passed in are not shared).
#ifndef MAILROOM_INDEX_DOCUMENT_BUILDER_H_
#define MAILROOM_INDEX_DOCUMENT_BUILDER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "index/folded_text.h"
#include "store/types.h"
#include "xapian.h"

namespace mailroom::index {

std::string UniqueIdTerm(store::MailboxId mailbox, store::Uid uid);
std::string MailboxTerm(store::MailboxId mailbox);
// Empty when the id is too long to be a term (then copies re-parse).
std::string BlobTerm(std::string_view blob_id);
// Empty when the name is too long to be a term.
std::string FieldPresentTerm(std::string_view field);
// The term of a sent day (days since the epoch in the Date: header's zone).
std::string SentDayTerm(int64_t day);
// The word prefix of a header field searched on its own, or "" when the
// field only has the any-header prefix.
std::string_view FieldPrefix(std::string_view field);
// The fields FieldPrefix() gives a prefix (lower case).
inline constexpr std::string_view kFieldsWithPrefix[] = {"subject", "from",
                                                         "to", "cc", "bcc"};

// `on_word` sees each word once per prefix it is stored under (the first
// time it is), with that prefix, for the vocabulary.
using OnWord =
    std::function<void(std::string_view word, std::string_view prefix)>;
Xapian::Document BuildDocument(const FoldedText& text,
                               std::string_view blob_id,
                               store::MailboxId mailbox, store::Uid uid,
                               const OnWord& on_word);

// Makes `doc` (read from the database) the document of (mailbox, uid).
void Relabel(Xapian::Document& doc, store::MailboxId mailbox, store::Uid uid);

// The uid kept in a document's value slot.
store::Uid UidFromValue(const std::string& value);

}  // namespace mailroom::index

#endif  // MAILROOM_INDEX_DOCUMENT_BUILDER_H_
