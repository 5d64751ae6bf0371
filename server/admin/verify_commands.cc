#include "server/admin/verify_commands.h"

#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"

namespace mailroom::server::admin {
namespace {

std::string Where(const store::VerifyProblem& p) {
  if (p.user.empty()) return "store";
  return p.mailbox.empty() ? p.user : absl::StrCat(p.user, "/", p.mailbox);
}

nlohmann::json ToJson(const store::VerifyReport& report, bool repair) {
  nlohmann::json problems = nlohmann::json::array();
  size_t repaired = 0;
  for (const store::VerifyProblem& p : report.problems) {
    nlohmann::json item = {{"user", p.user},
                           {"mailbox", p.mailbox},
                           {"problem", p.problem}};
    if (repair) item["repair"] = p.repair;
    if (!p.repair.empty()) ++repaired;
    problems.push_back(std::move(item));
  }
  nlohmann::json doc = {{"ok", report.ok()},
                        {"users", report.users},
                        {"mailboxes", report.mailboxes},
                        {"messages", report.messages},
                        {"problem_count", report.problems.size()},
                        {"problems", std::move(problems)}};
  if (repair) {
    doc["repaired"] = repaired;
    doc["ok"] = repaired == report.problems.size();
  }
  return doc;
}

}  // namespace

int VerifyCommand(const AdminContext& ctx, const ParsedArgs& a) {
  const std::vector<std::string>& p = a.positional;
  const bool repair = p[0] == "repair";
  if (p.size() > 2) return Usage(ctx, a, absl::StrCat(p[0], " [USER]"));
  const std::string user = p.size() == 2 ? p[1] : "";
  const std::string label = repair ? "repairing" : "verifying";
  absl::StatusOr<store::VerifyReport> report = ctx.store.Verify(
      user, repair, [&](uint64_t done, uint64_t total) {
        ctx.Progress(label, done, total);
      });
  if (!report.ok()) return Fail(ctx, a, report.status());

  size_t repaired = 0;
  for (const store::VerifyProblem& problem : report->problems) {
    if (!problem.repair.empty()) ++repaired;
  }
  const bool all_fixed = repaired == report->problems.size();
  if (a.json()) {
    ctx.out << ToJson(*report, repair).dump(
                   2, ' ', false, nlohmann::json::error_handler_t::replace)
            << "\n";
  } else {
    std::ostream& out = ctx.out;
    for (const store::VerifyProblem& problem : report->problems) {
      out << Where(problem) << ": " << problem.problem << "\n";
      if (repair) {
        out << "  " << (problem.repair.empty() ? "NOT REPAIRED" : "repaired: " + problem.repair)
            << "\n";
      }
    }
    out << "checked " << report->users << " user(s), " << report->mailboxes
        << " mailbox(es), " << report->messages << " message(s): ";
    if (report->ok()) {
      out << "no problems\n";
    } else if (repair) {
      out << report->problems.size() << " problem(s), " << repaired
          << " repaired\n";
    } else {
      out << report->problems.size()
          << " problem(s); `repair` fixes what can be fixed\n";
    }
  }
  if (repair) return all_fixed ? kExitOk : kExitFailed;
  return report->ok() ? kExitOk : kExitFailed;
}

int QuotaRecalcCommand(const AdminContext& ctx, const ParsedArgs& a) {
  const std::vector<std::string>& p = a.positional;
  if (p.size() > 3) return Usage(ctx, a, "quota recalc [USER]");
  const std::string user = p.size() == 3 ? p[2] : "";
  absl::StatusOr<std::vector<store::QuotaRecount>> recounts =
      ctx.store.RecountQuota(user);
  if (!recounts.ok()) return Fail(ctx, a, recounts.status());
  nlohmann::json users = nlohmann::json::array();
  std::ostringstream text;
  size_t changed = 0;
  for (const store::QuotaRecount& r : *recounts) {
    users.push_back({{"user", r.user},
                     {"changed", r.changed()},
                     {"old", {{"storage_bytes", r.old_bytes},
                              {"messages", r.old_messages}}},
                     {"new", {{"storage_bytes", r.bytes},
                              {"messages", r.messages}}}});
    if (!r.changed() && !user.empty()) {
      text << "quota usage of " << r.user << " is right: " << r.bytes
           << " bytes, " << r.messages << " messages\n";
    }
    if (!r.changed()) continue;
    ++changed;
    text << "quota usage of " << r.user << ": was " << r.old_bytes
         << " bytes, " << r.old_messages << " messages; now " << r.bytes
         << " bytes, " << r.messages << " messages\n";
  }
  if (user.empty()) {
    text << "recounted " << recounts->size() << " user(s), " << changed
         << " corrected\n";
  }
  return Reply(ctx, a, {{"ok", true}, {"users", std::move(users)}},
               text.str());
}

}  // namespace mailroom::server::admin
