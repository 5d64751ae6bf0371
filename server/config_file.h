// The daemon's config file: one "key = value" per line, keys named like the
// command-line flags, "#" starts a comment line, blank lines are ignored, a
// value may be wrapped in double quotes. Flags given on the command line
// override the file.
#ifndef MAILROOM_SERVER_CONFIG_FILE_H_
#define MAILROOM_SERVER_CONFIG_FILE_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace mailroom::server {

using ConfigEntries = std::vector<std::pair<std::string, std::string>>;

// Parses the text of a config file. `source` names it in error messages
// ("FILE:LINE: ...").
absl::StatusOr<ConfigEntries> ParseConfig(std::string_view text,
                                          std::string_view source);
absl::StatusOr<ConfigEntries> ReadConfigFile(const std::string& path);

// Finds the value of --config in argv ("--config=F", "--config F",
// "-config=F"); empty when absent.
std::string FindConfigFlag(int argc, char** argv);

}  // namespace mailroom::server

#endif  // MAILROOM_SERVER_CONFIG_FILE_H_
