// Many accounts in one run: the users file, and a runner that migrates a
// bounded number of accounts at once and reports on each.
//
// Users file: one account per line, fields separated by blanks:
//   LOCAL_USER  REMOTE_USER  PASSWORD_FILE
// PASSWORD_FILE holds the remote password (its first line); a relative path
// is relative to the users file's directory. Blank lines and lines starting
// with '#' are ignored. Passwords never appear in the users file itself nor
// on any command line.
#ifndef MAILROOM_MIGRATE_ACCOUNTS_H_
#define MAILROOM_MIGRATE_ACCOUNTS_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "migrate/migration.h"
#include "nlohmann/json.hpp"

namespace mailroom::migrate {

struct Account {
  std::string local_user;
  std::string remote_user;
  std::string password;
};

// Reads the users file and every password file it names.
absl::StatusOr<std::vector<Account>> ReadUsersFile(const std::string& path);
// The first line of a password file, without its line end.
absl::StatusOr<std::string> ReadPasswordFile(const std::string& path);

nlohmann::json AccountsToJson(const std::vector<Account>& accounts);
absl::StatusOr<std::vector<Account>> AccountsFromJson(absl::string_view text);

struct AccountResult {
  Account account;
  bool ok = false;
  std::string error;  // why it failed
  MigrationReport report;
};

// Runs `migrate_one` for every account, `parallel` at a time; `progress`
// hears (accounts done, total). Thread-safe callbacks are not required:
// the runner serialises its calls to `progress` and `cancelled`.
std::vector<AccountResult> RunAccounts(
    const std::vector<Account>& accounts, int parallel,
    const std::function<absl::StatusOr<MigrationReport>(const Account&)>&
        migrate_one,
    const std::function<void(uint64_t, uint64_t)>& progress);

}  // namespace mailroom::migrate

#endif  // MAILROOM_MIGRATE_ACCOUNTS_H_
