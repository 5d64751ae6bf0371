// What a migration remembers between runs for one account, kept as one JSON
// file under DATA_DIR/migrate/ and replaced atomically (write a temporary
// file, fsync, rename, fsync the directory).
//
// Per source folder: the source UIDVALIDITY the mapping belongs to, and the
// source UID -> local UID map of every message copied (entries leave the
// map only when the source expunges the message). Before a batch is
// appended, its content hashes are written as `pending`: a crash after the
// append but before the map is saved is repaired on the next run by
// matching local messages at or above `pending_uidnext` by blob id (the
// SHA-256 of the stored bytes), so nothing is copied twice.
// For POP3: the UIDL -> SHA-256 of every message copied, and the same kind
// of pending batch.
#ifndef MAILROOM_MIGRATE_STATE_FILE_H_
#define MAILROOM_MIGRATE_STATE_FILE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mailroom::migrate {

struct PendingBatch {
  uint32_t local_uidnext = 0;  // the local UIDNEXT before the append
  // source key (UID as text, or UIDL) -> hex SHA-256 of its bytes
  std::vector<std::pair<std::string, std::string>> hashes;
};

struct FolderState {
  uint32_t source_uidvalidity = 0;
  std::string local_name;
  // The local mailbox took the source's UIDVALIDITY and UIDs (it was empty
  // when the migration began).
  bool uids_kept = false;
  std::map<uint32_t, uint32_t> uid_map;  // source UID -> local UID
  std::optional<PendingBatch> pending;
};

struct AccountState {
  std::map<std::string, FolderState> folders;  // by source folder name
  std::map<std::string, std::string> pop3_copied;  // UIDL -> hex SHA-256
  std::optional<PendingBatch> pop3_pending;
};

// The state file of one source account migrated into `local_user`. The
// port is not part of the key: the same account reached over another port
// (TLS instead of STARTTLS) is the same source.
std::string StatePath(const std::string& state_dir, const std::string& kind,
                      const std::string& local_user, const std::string& host,
                      const std::string& remote_user);

// An empty state when the file does not exist.
absl::StatusOr<AccountState> LoadState(const std::string& path);
absl::Status SaveState(const std::string& path, const AccountState& state);

std::string HexSha256(absl::string_view data);

// Holds an exclusive lock (flock on "<state path>.lock") while one run
// migrates an account, so that a second run of the same account (another
// mailroomctl, or a rerun while the daemon still finishes a cancelled one)
// cannot copy the same messages at the same time.
class AccountLock {
 public:
  // kFailedPrecondition when another run holds it.
  static absl::StatusOr<std::unique_ptr<AccountLock>> Acquire(
      const std::string& state_path);
  ~AccountLock();

 private:
  explicit AccountLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace mailroom::migrate

#endif  // MAILROOM_MIGRATE_STATE_FILE_H_
