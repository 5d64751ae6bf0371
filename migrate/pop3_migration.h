// Copies a POP3 maildrop into the local INBOX, each message once (keyed by
// its UIDL; reruns add nothing). With delete_after_verify, deletes on the
// source (DELE, then QUIT) exactly the messages whose stored copy is
// verified: a message in INBOX whose blob id (SHA-256 of the stored bytes)
// equals the hash of what was retrieved.
#ifndef MAILROOM_MIGRATE_POP3_MIGRATION_H_
#define MAILROOM_MIGRATE_POP3_MIGRATION_H_

#include "absl/status/statusor.h"
#include "migrate/migration.h"
#include "store/store.h"

namespace mailroom::migrate {

absl::StatusOr<MigrationReport> MigratePop3(store::Store& store,
                                            const store::Principal& who,
                                            const MigrationOptions& options);

}  // namespace mailroom::migrate

#endif  // MAILROOM_MIGRATE_POP3_MIGRATION_H_
