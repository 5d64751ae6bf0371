// Copies an IMAP account into a Mailroom account, and keeps it in step on
// later runs: folders, subscriptions, special-use, flags, keywords,
// internal dates and bodies. A folder that is new here gets the source's
// UIDVALIDITY and every message its source UID, so clients synced with the
// old server find the very same mailbox. Later runs copy only new mail,
// reflect flag changes and expunges, and never duplicate: see state_file.h
// for how an interrupted run resumes.
#ifndef MAILROOM_MIGRATE_IMAP_MIGRATION_H_
#define MAILROOM_MIGRATE_IMAP_MIGRATION_H_

#include "absl/status/statusor.h"
#include "migrate/migration.h"
#include "store/store.h"

namespace mailroom::migrate {

// `who` acts in the local account (an admin principal: keeping UIDs needs
// one). Per-folder failures are in the report; an error means the run
// stopped (connection lost, login refused, cancelled).
absl::StatusOr<MigrationReport> MigrateImap(store::Store& store,
                                            const store::Principal& who,
                                            const MigrationOptions& options);

}  // namespace mailroom::migrate

#endif  // MAILROOM_MIGRATE_IMAP_MIGRATION_H_
