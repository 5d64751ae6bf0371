// What every migration (IMAP, POP3) takes and reports.
#ifndef MAILROOM_MIGRATE_MIGRATION_H_
#define MAILROOM_MIGRATE_MIGRATION_H_

#include <cstdint>
#include <functional>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "migrate/connection.h"
#include "nlohmann/json.hpp"

namespace mailroom::migrate {

struct MigrationOptions {
  Endpoint endpoint;
  std::string remote_user;
  std::string remote_password;
  std::string local_user;
  std::string state_dir;   // DATA_DIR/migrate: the per-account state files
  bool dry_run = false;    // report what would be done, write nothing
  bool delete_after_verify = false;  // POP3: DELE what is verified stored
  size_t batch_messages = 500;       // messages per FETCH and per store txn
  size_t batch_bytes = 32 << 20;
  // (label, done, total); may be empty.
  std::function<void(absl::string_view, uint64_t, uint64_t)> progress;
  // True when the run must stop at the next safe point; may be empty.
  std::function<bool()> cancelled;
};

struct FolderReport {
  std::string source;
  std::string local;
  uint64_t copied = 0;         // messages appended (or, dry run, to append)
  uint64_t bytes = 0;          // their size
  uint64_t present = 0;        // already there from an earlier run
  uint64_t flags_updated = 0;
  uint64_t expunged = 0;       // gone from the source, removed here
  uint64_t failed = 0;
  uint64_t deleted_on_source = 0;  // POP3 --delete_after_verify
  bool uids_kept = false;      // local UIDVALIDITY and UIDs equal the source's
  std::vector<std::string> notes;
};

struct MigrationReport {
  std::vector<FolderReport> folders;
  std::vector<std::string> notes;
  uint64_t copied() const;
  uint64_t bytes() const;
  uint64_t failed() const;
  nlohmann::json ToJson() const;
  std::string ToText() const;
};

}  // namespace mailroom::migrate

#endif  // MAILROOM_MIGRATE_MIGRATION_H_
