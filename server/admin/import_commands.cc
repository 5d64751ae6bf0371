#include "server/admin/import_commands.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mailio/maildir_reader.h"
#include "mailio/mbox_metadata.h"
#include "mailio/mbox_reader.h"
#include "server/admin/export_commands.h"
#include "server/admin/mailbox_importer.h"
#include "server/admin/metadata_transfer.h"
#include "server/admin/sieve_commands.h"

namespace mailroom::server::admin {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kProgressEvery = 100;

// What one import did, for the reply.
struct ImportReport {
  nlohmann::json mailboxes = nlohmann::json::array();
  uint64_t imported = 0;
  uint64_t skipped = 0;
  std::vector<std::string> warnings;
  std::string text;
  // Sieve scripts taken from a Dovecot layout (maildir only).
  std::optional<SieveImport> sieve;
  uint64_t annotations = 0;  // METADATA entries set (metadata_transfer.h)

  void Add(const std::string& mailbox, const MailboxImporter& importer) {
    imported += importer.imported();
    skipped += importer.skipped();
    mailboxes.push_back({{"name", mailbox},
                         {"imported", importer.imported()},
                         {"skipped", importer.skipped()},
                         {"uids", importer.keeps_uids() ? "kept" : "new"},
                         {"uidvalidity", importer.uidvalidity()}});
    absl::StrAppend(&text, mailbox, ": ", importer.imported(), " imported",
                    importer.skipped() ? absl::StrCat(", ", importer.skipped(),
                                                      " already present")
                                       : "",
                    importer.keeps_uids()          ? ", UIDs kept"
                    : importer.imported() == 0 ? ""
                                               : ", new UIDs assigned",
                    " (UIDVALIDITY ", importer.uidvalidity(), ")\n");
  }
};

int Finish(const AdminContext& ctx, const ParsedArgs& a,
           const std::string& user, const std::string& format,
           const ImportReport& report, const absl::Status& status,
           uint64_t subscriptions = 0) {
  if (!status.ok()) {
    ctx.out << report.text << "imported " << report.imported
            << " message(s) before the error\n";
    return Fail(ctx, a, status);
  }
  nlohmann::json doc = {{"ok", true},
                        {"user", user},
                        {"format", format},
                        {"imported", report.imported},
                        {"skipped", report.skipped},
                        {"subscriptions", subscriptions},
                        {"mailboxes", report.mailboxes},
                        {"annotations", report.annotations},
                        {"warnings", report.warnings}};
  std::string text = report.text;
  if (report.annotations) {
    absl::StrAppend(&text, "annotations: ", report.annotations, "\n");
  }
  if (report.sieve.has_value()) {
    doc["sieve_scripts"] = report.sieve->stored;
    doc["sieve_active"] = report.sieve->active;
    absl::StrAppend(&text, "sieve: ", report.sieve->stored, " script(s)",
                    report.sieve->active.empty()
                        ? ""
                        : absl::StrCat(", active ", report.sieve->active),
                    "\n");
  }
  for (const std::string& warning : report.warnings) {
    absl::StrAppend(&text, "warning: ", warning, "\n");
  }
  absl::StrAppend(&text, "imported ", report.imported, " message(s) for ",
                  user);
  if (report.skipped) {
    absl::StrAppend(&text, ", skipped ", report.skipped, " already present");
  }
  absl::StrAppend(&text, "\n");
  return Reply(ctx, a, doc, text);
}

// The annotations an export left beside the mail, once the mailboxes exist.
absl::Status ImportAnnotations(const AdminContext& ctx,
                               const store::Principal& who,
                               const std::string& root, ImportReport* report) {
  absl::StatusOr<uint64_t> set =
      ImportMetadata(ctx.store, who, root, &report->warnings);
  if (!set.ok()) return set.status();
  report->annotations = *set;
  return absl::OkStatus();
}

int ImportMaildir(const AdminContext& ctx, const ParsedArgs& a) {
  const std::string& root = a.positional[2];
  const store::Principal who = AdminFor(a.Get("user"));
  absl::StatusOr<mailio::MaildirTree> tree = mailio::ScanMaildirTree(root);
  if (!tree.ok()) return Fail(ctx, a, tree.status());
  ImportReport report;
  report.warnings = tree->warnings;
  const uint64_t total = tree->messages();
  uint64_t done = 0;
  absl::Status status;
  for (const mailio::MaildirFolder& folder : tree->folders) {
    MailboxImporter importer(ctx.store, who, folder.mailbox);
    status = importer.Prepare(folder.uidvalidity);
    bool reserved = false;
    for (const mailio::MaildirMessage& message : folder.messages) {
      if (!status.ok()) break;
      if (ctx.Cancelled()) {
        status = absl::CancelledError("import cancelled");
        break;
      }
      if (!message.uid.has_value() && !reserved) {
        importer.ReserveUidsBelow(folder.next_uid);
        reserved = true;
      }
      absl::StatusOr<std::string> data =
          mailio::ReadMaildirMessage(message.path);
      if (!data.ok()) {
        // Moved or deleted since the scan (a live Maildir): say so.
        report.warnings.push_back(
            absl::StrCat("message skipped: ", data.status().message()));
        continue;
      }
      status = importer.Add(*std::move(data), message.flags, message.mtime,
                            message.uid);
      if (++done % kProgressEvery == 0) ctx.Progress("import", done, total);
    }
    if (status.ok()) status = importer.Flush();
    report.Add(folder.mailbox, importer);
    if (!status.ok()) break;
  }
  uint64_t subscribed = 0;
  if (status.ok()) {
    ctx.Progress("import", total, total);
    for (const std::string& name : tree->subscriptions) {
      status = ctx.store.SetSubscribed(who, name, true);
      if (!status.ok()) break;
      ++subscribed;
    }
  }
  if (status.ok()) {
    // A Dovecot account's Sieve scripts beside its mail.
    absl::StatusOr<std::optional<mailio::SieveScripts>> sieve =
        mailio::ReadDovecotSieve(root);
    if (!sieve.ok()) {
      status = sieve.status();
    } else if (sieve->has_value()) {
      report.warnings.insert(report.warnings.end(),
                             (*sieve)->warnings.begin(),
                             (*sieve)->warnings.end());
      report.sieve = ImportSieveScripts(ctx.store, who.user(), **sieve,
                                        &report.warnings);
    }
  }
  if (status.ok()) status = ImportAnnotations(ctx, who, root, &report);
  return Finish(ctx, a, who.user(), "maildir", report, status, subscribed);
}

// Imports one mbox file into `mailbox`; `bytes_done` advances by the file's
// size as it is read.
absl::Status ImportMboxFile(const AdminContext& ctx,
                            const store::Principal& who,
                            const std::string& file,
                            const std::string& mailbox, uint64_t bytes_before,
                            uint64_t bytes_total, ImportReport* report) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", file));
  mailio::MboxReader reader(&in);
  MailboxImporter importer(ctx.store, who, mailbox);
  std::optional<mailio::MboxMessage> message = reader.Next();
  mailio::MboxMetadata metadata;
  if (message.has_value()) metadata = mailio::ExtractMboxMetadata(&message->data);
  const uint32_t uidvalidity = metadata.uidvalidity.value_or(0);
  if (message.has_value() && metadata.pseudo) {
    message = reader.Next();  // folder data only, not mail
    if (message.has_value()) {
      metadata = mailio::ExtractMboxMetadata(&message->data);
    }
  }
  absl::Status status = importer.Prepare(uidvalidity);
  uint64_t count = 0;
  while (status.ok() && message.has_value()) {
    if (ctx.Cancelled()) {
      status = absl::CancelledError("import cancelled");
      break;
    }
    if (!metadata.pseudo) {
      status = importer.Add(std::move(message->data), metadata.flags,
                            message->internal_date, metadata.uid);
    }
    if (++count % kProgressEvery == 0) {
      const std::streamoff at = in.tellg();
      if (at >= 0) {
        ctx.Progress("import (bytes)", bytes_before + static_cast<uint64_t>(at),
                     bytes_total);
      }
    }
    message = reader.Next();
    if (message.has_value()) {
      metadata = mailio::ExtractMboxMetadata(&message->data);
    }
  }
  if (status.ok()) status = importer.Flush();
  report->Add(mailbox, importer);
  return status;
}

