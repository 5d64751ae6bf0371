// Sieve scripts on disk in Dovecot's (Pigeonhole's) layout, beside a user's
// mail: a directory `sieve/` of NAME.sieve files, and `.dovecot.sieve`, a
// symbolic link to the active one (sieve/NAME.sieve). Read by "import
// maildir" (a migration from Dovecot), written by "export --format=maildir",
// so an export imports back with its scripts.
//
// Thread-safety: pure functions over the file system.
#ifndef MAILROOM_MAILIO_DOVECOT_SIEVE_H_
#define MAILROOM_MAILIO_DOVECOT_SIEVE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace mailroom::mailio {

struct SieveFile {
  std::string name;  // the file name without ".sieve"
  std::string source;
};

struct SieveScripts {
  std::vector<SieveFile> scripts;  // by name
  std::string active;              // "" when none is active
  std::vector<std::string> warnings;  // files skipped, and why
};

// Scripts larger than this are skipped with a warning (no store keeps
// them).
inline constexpr uint64_t kMaxSieveFileBytes = 1 << 20;

// The scripts of the account whose Maildir is `maildir`: the layout in
// `maildir` itself or, when `maildir` is a home's "Maildir" folder, in that
// home (Dovecot's default: ~/sieve, ~/.dovecot.sieve, ~/Maildir).
// std::nullopt when neither place has a `sieve/` directory or a
// `.dovecot.sieve`. A `.dovecot.sieve` that is a plain file (no script
// directory in use) becomes the active script "dovecot".
absl::StatusOr<std::optional<SieveScripts>> ReadDovecotSieve(
    const std::string& maildir);

// Writes `scripts` into `root` in the same layout (files 0600, directory
// 0700). kInvalidArgument for a name a file cannot carry.
absl::Status WriteDovecotSieve(const std::string& root,
                               const SieveScripts& scripts);

}  // namespace mailroom::mailio

#endif  // MAILROOM_MAILIO_DOVECOT_SIEVE_H_
