#include "server/admin/backup_commands.h"

#include <chrono>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "store/backup.h"

namespace mailroom::server::admin {
namespace {

std::string Time(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                          absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

// Failures of the storeless commands, shaped like Fail() and Usage().
int StorelessFail(AdminOutput& output, const ParsedArgs& args,
                  const absl::Status& status) {
  output.Err(absl::StrCat("error: ", std::string(status.message()), "\n"));
  if (args.json()) {
    output.Out(JsonText(FailureDocument(status)));
  }
  return kExitFailed;
}

int StorelessUsage(AdminOutput& output, const ParsedArgs& args,
                   const std::string& message) {
  output.Err(absl::StrCat("usage error: ", message, "\n\n", BackupUsage()));
  if (args.json()) {
    output.Out(JsonText(FailureDocument(message, "USAGE")));
  }
  return kExitUsage;
}

int List(const ParsedArgs& args, AdminOutput& output) {
  if (args.positional.size() != 3) {
    return StorelessUsage(output, args, "backup list DIR");
  }
  absl::StatusOr<std::vector<store::StoredBackup>> backups =
      store::ListBackups(args.positional[2]);
  if (!backups.ok()) return StorelessFail(output, args, backups.status());
  nlohmann::json list = nlohmann::json::array();
  std::string text = absl::StrFormat("%-6s %-24s %14s %7s %s\n", "ID",
                                     "CREATED", "BYTES", "FILES", "INDEX");
  for (const store::StoredBackup& b : *backups) {
    list.push_back({{"id", b.info.id},
                    {"created_unix", b.info.created_unix},
                    {"created", Time(b.info.created_unix)},
                    {"bytes", b.info.bytes},
                    {"files", b.info.files},
                    {"index", b.has_index}});
    absl::StrAppend(&text,
                    absl::StrFormat("%-6d %-24s %14d %7d %s\n", b.info.id,
                                    Time(b.info.created_unix), b.info.bytes,
                                    b.info.files,
                                    b.has_index ? "yes" : "no (reindex)"));
  }
  output.Out(args.json() ? JsonText({{"ok", true}, {"backups", list}}) : text);
  return kExitOk;
}

int Restore(const ParsedArgs& args, AdminOutput& output) {
  const std::string usage =
      "backup restore DIR --target_data_dir=NEW [--id=N]";
  if (args.positional.size() != 3 || !args.Has("target_data_dir") ||
      args.Get("target_data_dir").empty() ||
      args.Get("target_data_dir") == "true") {
    return StorelessUsage(output, args, usage);
  }
  store::RestoreRequest request;
  request.backup_dir = args.positional[2];
  request.data_dir = args.Get("target_data_dir");
  // mailroomd keeps its full-text index here (server/store_options.cc).
  request.index_dir = request.data_dir + "/index";
  if (args.Has("id") && (!absl::SimpleAtoi(args.Get("id"), &request.id) ||
                         request.id == 0)) {
    return StorelessUsage(output, args, "--id takes a backup id (backup list)");
  }
  absl::StatusOr<store::RestoreResult> result = store::RestoreBackup(request);
  if (!result.ok()) return StorelessFail(output, args, result.status());
  const std::string text = absl::StrCat(
      "restored backup ", result->id, " into ", request.data_dir, "\n",
      result->index_restored
          ? "full-text index restored\n"
          : "the backup had no index: every message is queued for indexing\n",
      "start mailroomd with --data_dir=", request.data_dir, "\n");
  output.Out(args.json() ? JsonText({{"ok", true},
                                 {"id", result->id},
                                 {"target_data_dir", request.data_dir},
                                 {"index_restored", result->index_restored}})
                         : text);
  return kExitOk;
}

}  // namespace

int BackupCommand(const AdminContext& ctx, const ParsedArgs& args) {
  const auto& p = args.positional;
  if (p.size() >= 2 && (p[1] == "list" || p[1] == "restore")) {
    return Fail(ctx, args,
                absl::FailedPreconditionError(
                    "backup list and restore run in mailroomctl, not in the "
                    "daemon"));
  }
  if (p.size() != 3 || p[1] != "create") {
    return Usage(ctx, args, "backup create DIR | list DIR | restore DIR "
                            "--target_data_dir=NEW [--id=N]");
  }
  const auto started = std::chrono::steady_clock::now();
  absl::StatusOr<store::BackupInfo> info = ctx.store.CreateBackup(
      p[2], [&ctx](uint64_t done, uint64_t total) {
        ctx.Progress("backup", done, total);
      });
  if (!info.ok()) return Fail(ctx, args, info.status());
  const double seconds = std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - started)
                             .count();
  return Reply(
      ctx, args,
      {{"ok", true},
       {"id", info->id},
       {"dir", p[2]},
       {"created_unix", info->created_unix},
       {"bytes", info->bytes},
       {"new_bytes", info->new_bytes},
       {"files", info->files},
       {"seconds", seconds}},
      absl::StrFormat("backup %d written to %s: %d bytes (%d new), %d files, "
                      "%.1f s\n",
                      info->id, p[2], info->bytes, info->new_bytes,
                      info->files, seconds));
}

bool IsStorelessBackupCommand(const std::vector<std::string>& args) {
  const ParsedArgs parsed = Parse(args);
  return parsed.positional.size() >= 2 && parsed.positional[0] == "backup" &&
         (parsed.positional[1] == "list" || parsed.positional[1] == "restore");
}

int RunStorelessBackup(const std::vector<std::string>& args,
                       AdminOutput& output) {
  const ParsedArgs parsed = Parse(args);
  if (parsed.positional.size() >= 2 && parsed.positional[1] == "list") {
    return List(parsed, output);
  }
  return Restore(parsed, output);
}

std::string BackupUsage() {
  return "  backup create DIR [--json]   (incremental when DIR holds backups)\n"
         "  backup list DIR [--json]\n"
         "  backup restore DIR --target_data_dir=NEW [--id=N]   (NEW empty)\n";
}

}  // namespace mailroom::server::admin
