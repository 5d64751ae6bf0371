#include "mailio/maildir_reader.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "mailio/maildir_metadata.h"
#include "mailio/maildir_names.h"

namespace mailroom::mailio {
namespace {

namespace fs = std::filesystem;

// The file's bytes; std::nullopt when it does not exist.
absl::StatusOr<std::optional<std::string>> ReadOptionalFile(
    const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::optional<std::string>();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot read ", path.string()));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return std::optional<std::string>(text.str());
}

bool IsDir(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

bool IsMailFolder(const fs::path& dir) {
  return IsDir(dir / "cur") || IsDir(dir / "new");
}

absl::StatusOr<MaildirFolder> ScanFolder(const fs::path& dir,
                                         std::string mailbox,
                                         std::vector<std::string>* warnings) {
  MaildirFolder folder;
  folder.mailbox = std::move(mailbox);
  const std::string where = absl::StrCat(" in ", dir.string());

  KeywordLetters keywords;
  absl::StatusOr<std::optional<std::string>> text =
      ReadOptionalFile(dir / "dovecot-keywords");
  if (!text.ok()) return text.status();
  if (text->has_value()) {
    absl::StatusOr<KeywordLetters> parsed = ParseDovecotKeywords(**text);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(parsed.status().message(), where));
    }
    keywords = *parsed;
  }

  UidList uids;
  text = ReadOptionalFile(dir / "dovecot-uidlist");
  if (!text.ok()) return text.status();
  bool courier = false;
  if (!text->has_value()) {
    text = ReadOptionalFile(dir / "courierimapuiddb");
    if (!text.ok()) return text.status();
    courier = true;
  }
  bool mbsync = false;
  if (!text->has_value()) {
    text = ReadOptionalFile(dir / ".uidvalidity");
    if (!text.ok()) return text.status();
    mbsync = true;
  }
  if (text->has_value()) {
    absl::StatusOr<UidList> parsed =
        mbsync    ? ParseMbsyncUidValidity(**text)
        : courier ? ParseCourierUidDb(**text)
                  : ParseDovecotUidList(**text);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(parsed.status().message(), where));
    }
    uids = *std::move(parsed);
  }
  folder.uidvalidity = uids.uidvalidity;
  folder.next_uid = uids.next_uid;

  std::vector<std::pair<std::string, MaildirMessage>> unlisted;
  int ignored_letters = 0;
  for (const char* sub : {"cur", "new"}) {
    std::error_code ec;
    fs::directory_iterator it(dir / sub, ec);
    if (ec) continue;  // a folder may lack new/ or cur/
    for (const fs::directory_entry& entry : it) {
      const std::string name = entry.path().filename().string();
      if (name.empty() || name[0] == '.') continue;
      struct stat st;
      if (stat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        continue;
      }
      const MaildirFileName parts = SplitMaildirFileName(name);
      MaildirMessage message;
      message.path = entry.path().string();
      message.mtime = st.st_mtime;
      message.flags =
          FlagsFromLetters(parts.flag_letters, keywords, &ignored_letters);
      auto uid = uids.uid_of_base.find(parts.base);
      if (mbsync && uids.uidvalidity != 0) {
        message.uid = MbsyncUidOf(parts.base);
      } else if (uid != uids.uid_of_base.end()) {
        message.uid = uid->second;
      }
      if (message.uid.has_value()) {
        folder.messages.push_back(std::move(message));
      } else {
        unlisted.emplace_back(name, std::move(message));
      }
    }
  }
  std::sort(folder.messages.begin(), folder.messages.end(),
            [](const MaildirMessage& a, const MaildirMessage& b) {
              return *a.uid < *b.uid;
            });
  // Two files listed under one UID (a base name copied): keep the first.
  auto duplicate = std::unique(folder.messages.begin(), folder.messages.end(),
                               [](const MaildirMessage& a,
                                  const MaildirMessage& b) {
                                 return *a.uid == *b.uid;
                               });
  if (duplicate != folder.messages.end()) {
    for (auto it = duplicate; it != folder.messages.end(); ++it) {
      it->uid.reset();
      unlisted.emplace_back(fs::path(it->path).filename().string(),
                            std::move(*it));
    }
    folder.messages.erase(duplicate, folder.messages.end());
  }
  std::sort(unlisted.begin(), unlisted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [name, message] : unlisted) {
    folder.messages.push_back(std::move(message));
  }
  if (ignored_letters > 0) {
    warnings->push_back(absl::StrCat(
        ignored_letters, " flag letter(s) without meaning ignored", where));
  }
  return folder;
}

