#include "server/admin/export_commands.h"

#include <algorithm>
#include <fstream>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "mailio/maildir_writer.h"
#include "mailio/mbox_metadata.h"
#include "mailio/mbox_writer.h"
#include "mailio/private_files.h"
#include "server/admin/message_prefetcher.h"
#include "server/admin/metadata_transfer.h"
#include "server/admin/sieve_commands.h"

namespace mailroom::server::admin {
namespace {

constexpr uint64_t kProgressEvery = 100;

// Where one mailbox goes in an mbox export: its name as a path, every
// parent level a directory "<level>.sbd" (so a mailbox and its children
// can both exist). kInvalidArgument for levels a path cannot hold.
absl::StatusOr<std::string> MboxPath(const std::string& mailbox) {
  std::vector<std::string> levels = absl::StrSplit(mailbox, store::kDelimiter);
  for (size_t i = 0; i < levels.size(); ++i) {
    if (levels[i].empty() || levels[i] == "." || levels[i] == ".." ||
        levels[i][0] == '.') {
      return absl::InvalidArgumentError(absl::StrCat(
          "mailbox '", mailbox, "' has a level an mbox path cannot hold"));
    }
    if (i + 1 < levels.size()) levels[i] += ".sbd";
  }
  return absl::StrJoin(levels, "/");
}

// Writes one mailbox, in either format.
class MailboxSink {
 public:
  virtual ~MailboxSink() = default;
  virtual absl::Status Begin(const store::MailboxSnapshot& snapshot) = 0;
  virtual absl::Status Add(const store::MessageMeta& meta,
                           const std::string& data, bool first) = 0;
  virtual absl::Status End() = 0;
};

class MaildirSink : public MailboxSink {
 public:
  explicit MaildirSink(const std::string& root) : writer_(root) {}
  absl::Status Begin(const store::MailboxSnapshot& snapshot) override {
    std::set<std::string> keywords;
    for (const store::MessageMeta& meta : snapshot.messages) {
      keywords.insert(meta.flags.keywords.begin(), meta.flags.keywords.end());
    }
    return writer_.BeginFolder(snapshot.name, snapshot.status.uidvalidity,
                               snapshot.status.uidnext, keywords);
  }
  absl::Status Add(const store::MessageMeta& meta, const std::string& data,
                   bool) override {
    return writer_.AddMessage(meta.uid, meta.flags, meta.internal_date, data);
  }
  absl::Status End() override { return writer_.EndFolder(); }
  mailio::MaildirWriter& writer() { return writer_; }

 private:
  mailio::MaildirWriter writer_;
};

class MboxSink : public MailboxSink {
 public:
  explicit MboxSink(std::string root) : root_(std::move(root)) {}
  absl::Status Begin(const store::MailboxSnapshot& snapshot) override {
    absl::StatusOr<std::string> relative = MboxPath(snapshot.name);
    if (!relative.ok()) return relative.status();
    const std::string path = absl::StrCat(root_, "/", *relative);
    const size_t slash = path.rfind('/');
    absl::Status status = mailio::MakePrivateDir(path.substr(0, slash));
    if (!status.ok()) return status;
    // Created 0600 first: the stream keeps the mode when it truncates.
    status = mailio::WritePrivateFile(path, "");
    if (!status.ok()) return status;
    out_.open(path, std::ios::binary | std::ios::trunc);
    if (!out_) return absl::UnavailableError("cannot write " + path);
    path_ = path;
    uidvalidity_ = snapshot.status.uidvalidity;
    uidnext_ = snapshot.status.uidnext;
    writer_.emplace(&out_);
    return absl::OkStatus();
  }
  absl::Status Add(const store::MessageMeta& meta, const std::string& data,
                   bool first) override {
    writer_->Write(meta.internal_date, data,
                   mailio::FormatMboxMetadata(
                       meta.flags, meta.uid,
                       first ? std::optional<uint32_t>(uidvalidity_)
                             : std::nullopt,
                       uidnext_));
    if (!out_) return absl::UnavailableError("cannot write " + path_);
    return absl::OkStatus();
  }
  absl::Status End() override {
    writer_.reset();
    out_.close();
    if (out_.fail()) return absl::UnavailableError("cannot write " + path_);
    return absl::OkStatus();
  }

