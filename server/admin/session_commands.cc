#include "server/admin/session_commands.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"

namespace mailroom::server::admin {
namespace {

absl::Status NoDaemon() {
  return absl::FailedPreconditionError(
      "no daemon is running: sessions exist only in mailroomd");
}

std::string FormatSince(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                          absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

}  // namespace

int WhoCommand(const AdminContext& ctx, const ParsedArgs& a) {
  const std::vector<std::string>& p = a.positional;
  if (p.size() > 2) return Usage(ctx, a, "who [USER]");
  if (ctx.sessions == nullptr) return Fail(ctx, a, NoDaemon());
  const std::string only = p.size() == 2 ? absl::AsciiStrToLower(p[1]) : "";
  std::string text = absl::StrFormat("%-24s %-6s %-40s %s\n", "user",
                                     "proto", "remote", "since");
  nlohmann::json sessions = nlohmann::json::array();
  for (const SessionInfo& s : ctx.sessions->List()) {
    if (!only.empty() && s.user != only) continue;
    text += absl::StrFormat("%-24s %-6s %-40s %s\n",
                            s.user.empty() ? "-" : s.user, s.protocol,
                            s.remote, FormatSince(s.started_unix));
    sessions.push_back({{"id", s.id},
                        {"user", s.user},
                        {"protocol", s.protocol},
                        {"remote", s.remote},
                        {"since", FormatSince(s.started_unix)},
                        {"since_unix", s.started_unix}});
  }
  return Reply(ctx, a, {{"ok", true}, {"sessions", sessions}}, text);
}

int KickCommand(const AdminContext& ctx, const ParsedArgs& a) {
  const std::vector<std::string>& p = a.positional;
  if (p.size() != 2 || p[1].empty()) return Usage(ctx, a, "kick USER");
  if (ctx.sessions == nullptr) return Fail(ctx, a, NoDaemon());
  const std::string user = absl::AsciiStrToLower(p[1]);
  const size_t kicked = ctx.sessions->Kick(user);
  return Reply(ctx, a, {{"ok", true}, {"user", user}, {"kicked", kicked}},
               absl::StrCat("kicked ", kicked, " session(s) of ", user, "\n"));
}

}  // namespace mailroom::server::admin