// Turns a subscription line into a mailbox name. Version 1 files split
// levels by the namespace separator: '.' (Maildir++) or '/'; the one that
// names an existing folder wins, '.' otherwise. Courier prefixes "INBOX.".
std::optional<std::string> ResolveSubscription(
    const Subscription& subscription, const std::set<std::string>& folders) {
  std::vector<std::string> candidates;
  auto decode = [](const std::vector<std::string>& levels)
      -> std::optional<std::string> {
    std::vector<std::string> decoded;
    for (const std::string& level : levels) {
      absl::StatusOr<std::string> d = DecodeFolderLevel(level);
      if (!d.ok() || level.empty()) return std::nullopt;
      decoded.push_back(*d);
    }
    return absl::StrJoin(decoded, "/");
  };
  if (!subscription.levels.empty()) return decode(subscription.levels);
  std::string raw = subscription.raw;
  if (absl::EqualsIgnoreCase(raw, "INBOX")) return "INBOX";
  std::vector<std::string> tries;
  for (char separator : {'.', '/'}) {
    std::vector<std::string> levels = absl::StrSplit(raw, separator);
    std::optional<std::string> name = decode(levels);
    if (!name) continue;
    if (folders.count(*name)) return name;
    tries.push_back(*name);
    if (separator == '.' && absl::StartsWithIgnoreCase(raw, "INBOX.")) {
      levels.erase(levels.begin());
      std::optional<std::string> unprefixed = decode(levels);
      if (unprefixed && folders.count(*unprefixed)) return unprefixed;
    }
  }
  if (tries.empty()) return std::nullopt;
  return tries.front();
}

}  // namespace

uint64_t MaildirTree::messages() const {
  uint64_t count = 0;
  for (const MaildirFolder& folder : folders) count += folder.messages.size();
  return count;
}

absl::StatusOr<MaildirTree> ScanMaildirTree(const std::string& root_name) {
  const fs::path root(root_name);
  if (!IsDir(root)) {
    return absl::NotFoundError(
        absl::StrCat(root_name, " is not a directory"));
  }
  MaildirTree tree;
  if (IsMailFolder(root)) {
    absl::StatusOr<MaildirFolder> inbox =
        ScanFolder(root, "INBOX", &tree.warnings);
    if (!inbox.ok()) return inbox.status();
    tree.folders.push_back(*std::move(inbox));
  }
  std::map<std::string, fs::path> folders;  // mailbox -> dir, sorted
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(root, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 2 || name[0] != '.' || name == ".." ||
        !IsMailFolder(entry.path())) {
      continue;
    }
    absl::StatusOr<std::string> mailbox = MailboxFromFolderDir(name);
    if (!mailbox.ok()) {
      tree.warnings.push_back(absl::StrCat("folder skipped: ",
                                           mailbox.status().message()));
      continue;
    }
    if (absl::EqualsIgnoreCase(*mailbox, "INBOX")) {
      tree.warnings.push_back(absl::StrCat(
          "folder skipped: ", name, " would be a second INBOX"));
      continue;
    }
    folders.emplace(*mailbox, entry.path());
  }
  if (ec) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot list ", root_name, ": ", ec.message()));
  }
  if (tree.folders.empty() && folders.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        root_name, " is not a Maildir: no cur/, new/ or .Folder directories"));
  }
  for (const auto& [mailbox, dir] : folders) {
    absl::StatusOr<MaildirFolder> folder =
        ScanFolder(dir, mailbox, &tree.warnings);
    if (!folder.ok()) return folder.status();
    tree.folders.push_back(*std::move(folder));
  }

  std::set<std::string> names;
  for (const MaildirFolder& folder : tree.folders) names.insert(folder.mailbox);
  for (const char* file : {"subscriptions", "courierimapsubscribed"}) {
    absl::StatusOr<std::optional<std::string>> text =
        ReadOptionalFile(root / file);
    if (!text.ok()) return text.status();
    if (!text->has_value()) continue;
    absl::StatusOr<std::vector<Subscription>> parsed =
        ParseSubscriptions(**text);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(parsed.status().message(), " in ", root_name));
    }
    for (const Subscription& subscription : *parsed) {
      std::optional<std::string> name = ResolveSubscription(subscription, names);
      if (name) {
        tree.subscriptions.push_back(*name);
      } else {
        tree.warnings.push_back(
            absl::StrCat("subscription skipped: '",
                         absl::CHexEscape(subscription.raw), "' in ", file));
      }
    }
    break;  // one subscriptions file is enough
  }
  return tree;
}

absl::StatusOr<std::string> ReadMaildirMessage(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string raw = buffer.str();
  std::string data;
  data.reserve(raw.size() + raw.size() / 32);
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r')) data.push_back('\r');
    data.push_back(raw[i]);
  }
  return data;
}

}  // namespace mailroom::mailio
