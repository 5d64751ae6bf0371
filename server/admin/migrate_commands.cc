#include "server/admin/migrate_commands.h"

#include <mutex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "migrate/accounts.h"
#include "migrate/imap_migration.h"
#include "migrate/pop3_migration.h"

namespace mailroom::server::admin {
namespace {

constexpr int kDefaultParallel = 4;

std::string UsageLine() {
  return "migrate imap|pop3 --host=H --port=P [--tls|--starttls|--stls] "
         "(--user=LOCAL --remote_user=U --remote_password_file=F | "
         "--users_file=F [--parallel=N]) [--ca_file=F] [--insecure] "
         "[--dry_run] [--delete_after_verify] [--json]";
}

}  // namespace

std::string MigrateUsage() { return "  " + UsageLine() + "\n"; }

int MigrateCommand(const AdminContext& ctx, const ParsedArgs& a) {
  const std::vector<std::string>& p = a.positional;
  if (p.size() != 2 || (p[1] != "imap" && p[1] != "pop3")) {
    return Usage(ctx, a, UsageLine());
  }
  const bool imap = p[1] == "imap";
  migrate::MigrationOptions base;
  base.endpoint.host = a.Get("host");
  if (base.endpoint.host.empty() ||
      !absl::SimpleAtoi(a.Get("port"), &base.endpoint.port) ||
      base.endpoint.port <= 0 || base.endpoint.port > 65535) {
    return Usage(ctx, a, "--host=H and --port=P are required");
  }
  const int tls_modes = a.Has("tls") + a.Has("starttls") + a.Has("stls");
  if (tls_modes > 1) return Usage(ctx, a, "choose one of --tls, --starttls, --stls");
  if (a.Has("tls")) base.endpoint.tls = migrate::TlsMode::kImplicit;
  if (a.Has("starttls") || a.Has("stls")) {
    base.endpoint.tls = migrate::TlsMode::kStartTls;
  }
  base.endpoint.ca_file = a.Get("ca_file");
  base.endpoint.insecure = a.Has("insecure");
  base.dry_run = a.Has("dry_run");
  base.delete_after_verify = a.Has("delete_after_verify");
  if (base.delete_after_verify && imap) {
    return Usage(ctx, a, "--delete_after_verify is for migrate pop3");
  }
  base.state_dir = a.Get("state_dir");
  if (base.state_dir.empty()) {
    return Usage(ctx, a, "--state_dir is missing (mailroomctl sets it)");
  }
  if (a.Has("batch_messages") &&
      (!absl::SimpleAtoi(a.Get("batch_messages"), &base.batch_messages) ||
       base.batch_messages == 0)) {
    return Usage(ctx, a, "--batch_messages takes a positive number");
  }

  // The daemon's output channel is not shared between threads: one lock for
  // progress and cancellation checks.
  std::mutex output_mutex;
  auto migrate_one = [&](const migrate::Account& account, bool progress)
      -> absl::StatusOr<migrate::MigrationReport> {
    migrate::MigrationOptions options = base;
    options.local_user = account.local_user;
    options.remote_user = account.remote_user;
    options.remote_password = account.password;
    if (progress) {
      options.progress = [&](absl::string_view label, uint64_t done,
                             uint64_t total) {
        std::lock_guard<std::mutex> lock(output_mutex);
        ctx.Progress(std::string(label), done, total);
      };
    }
    options.cancelled = [&]() {
      std::lock_guard<std::mutex> lock(output_mutex);
      return ctx.Cancelled();
    };
    const store::Principal who = AdminFor(account.local_user);
    return imap ? migrate::MigrateImap(ctx.store, who, options)
                : migrate::MigratePop3(ctx.store, who, options);
  };

  if (a.Has("accounts")) {
    absl::StatusOr<std::vector<migrate::Account>> accounts =
        migrate::AccountsFromJson(a.Get("accounts"));
    if (!accounts.ok()) return Fail(ctx, a, accounts.status());
    int parallel = kDefaultParallel;
    if (a.Has("parallel") &&
        (!absl::SimpleAtoi(a.Get("parallel"), &parallel) || parallel < 1)) {
      return Usage(ctx, a, "--parallel takes a positive number");
    }
    std::vector<migrate::AccountResult> results = migrate::RunAccounts(
        *accounts, parallel,
        [&](const migrate::Account& account) {
          return migrate_one(account, false);
        },
        [&](uint64_t done, uint64_t total) {
          std::lock_guard<std::mutex> lock(output_mutex);
          ctx.Progress("accounts", done, total);
        });
    nlohmann::json doc_accounts = nlohmann::json::array();
    std::string text;
    uint64_t failed = 0;
    for (const migrate::AccountResult& r : results) {
      if (!r.ok) ++failed;
      nlohmann::json entry = r.report.ToJson();
      entry["user"] = r.account.local_user;
      entry["remote_user"] = r.account.remote_user;
      entry["ok"] = r.ok;
      if (!r.ok) entry["error"] = r.error;
      uint64_t present = 0;
      for (const migrate::FolderReport& f : r.report.folders) present += f.present;
      entry["skipped"] = present;
      doc_accounts.push_back(entry);
      absl::StrAppend(&text, r.account.local_user, " <- ", r.account.remote_user,
                      ": ", r.ok ? "ok" : "FAILED", ", copied ",
                      r.report.copied(), ", skipped (already there) ", present,
                      ", failed ", r.report.failed(),
                      r.ok ? "" : absl::StrCat(" (", r.error, ")"), "\n");
    }
    absl::StrAppend(&text, results.size() - failed, " of ", results.size(),
                    " account(s) migrated", base.dry_run ? " (dry run)" : "",
                    "\n");
    nlohmann::json doc = {{"ok", failed == 0},
                          {"dry_run", base.dry_run},
                          {"accounts", doc_accounts},
                          {"failed_accounts", failed}};
    Reply(ctx, a, doc, text);
    return failed == 0 ? kExitOk : kExitFailed;
  }

  if (!a.Has("user") || !a.Has("remote_user")) {
    return Usage(ctx, a, "--user=LOCAL and --remote_user=U are required");
  }
  if (!a.Has("remote_password")) {
    return Usage(ctx, a, "--remote_password_file=F is required");
  }
  migrate::Account account{a.Get("user"), a.Get("remote_user"),
                           a.Get("remote_password")};
  absl::StatusOr<migrate::MigrationReport> report = migrate_one(account, true);
  if (!report.ok()) return Fail(ctx, a, report.status());
  nlohmann::json doc = report->ToJson();
  doc["ok"] = report->failed() == 0;
  doc["user"] = account.local_user;
  doc["dry_run"] = base.dry_run;
  Reply(ctx, a, doc,
        absl::StrCat(base.dry_run ? "dry run, nothing written:\n" : "",
                     report->ToText()));
  return report->failed() == 0 ? kExitOk : kExitFailed;
}

}  // namespace mailroom::server::admin