// An mbox tree (as export writes it): each file is a mailbox named by its
// path; a directory "X.sbd" holds the children of mailbox X.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> MboxFiles(
    const std::string& root) {
  std::vector<std::pair<std::string, std::string>> files;  // mailbox, path
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const fs::path relative = fs::relative(it->path(), root, ec);
    std::vector<std::string> levels;
    for (const fs::path& part : relative) {
      std::string level = part.string();
      if (absl::EndsWith(level, ".sbd") && level.size() > 4) {
        level.resize(level.size() - 4);
      }
      levels.push_back(level);
    }
    if (levels.empty() || levels.back().empty() || levels.back()[0] == '.') {
      continue;  // hidden files are not mailboxes
    }
    files.emplace_back(absl::StrJoin(levels, "/"), it->path().string());
  }
  if (ec) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot list ", root, ": ", ec.message()));
  }
  std::sort(files.begin(), files.end());
  return files;
}

int ImportMbox(const AdminContext& ctx, const ParsedArgs& a) {
  const std::string& path = a.positional[2];
  const store::Principal who = AdminFor(a.Get("user"));
  std::vector<std::pair<std::string, std::string>> files;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    if (a.Has("mailbox")) {
      return Usage(ctx, a,
                   "--mailbox is for one file; a directory's files are "
                   "named by their paths");
    }
    absl::StatusOr<std::vector<std::pair<std::string, std::string>>> found =
        MboxFiles(path);
    if (!found.ok()) return Fail(ctx, a, found.status());
    files = *std::move(found);
  } else {
    files.emplace_back(a.Has("mailbox") ? a.Get("mailbox") : "INBOX", path);
  }
  uint64_t bytes_total = 0;
  for (const auto& [mailbox, file] : files) {
    const uintmax_t size = fs::file_size(file, ec);
    if (!ec) bytes_total += size;
  }
  ImportReport report;
  uint64_t bytes_before = 0;
  absl::Status status;
  for (const auto& [mailbox, file] : files) {
    status = ImportMboxFile(ctx, who, file, mailbox, bytes_before, bytes_total,
                            &report);
    if (!status.ok()) break;
    const uintmax_t size = fs::file_size(file, ec);
    if (!ec) bytes_before += size;
  }
  if (status.ok()) ctx.Progress("import (bytes)", bytes_total, bytes_total);
  if (status.ok() && fs::is_directory(path, ec)) {
    status = ImportAnnotations(ctx, who, path, &report);
  }
  return Finish(ctx, a, who.user(), "mbox", report, status);
}

}  // namespace

