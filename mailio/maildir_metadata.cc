#include "mailio/maildir_metadata.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace mailroom::mailio {
namespace {

std::vector<absl::string_view> Lines(std::string_view text) {
  std::vector<absl::string_view> lines =
      absl::StrSplit(absl::string_view(text.data(), text.size()), '\n');
  for (absl::string_view& line : lines) absl::ConsumeSuffix(&line, "\r");
  return lines;
}

absl::Status LineError(std::string_view file, size_t line,
                       std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(std::string(file), " line ", line + 1, ": ",
                   std::string(what)));
}

bool ParseUid(absl::string_view text, store::Uid* uid) {
  return absl::SimpleAtoi(text, uid) && *uid != 0;
}

// "1 <uidvalidity> <nextuid>" then "<uid> <name>" lines (Dovecot's version
// 1 and Courier's format).
absl::StatusOr<UidList> ParseVersion1(std::string_view file,
                                      const std::vector<absl::string_view>& lines) {
  UidList list;
  std::vector<absl::string_view> header =
      absl::StrSplit(lines[0], ' ', absl::SkipEmpty());
  if (header.size() < 3 || header[0] != "1" ||
      !absl::SimpleAtoi(header[1], &list.uidvalidity) ||
      !absl::SimpleAtoi(header[2], &list.next_uid)) {
    return LineError(file, 0, "expected '1 <uidvalidity> <nextuid>'");
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    const size_t space = lines[i].find(' ');
    store::Uid uid = 0;
    if (space == absl::string_view::npos ||
        !ParseUid(lines[i].substr(0, space), &uid) ||
        space + 1 == lines[i].size()) {
      return LineError(file, i, "expected '<uid> <file name>'");
    }
    const std::string name(lines[i].substr(space + 1));
    list.uid_of_base[SplitMaildirFileName(name).base] = uid;
  }
  return list;
}

}  // namespace

absl::StatusOr<KeywordLetters> ParseDovecotKeywords(std::string_view text) {
  KeywordLetters keywords;
  const std::vector<absl::string_view> lines = Lines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    const size_t space = lines[i].find(' ');
    int index = -1;
    if (space == absl::string_view::npos ||
        !absl::SimpleAtoi(lines[i].substr(0, space), &index) || index < 0 ||
        space + 1 == lines[i].size()) {
      return LineError("dovecot-keywords", i, "expected '<index> <keyword>'");
    }
    if (index >= 26) continue;  // beyond z: no letter can name it
    const absl::string_view name = lines[i].substr(space + 1);
    // Not a keyword the store can hold: the letter means nothing (and is
    // reported as such when a file name uses it).
    if (!IsKeywordAtom(std::string_view(name.data(), name.size()))) continue;
    keywords[index] = std::string(name);
  }
  return keywords;
}

std::string FormatDovecotKeywords(const KeywordLetters& keywords) {
  std::string text;
  for (size_t i = 0; i < keywords.size(); ++i) {
    if (!keywords[i].empty()) absl::StrAppend(&text, i, " ", keywords[i], "\n");
  }
  return text;
}

