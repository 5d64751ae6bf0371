// SELECT/EXAMINE's store side: opening a mailbox at a cost that does not
// grow with the mailbox when another session of this process has it open.
#ifndef MAILROOM_PROTOCOLS_IMAP_MAILBOX_OPEN_H_
#define MAILROOM_PROTOCOLS_IMAP_MAILBOX_OPEN_H_

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "protocols/imap/mailbox_view.h"
#include "store/store.h"

namespace mailroom::imap {

// Opens `name` for a session of `who`: status and rights from the store
// (OpenMailboxHeader), the messages from the version other sessions share
// (SharedVersions) brought up to date with ChangesSince, or, when this
// process holds none, from the store's table (OpenMailboxTable), published
// for the next.
// Errors are the store's. Blocks on the store: call from a worker.
absl::StatusOr<MailboxView> OpenMailboxView(store::MailStore& store,
                                            const store::Principal& who,
                                            std::string_view name);

// Fills in what a MailboxView does not keep (dates, size, ids) for each of
// `metas` from the store, keeping their UID, flags and modseq. Messages
// expunged meanwhile keep zeros there. Blocks: call from a worker.
absl::Status LoadMessageDetails(store::MailStore& store,
                                const store::Principal& who,
                                store::MailboxId mailbox,
                                std::vector<store::MessageMeta*> metas);

}  // namespace mailroom::imap

#endif  // MAILROOM_PROTOCOLS_IMAP_MAILBOX_OPEN_H_
