#include "server/admin/queue_commands.h"

#include <ctime>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

namespace mailroom::server::admin {
namespace {

std::string Utc(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                          absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

nlohmann::json MessageJson(const store::OutboundMessage& m) {
  return {{"id", m.id},
          {"envelope_from", m.envelope_from},
          {"recipients", m.recipients},
          {"reason", m.reason},
          {"queued_at", m.queued_at},
          {"next_attempt_at", m.next_attempt_at},
          {"attempts", m.attempts},
          {"claimed_until", m.claimed_until},
          {"last_error", m.last_error}};
}

int List(const AdminContext& ctx, const ParsedArgs& a) {
  absl::StatusOr<std::vector<store::OutboundMessage>> queued =
      ctx.store.ListOutbound();
  if (!queued.ok()) return Fail(ctx, a, queued.status());
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  nlohmann::json list = nlohmann::json::array();
  std::string text;
  for (const store::OutboundMessage& m : *queued) {
    list.push_back(MessageJson(m));
    absl::StrAppend(&text, m.id, "  queued ", Utc(m.queued_at), "  next ",
                    Utc(m.next_attempt_at), "  attempts ", m.attempts,
                    m.claimed_until > now
                        ? absl::StrCat("  sending until ", Utc(m.claimed_until))
                        : "",
                    "\n",
                    "    <", m.envelope_from, "> -> ",
                    absl::StrJoin(m.recipients, ", "), "  (", m.reason, ")\n");
    if (!m.last_error.empty()) {
      absl::StrAppend(&text, "    last error: ", m.last_error, "\n");
    }
  }
  absl::StrAppend(&text, queued->size(), " message(s) queued\n");
  return Reply(ctx, a, {{"ok", true}, {"messages", list}}, text);
}

int Delete(const AdminContext& ctx, const ParsedArgs& a,
           const std::string& id) {
  absl::StatusOr<std::vector<store::OutboundMessage>> queued =
      ctx.store.ListOutbound();
  if (!queued.ok()) return Fail(ctx, a, queued.status());
  bool found = false;
  for (const store::OutboundMessage& m : *queued) found |= m.id == id;
  if (!found) {
    return Fail(ctx, a, absl::NotFoundError(
                            absl::StrCat("no queued message ", id)));
  }
  if (absl::Status s = ctx.store.RemoveOutbound(id); !s.ok()) {
    return Fail(ctx, a, s);
  }
  return Reply(ctx, a, {{"ok", true}, {"deleted", id}},
               absl::StrCat("deleted ", id, "\n"));
}

// Everything waiting becomes due now; the relay worker takes it at its next
// look. Messages being sent stay with their worker.
int Flush(const AdminContext& ctx, const ParsedArgs& a) {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  absl::StatusOr<uint64_t> flushed = ctx.store.FlushOutbound(now);
  if (!flushed.ok()) return Fail(ctx, a, flushed.status());
  return Reply(ctx, a, {{"ok", true}, {"flushed", *flushed}},
               absl::StrCat(*flushed, " message(s) due now\n"));
}

}  // namespace

int QueueCommand(const AdminContext& ctx, const ParsedArgs& a) {
  const std::vector<std::string>& p = a.positional;
  if (p.size() == 2 && p[1] == "list") return List(ctx, a);
  if (p.size() == 3 && p[1] == "delete") return Delete(ctx, a, p[2]);
  if (p.size() == 2 && p[1] == "flush") return Flush(ctx, a);
  return Usage(ctx, a, "queue list | queue delete ID | queue flush");
}

}  // namespace mailroom::server::admin
