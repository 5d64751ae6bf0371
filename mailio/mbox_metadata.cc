#include "mailio/mbox_metadata.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "mailio/maildir_names.h"

namespace mailroom::mailio {
namespace {

constexpr std::string_view kBookkeeping[] = {
    "status", "x-status", "x-keywords", "x-uid", "x-imapbase", "x-imap",
    "content-length"};

void AddKeywords(absl::string_view text, store::Flags* flags) {
  for (absl::string_view word :
       absl::StrSplit(text, absl::ByAnyChar(", \t"), absl::SkipEmpty())) {
    if (!IsKeywordAtom(std::string_view(word.data(), word.size()))) continue;
    flags->keywords.emplace_back(word);
  }
}

void Apply(const std::string& name, absl::string_view value,
           MboxMetadata* metadata) {
  if (name == "status") {
    if (value.find('R') != absl::string_view::npos) {
      metadata->flags.system |= store::kSeen;
    }
  } else if (name == "x-status") {
    for (char c : value) {
      if (c == 'A') metadata->flags.system |= store::kAnswered;
      if (c == 'F') metadata->flags.system |= store::kFlagged;
      if (c == 'T') metadata->flags.system |= store::kDraft;
      if (c == 'D') metadata->flags.system |= store::kDeleted;
    }
  } else if (name == "x-keywords") {
    AddKeywords(value, &metadata->flags);
  } else if (name == "x-uid") {
    store::Uid uid = 0;
    if (absl::SimpleAtoi(value, &uid) && uid != 0) metadata->uid = uid;
  } else if (name == "x-imapbase" || name == "x-imap") {
    std::vector<absl::string_view> words =
        absl::StrSplit(value, ' ', absl::SkipEmpty());
    uint32_t uidvalidity = 0;
    store::Uid next_uid = 0;
    if (words.size() >= 2 && absl::SimpleAtoi(words[0], &uidvalidity) &&
        absl::SimpleAtoi(words[1], &next_uid) && uidvalidity != 0) {
      metadata->uidvalidity = uidvalidity;
      metadata->next_uid = next_uid;
    }
    if (name == "x-imap") metadata->pseudo = true;
  }
}

}  // namespace

MboxMetadata ExtractMboxMetadata(std::string* message) {
  MboxMetadata metadata;
  std::string kept;
  kept.reserve(message->size());
  size_t pos = 0;
  std::string current_name;   // lower case, of the header being removed
  std::string current_value;  // unfolded
  bool removing = false;
  auto finish = [&] {
    if (removing) {
      Apply(current_name, absl::StripAsciiWhitespace(current_value),
            &metadata);
    }
    removing = false;
  };
  while (pos < message->size()) {
    size_t end = message->find("\r\n", pos);
    end = end == std::string::npos ? message->size() : end + 2;
    const absl::string_view line(message->data() + pos, end - pos);
    const absl::string_view content = absl::StripSuffix(line, "\r\n");
    if (content.empty()) break;  // end of the header section
    const bool continuation = content[0] == ' ' || content[0] == '\t';
    if (continuation) {
      if (removing) {
        absl::StrAppend(&current_value, " ", content);
      } else {
        kept.append(line.data(), line.size());
      }
      pos = end;
      continue;
    }
    finish();
    const size_t colon = content.find(':');
    if (colon != absl::string_view::npos) {
      const std::string name = absl::AsciiStrToLower(
          absl::StripTrailingAsciiWhitespace(content.substr(0, colon)));
      if (std::find(std::begin(kBookkeeping), std::end(kBookkeeping), name) !=
          std::end(kBookkeeping)) {
        removing = true;
        current_name = name;
        current_value = std::string(content.substr(colon + 1));
        pos = end;
        continue;
      }
    }
    kept.append(line.data(), line.size());
    pos = end;
  }
  finish();
  if (kept.size() + (message->size() - pos) != message->size()) {
    kept.append(*message, pos, std::string::npos);
    *message = std::move(kept);
  }
  std::sort(metadata.flags.keywords.begin(), metadata.flags.keywords.end());
  metadata.flags.keywords.erase(std::unique(metadata.flags.keywords.begin(),
                                            metadata.flags.keywords.end()),
                                metadata.flags.keywords.end());
  return metadata;
}

std::string FormatMboxMetadata(const store::Flags& flags, store::Uid uid,
                               std::optional<uint32_t> uidvalidity,
                               store::Uid next_uid) {
  std::string headers;
  if (uidvalidity.has_value()) {
    absl::StrAppend(&headers, "X-IMAPbase: ", *uidvalidity, " ", next_uid,
                    "\n");
  }
  absl::StrAppend(&headers, "Status: ",
                  (flags.system & store::kSeen) ? "RO" : "O", "\n");
  std::string x_status;
  if (flags.system & store::kAnswered) x_status.push_back('A');
  if (flags.system & store::kFlagged) x_status.push_back('F');
  if (flags.system & store::kDraft) x_status.push_back('T');
  if (flags.system & store::kDeleted) x_status.push_back('D');
  if (!x_status.empty()) absl::StrAppend(&headers, "X-Status: ", x_status, "\n");
  if (!flags.keywords.empty()) {
    absl::StrAppend(&headers, "X-Keywords: ",
                    absl::StrJoin(flags.keywords, " "), "\n");
  }
  absl::StrAppend(&headers, "X-UID: ", uid, "\n");
  return headers;
}

}  // namespace mailroom::mailio
