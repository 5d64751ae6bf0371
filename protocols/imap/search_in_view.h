// Search keys the session answers from its own copy of the mailbox.
//
// The selected mailbox's view (mailbox_view.h) holds every message's UID,
// flags and modseq as the session sees them (private flags included), so
// flag, keyword, MODSEQ and UID keys, and AND/OR/NOT of them, need no store
// read. A search made only of such keys never reaches the store; in a mixed
// search each largest such sub-tree becomes a UID set, which the store
// combines with the text index without reading message records.
//
// Thread-safety: plain functions over a view the caller keeps still.
#ifndef MAILROOM_PROTOCOLS_IMAP_SEARCH_IN_VIEW_H_
#define MAILROOM_PROTOCOLS_IMAP_SEARCH_IN_VIEW_H_

#include <vector>

#include "protocols/imap/mailbox_view.h"
#include "store/search_key.h"
#include "store/types.h"

namespace mailroom::imap {

// True when the view alone decides `key`: ALL, UID sets, system flags,
// keywords, MODSEQ, and AND/OR/NOT of them.
bool AnsweredByView(const store::SearchKey& key);

// The UIDs of the view's messages matching `key`, ascending.
// REQUIRES: AnsweredByView(key).
std::vector<store::Uid> SearchView(const MailboxView& view,
                                   const store::SearchKey& key);

// Replaces each largest sub-tree of `key` that the view decides (other
// than a UID set already) by the UID set of the messages it matches, as
// runs of consecutive messages. A UID between two messages of a run is in
// no message the view holds, so the set means the same to the store.
void ResolveViewKeys(const MailboxView& view, store::SearchKey* key);

}  // namespace mailroom::imap

#endif  // MAILROOM_PROTOCOLS_IMAP_SEARCH_IN_VIEW_H_