absl::StatusOr<UidList> ParseDovecotUidList(std::string_view text) {
  const std::vector<absl::string_view> lines = Lines(text);
  if (lines.empty() || lines[0].empty()) {
    return LineError("dovecot-uidlist", 0, "no header");
  }
  if (absl::StartsWith(lines[0], "1 ")) {
    return ParseVersion1("dovecot-uidlist", lines);
  }
  std::vector<absl::string_view> header =
      absl::StrSplit(lines[0], ' ', absl::SkipEmpty());
  if (header.empty()) return LineError("dovecot-uidlist", 0, "no header");
  if (header[0] != "3") {
    return LineError("dovecot-uidlist", 0,
                     absl::StrCat("unknown version '", header[0], "'"));
  }
  UidList list;
  for (size_t k = 1; k < header.size(); ++k) {
    if (header[k].empty()) continue;
    const absl::string_view value = header[k].substr(1);
    if (header[k][0] == 'V' && !absl::SimpleAtoi(value, &list.uidvalidity)) {
      return LineError("dovecot-uidlist", 0, "bad V<uidvalidity>");
    }
    if (header[k][0] == 'N' && !absl::SimpleAtoi(value, &list.next_uid)) {
      return LineError("dovecot-uidlist", 0, "bad N<nextuid>");
    }
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    const size_t space = lines[i].find(' ');
    const size_t colon = lines[i].find(" :");
    store::Uid uid = 0;
    if (space == absl::string_view::npos || colon == absl::string_view::npos ||
        !ParseUid(lines[i].substr(0, space), &uid) ||
        colon + 2 == lines[i].size()) {
      return LineError("dovecot-uidlist", i,
                       "expected '<uid> [fields] :<file name>'");
    }
    const std::string name(lines[i].substr(colon + 2));
    list.uid_of_base[SplitMaildirFileName(name).base] = uid;
  }
  return list;
}

absl::StatusOr<UidList> ParseCourierUidDb(std::string_view text) {
  const std::vector<absl::string_view> lines = Lines(text);
  if (lines.empty() || lines[0].empty()) {
    return LineError("courierimapuiddb", 0, "no header");
  }
  return ParseVersion1("courierimapuiddb", lines);
}

absl::StatusOr<UidList> ParseMbsyncUidValidity(std::string_view text) {
  const std::vector<absl::string_view> lines = Lines(text);
  UidList list;
  store::Uid max_uid = 0;
  if (lines.size() < 2 || !absl::SimpleAtoi(lines[0], &list.uidvalidity) ||
      list.uidvalidity == 0 || !absl::SimpleAtoi(lines[1], &max_uid)) {
    return absl::InvalidArgumentError(
        ".uidvalidity: expected '<uidvalidity>' and '<max uid>' lines");
  }
  list.next_uid = max_uid + 1;
  return list;
}

std::optional<store::Uid> MbsyncUidOf(std::string_view base) {
  const size_t at = base.find(",U=");
  if (at == std::string_view::npos) return std::nullopt;
  size_t end = at + 3;
  while (end < base.size() && base[end] >= '0' && base[end] <= '9') ++end;
  store::Uid uid = 0;
  if (!absl::SimpleAtoi(absl::string_view(base.data() + at + 3, end - at - 3),
                        &uid) ||
      uid == 0) {
    return std::nullopt;
  }
  return uid;
}

std::string FormatDovecotUidList(
    uint32_t uidvalidity, store::Uid next_uid,
    const std::vector<std::pair<store::Uid, std::string>>& uids) {
  std::string text = absl::StrCat("3 V", uidvalidity, " N", next_uid, "\n");
  for (const auto& [uid, base] : uids) {
    absl::StrAppend(&text, uid, " :", base, "\n");
  }
  return text;
}

absl::StatusOr<std::vector<Subscription>> ParseSubscriptions(
    std::string_view text) {
  std::vector<Subscription> names;
  const std::vector<absl::string_view> lines = Lines(text);
  const bool version2 = !lines.empty() && lines[0] == "V\t2";
  for (size_t i = version2 ? 1 : 0; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    Subscription subscription;
    if (version2) {
      for (absl::string_view level : absl::StrSplit(lines[i], '\t')) {
        if (level.empty()) {
          return LineError("subscriptions", i, "empty name level");
        }
        subscription.levels.emplace_back(level);
      }
    } else {
      if (lines[i].find('\t') != absl::string_view::npos) {
        return LineError("subscriptions", i,
                         "a tab in a version 1 file (no \"V\\t2\" header)");
      }
      subscription.raw = std::string(lines[i]);
    }
    names.push_back(std::move(subscription));
  }
  return names;
}

std::string FormatSubscriptions(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) absl::StrAppend(&text, name, "\n");
  return text;
}

}  // namespace mailroom::mailio
