#include "mailio/maildir_names.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "base/mutf7.h"
#include "base/utf8.h"

namespace mailroom::mailio {

MaildirFileName SplitMaildirFileName(std::string_view name) {
  MaildirFileName result;
  const size_t colon = name.find(':');
  result.base = std::string(name.substr(0, colon));
  if (colon != std::string_view::npos &&
      name.substr(colon).rfind(":2,", 0) == 0) {
    result.flag_letters = std::string(name.substr(colon + 3));
  }
  return result;
}

bool IsKeywordAtom(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
    if (std::string_view("(){%*\"\\]").find(c) != std::string_view::npos) {
      return false;
    }
  }
  return true;
}

store::Flags FlagsFromLetters(std::string_view letters,
                              const KeywordLetters& keywords, int* ignored) {
  store::Flags flags;
  for (char c : letters) {
    switch (c) {
      case 'D': flags.system |= store::kDraft; continue;
      case 'F': flags.system |= store::kFlagged; continue;
      case 'R': flags.system |= store::kAnswered; continue;
      case 'S': flags.system |= store::kSeen; continue;
      case 'T': flags.system |= store::kDeleted; continue;
      case 'P': flags.keywords.emplace_back(kPassedKeyword); continue;
      default: break;
    }
    if (c >= 'a' && c <= 'z' && !keywords[c - 'a'].empty()) {
      flags.keywords.push_back(keywords[c - 'a']);
    } else {
      ++*ignored;
    }
  }
  std::sort(flags.keywords.begin(), flags.keywords.end());
  flags.keywords.erase(
      std::unique(flags.keywords.begin(), flags.keywords.end()),
      flags.keywords.end());
  return flags;
}

std::string LettersFromFlags(const store::Flags& flags,
                             const KeywordLetters& keywords,
                             int* unrepresented) {
  std::string letters;
  if (flags.system & store::kDraft) letters.push_back('D');
  if (flags.system & store::kFlagged) letters.push_back('F');
  bool passed = false;
  for (const std::string& keyword : flags.keywords) {
    if (keyword == kPassedKeyword) {
      passed = true;
      continue;
    }
    auto it = std::find(keywords.begin(), keywords.end(), keyword);
    if (it == keywords.end()) {
      ++*unrepresented;
    } else {
      letters.push_back(static_cast<char>('a' + (it - keywords.begin())));
    }
  }
  if (passed) letters.push_back('P');
  if (flags.system & store::kAnswered) letters.push_back('R');
  if (flags.system & store::kSeen) letters.push_back('S');
  if (flags.system & store::kDeleted) letters.push_back('T');
  std::sort(letters.begin(), letters.end());
  return letters;
}

absl::StatusOr<std::string> DecodeFolderLevel(std::string_view level) {
  // Written by other servers: read leniently ("&AC4-" is the usual '.').
  absl::StatusOr<std::string> decoded =
      base::DecodeMutf7(level, base::Mutf7Decoding::kLenient);
  if (decoded.ok()) return decoded;
  // Dovecot's UTF-8 layouts keep names raw ("a&b", "Entwürfe").
  if (base::IsValidUtf8(level)) return std::string(level);
  return absl::InvalidArgumentError(absl::StrCat(
      "folder name '", absl::CHexEscape(std::string(level)),
      "' is neither modified UTF-7 nor UTF-8"));
}

absl::StatusOr<std::string> MailboxFromFolderDir(std::string_view dir) {
  if (dir.size() < 2 || dir[0] != '.') {
    return absl::InvalidArgumentError(
        absl::StrCat("'", absl::CHexEscape(std::string(dir)), "' is not a folder directory"));
  }
  std::vector<std::string> levels;
  for (absl::string_view level : absl::StrSplit(absl::string_view(dir.data() + 1, dir.size() - 1), '.')) {
    if (level.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "folder directory '", absl::CHexEscape(std::string(dir)), "' has an empty level"));
    }
    absl::StatusOr<std::string> decoded =
        DecodeFolderLevel(std::string_view(level.data(), level.size()));
    if (!decoded.ok()) return decoded.status();
    if (decoded->find(store::kDelimiter) != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "folder directory '", absl::CHexEscape(std::string(dir)), "' names a level with '",
          std::string(1, store::kDelimiter), "'"));
    }
    levels.push_back(*std::move(decoded));
  }
  return absl::StrJoin(levels, std::string(1, store::kDelimiter));
}

absl::StatusOr<std::string> FolderDirFromMailbox(std::string_view mailbox) {
  if (absl::EqualsIgnoreCase(absl::string_view(mailbox.data(), mailbox.size()),
                             "INBOX")) {
    return absl::InvalidArgumentError("INBOX is the root of the tree");
  }
  std::vector<std::string> levels;
  for (absl::string_view level : absl::StrSplit(absl::string_view(mailbox.data(), mailbox.size()),
                                     store::kDelimiter)) {
    absl::StatusOr<std::string> encoded =
        base::EncodeMutf7(std::string_view(level.data(), level.size()));
    if (!encoded.ok()) return encoded.status();
    levels.push_back(absl::StrReplaceAll(*encoded, {{".", "&AC4-"}}));
  }
  return absl::StrCat(".", absl::StrJoin(levels, "."));
}

}  // namespace mailroom::mailio