 private:
  const std::string root_;
  std::ofstream out_;
  std::string path_;
  uint32_t uidvalidity_ = 0;
  store::Uid uidnext_ = 0;
  std::optional<mailio::MboxWriter> writer_;
};

}  // namespace

absl::Status CheckUserExists(store::Store& store, const std::string& user) {
  absl::StatusOr<std::vector<std::string>> users = store.ListUsers();
  if (!users.ok()) return users.status();
  const std::string lower = absl::AsciiStrToLower(user);
  if (std::find(users->begin(), users->end(), lower) == users->end()) {
    return absl::NotFoundError("no such user: " + user);
  }
  return absl::OkStatus();
}

int ExportCommand(const AdminContext& ctx, const ParsedArgs& a) {
  const std::vector<std::string>& p = a.positional;
  const std::string format = a.Get("format");
  if (p.size() != 3 || (format != "maildir" && format != "mbox")) {
    return Usage(ctx, a, "export USER --format=maildir|mbox DIR");
  }
  const std::string& user = p[1];
  const std::string& dir = p[2];
  store::Store& store = ctx.store;
  absl::Status status = CheckUserExists(store, user);
  if (!status.ok()) return Fail(ctx, a, status);
  const store::Principal who = AdminFor(user);

  absl::StatusOr<std::vector<store::MailboxInfo>> boxes =
      store.ListMailboxes(who);
  if (!boxes.ok()) return Fail(ctx, a, boxes.status());
  std::vector<store::MailboxInfo> own;
  uint64_t total = 0;
  for (const store::MailboxInfo& box : *boxes) {
    // Shared mailboxes of others are theirs to export.
    if (box.noselect || (!box.owner.empty() && box.owner != who.user())) {
      continue;
    }
    absl::StatusOr<store::MailboxStatus> s = store.GetStatus(who, box.name);
    if (s.ok()) total += s->messages;
    own.push_back(box);
  }
  std::sort(own.begin(), own.end(), [](const auto& x, const auto& y) {
    const bool x_inbox = absl::EqualsIgnoreCase(x.name, "INBOX");
    const bool y_inbox = absl::EqualsIgnoreCase(y.name, "INBOX");
    return x_inbox != y_inbox ? x_inbox : x.name < y.name;
  });

  status = mailio::PrepareExportRoot(dir);
  if (!status.ok()) return Fail(ctx, a, status);
  MaildirSink* maildir = nullptr;
  std::unique_ptr<MailboxSink> sink;
  if (format == "maildir") {
    auto owned = std::make_unique<MaildirSink>(dir);
    maildir = owned.get();
    sink = std::move(owned);
  } else {
    sink = std::make_unique<MboxSink>(dir);
  }

  nlohmann::json mailboxes = nlohmann::json::array();
  std::string text;
  uint64_t done = 0, exported = 0, bytes = 0, vanished_total = 0;
  for (const store::MailboxInfo& box : own) {
    absl::StatusOr<store::MailboxSnapshot> snapshot =
        store.OpenMailbox(who, box.name);
    if (absl::IsNotFound(snapshot.status())) continue;  // deleted meanwhile
    if (!snapshot.ok()) return Fail(ctx, a, snapshot.status());
    snapshot->name = box.name;
    status = sink->Begin(*snapshot);
    if (!status.ok()) return Fail(ctx, a, status);
    uint64_t written = 0, vanished = 0;
    MessagePrefetcher reader(store, who, snapshot->status.id,
                             snapshot->messages);
    for (const store::MessageMeta& meta : snapshot->messages) {
      if (ctx.Cancelled()) {
        return Fail(ctx, a, absl::CancelledError("export cancelled"));
      }
      absl::StatusOr<std::shared_ptr<const std::string>> data = reader.Next();
      if (absl::IsNotFound(data.status())) {
        ++vanished;  // expunged since the snapshot
        continue;
      }
      if (!data.ok()) return Fail(ctx, a, data.status());
      status = sink->Add(meta, **data, written == 0);
      if (!status.ok()) return Fail(ctx, a, status);
      ++written;
      bytes += (*data)->size();
      if (++done % kProgressEvery == 0) {
        ctx.Progress("export", done, std::max(done, total));
      }
    }
    status = sink->End();
    if (!status.ok()) return Fail(ctx, a, status);
    exported += written;
    vanished_total += vanished;
    mailboxes.push_back({{"name", box.name},
                         {"messages", written},
                         {"vanished", vanished},
                         {"uidvalidity", snapshot->status.uidvalidity},
                         {"uidnext", snapshot->status.uidnext}});
    absl::StrAppend(&text, box.name, ": ", written, " message(s)",
                    vanished ? absl::StrCat(", ", vanished,
                                            " expunged meanwhile")
                             : "",
                    "\n");
  }
  ctx.Progress("export", done, std::max(done, total));

  std::vector<std::string> mailbox_names;
  for (const store::MailboxInfo& box : own) mailbox_names.push_back(box.name);
  absl::StatusOr<uint64_t> annotations =
      ExportMetadata(store, who, mailbox_names, dir);
  if (!annotations.ok()) return Fail(ctx, a, annotations.status());

  uint64_t subscriptions = 0;
  uint64_t unrepresented = 0;
  uint64_t sieve_scripts = 0;
  if (maildir != nullptr) {
    // The scripts in Dovecot's layout, which import maildir reads back.
    absl::StatusOr<uint64_t> sieve = ExportSieveScripts(store, who.user(), dir);
    if (!sieve.ok()) return Fail(ctx, a, sieve.status());
    sieve_scripts = *sieve;
    absl::StatusOr<std::vector<std::string>> subscribed =
        store.ListSubscriptions(who);
    if (!subscribed.ok()) return Fail(ctx, a, subscribed.status());
    std::set<std::string> exported_names;
    for (const store::MailboxInfo& box : own) exported_names.insert(box.name);
    std::vector<std::string> names;
    for (const std::string& name : *subscribed) {
      // Names in other users' namespaces are not this account's to carry.
      if (exported_names.count(name)) names.push_back(name);
    }
    status = maildir->writer().WriteSubscriptions(names);
    if (!status.ok()) return Fail(ctx, a, status);
    subscriptions = names.size();
    unrepresented = maildir->writer().unrepresented_keywords();
  }
  nlohmann::json doc = {{"ok", true},
                        {"user", who.user()},
                        {"format", format},
                        {"dir", dir},
                        {"messages", exported},
                        {"bytes", bytes},
                        {"vanished", vanished_total},
                        {"subscriptions", subscriptions},
                        {"unrepresented_keywords", unrepresented},
                        {"sieve_scripts", sieve_scripts},
                        {"annotations", *annotations},
                        {"mailboxes", mailboxes}};
  absl::StrAppend(&text, "exported ", exported, " message(s) of ",
                  who.user(), " (", own.size(), " mailbox(es)) to ", dir,
                  " as ", format, "\n");
  if (vanished_total) {
    absl::StrAppend(&text, vanished_total,
                    " message(s) were expunged during the export and are "
                    "not in it\n");
  }
  if (unrepresented) {
    absl::StrAppend(&text, "warning: ", unrepresented,
                    " keyword use(s) not written: Maildir names at most 26 "
                    "keywords per folder\n");
  }
  return Reply(ctx, a, doc, text);
}

}  // namespace mailroom::server::admin
