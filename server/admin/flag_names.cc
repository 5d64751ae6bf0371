#include "server/admin/flag_names.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"

namespace mailroom::server::admin {

std::vector<std::string> FlagNames(const store::Flags& flags) {
  static constexpr std::pair<uint32_t, const char*> kNames[] = {
      {store::kSeen, "\\Seen"},       {store::kAnswered, "\\Answered"},
      {store::kFlagged, "\\Flagged"}, {store::kDeleted, "\\Deleted"},
      {store::kDraft, "\\Draft"}};
  std::vector<std::string> names;
  for (const auto& [bit, name] : kNames) {
    if (flags.system & bit) names.push_back(name);
  }
  names.insert(names.end(), flags.keywords.begin(), flags.keywords.end());
  return names;
}

std::string FlagsText(const store::Flags& flags) {
  return absl::StrJoin(FlagNames(flags), " ");
}

bool ParseFlags(const std::vector<std::string>& words, store::Flags* flags,
                std::string* error) {
  static constexpr std::pair<const char*, uint32_t> kSystem[] = {
      {"\\seen", store::kSeen},       {"\\answered", store::kAnswered},
      {"\\flagged", store::kFlagged}, {"\\deleted", store::kDeleted},
      {"\\draft", store::kDraft}};
  for (const std::string& word : words) {
    if (word.empty()) continue;
    if (word[0] == '\\') {
      const std::string lower = absl::AsciiStrToLower(word);
      bool known = false;
      for (const auto& [name, bit] : kSystem) {
        if (lower == name) {
          flags->system |= bit;
          known = true;
        }
      }
      if (!known) {
        *error = "unknown system flag '" + word +
                 "' (\\Seen \\Answered \\Flagged \\Deleted \\Draft)";
        return false;
      }
      continue;
    }
    flags->keywords.push_back(word);
  }
  std::sort(flags->keywords.begin(), flags->keywords.end());
  flags->keywords.erase(
      std::unique(flags->keywords.begin(), flags->keywords.end()),
      flags->keywords.end());
  return true;
}

}  // namespace mailroom::server::admin