// "import PATH": a Maildir (cur/, new/ or .Folder/cur) or else mbox.
std::string DetectFormat(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return "mbox";
  if (fs::is_directory(fs::path(path) / "cur", ec) ||
      fs::is_directory(fs::path(path) / "new", ec)) {
    return "maildir";
  }
  for (const fs::directory_entry& entry : fs::directory_iterator(path, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 1 && name[0] == '.' && name != ".." &&
        fs::is_directory(entry.path() / "cur", ec)) {
      return "maildir";
    }
  }
  return "mbox";
}

int ImportCommand(const AdminContext& ctx, const ParsedArgs& given) {
  ParsedArgs a = given;
  std::vector<std::string>& p = a.positional;
  if (p.size() == 2 && p[1] != "mbox" && p[1] != "maildir") {
    p.insert(p.begin() + 1, DetectFormat(p[1]));
  }
  if (p.size() != 3 || (p[1] != "mbox" && p[1] != "maildir") ||
      !a.Has("user") || a.Get("user").empty()) {
    return Usage(ctx, a,
                 "import maildir DIR --user=U | "
                 "import mbox FILE|DIR --user=U [--mailbox=M] | "
                 "import PATH --user=U (format detected)");
  }
  absl::Status user = CheckUserExists(ctx.store, a.Get("user"));
  if (!user.ok()) return Fail(ctx, a, user);
  if (p[1] == "maildir") {
    if (a.Has("mailbox")) {
      return Usage(ctx, a, "import maildir takes no --mailbox");
    }
    return ImportMaildir(ctx, a);
  }
  return ImportMbox(ctx, a);
}

}  // namespace mailroom::server::admin
