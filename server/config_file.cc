#include "server/config_file.h"

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mailroom::server {

absl::StatusOr<ConfigEntries> ParseConfig(std::string_view text,
                                          std::string_view source) {
  ConfigEntries entries;
  int line_number = 0;
  const absl::string_view all(text.data(), text.size());
  const absl::string_view source_name(source.data(), source.size());
  for (absl::string_view line : absl::StrSplit(all, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          source_name, ":", line_number, ": expected 'key = value'"));
    }
    absl::string_view key = absl::StripAsciiWhitespace(line.substr(0, eq));
    absl::string_view value = absl::StripAsciiWhitespace(line.substr(eq + 1));
    if (key.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source_name, ":", line_number, ": missing key"));
    }
    for (char c : key) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') {
        return absl::InvalidArgumentError(absl::StrCat(
            source_name, ":", line_number, ": bad key '", key, "'"));
      }
    }
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    entries.emplace_back(std::string(key), std::string(value));
  }
  return entries;
}

absl::StatusOr<ConfigEntries> ReadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path);
}

std::string FindConfigFlag(int argc, char** argv) {
  std::string found;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") break;
    for (absl::string_view prefix : {"--config=", "-config="}) {
      if (absl::StartsWith(arg, prefix)) found = std::string(arg.substr(prefix.size()));
    }
    if ((arg == "--config" || arg == "-config") && i + 1 < argc) {
      found = argv[++i];
    }
  }
  return found;
}

}  // namespace mailroom::server
