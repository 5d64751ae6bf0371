#include "server/admin/quota_commands.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace mailroom::server::admin {
namespace {

// "none" (or "unlimited") removes a limit.
bool ParseLimit(const std::string& text, std::optional<uint64_t>* limit) {
  if (text == "none" || text == "unlimited") {
    limit->reset();
    return true;
  }
  uint64_t value = 0;
  if (!absl::SimpleAtoi(text, &value)) return false;
  *limit = value;
  return true;
}

std::string FormatLimit(const std::optional<uint64_t>& limit) {
  return limit.has_value() ? absl::StrCat(*limit) : "unlimited";
}

// A limit in JSON: a number, or null for none.
nlohmann::json LimitJson(const std::optional<uint64_t>& limit) {
  return limit.has_value() ? nlohmann::json(*limit) : nlohmann::json(nullptr);
}

}  // namespace

int QuotaCommand(const AdminContext& ctx, const ParsedArgs& a) {
  store::Store& store = ctx.store;
  const std::vector<std::string>& p = a.positional;
  if (p.size() != 3) return Usage(ctx, a, "quota get|set USER");
  const std::string& user = p[2];
  if (p[1] == "get") {
    absl::StatusOr<store::QuotaUsage> q = store.GetQuota(AdminFor(user), user);
    if (!q.ok()) return Fail(ctx, a, q.status());
    return Reply(
        ctx, a,
        {{"ok", true},
         {"user", user},
         {"storage_bytes", q->storage_bytes},
         {"storage_limit_bytes", LimitJson(q->storage_limit_bytes)},
         {"messages", q->messages},
         {"message_limit", LimitJson(q->message_limit)}},
        absl::StrCat("storage_bytes: ", q->storage_bytes, " / ",
                     FormatLimit(q->storage_limit_bytes),
                     "\nmessages: ", q->messages, " / ",
                     FormatLimit(q->message_limit), "\n"));
  }
  if (p[1] == "set") {
    absl::StatusOr<store::QuotaUsage> current =
        store.GetQuota(AdminFor(user), user);
    if (!current.ok()) return Fail(ctx, a, current.status());
    std::optional<uint64_t> storage = current->storage_limit_bytes;
    std::optional<uint64_t> messages = current->message_limit;
    if (!a.Has("storage_bytes") && !a.Has("messages")) {
      return Usage(ctx, a, "quota set needs --storage_bytes and/or --messages");
    }
    if (a.Has("storage_bytes") &&
        !ParseLimit(a.Get("storage_bytes"), &storage)) {
      return Usage(ctx, a, "--storage_bytes takes a number or 'none'");
    }
    if (a.Has("messages") && !ParseLimit(a.Get("messages"), &messages)) {
      return Usage(ctx, a, "--messages takes a number or 'none'");
    }
    absl::Status status =
        store.SetQuota(AdminFor(user), user, storage, messages);
    if (!status.ok()) return Fail(ctx, a, status);
    return Reply(ctx, a,
                 {{"ok", true},
                  {"user", user},
                  {"storage_limit_bytes", LimitJson(storage)},
                  {"message_limit", LimitJson(messages)}},
                 absl::StrCat("quota of ", user, ": storage_bytes ",
                              FormatLimit(storage), ", messages ",
                              FormatLimit(messages), "\n"));
  }
  return Usage(ctx, a, "unknown quota command '" + p[1] + "'");
}

int RetentionCommand(const AdminContext& ctx, const ParsedArgs& a) {
  store::RetentionPolicy policy;
  int64_t days = 0;
  if (a.Has("after_retrieval_days")) {
    if (!absl::SimpleAtoi(a.Get("after_retrieval_days"), &days) || days < 0) {
      return Usage(ctx, a, "--after_retrieval_days takes a number");
    }
    policy.delete_after_retrieval_seconds = days * 86400;
  }
  if (a.Has("after_arrival_days")) {
    if (!absl::SimpleAtoi(a.Get("after_arrival_days"), &days) || days < 0) {
      return Usage(ctx, a, "--after_arrival_days takes a number");
    }
    policy.delete_after_arrival_seconds = days * 86400;
  }
  if (a.positional.size() != 2 || a.positional[1] != "apply" ||
      (!policy.delete_after_retrieval_seconds &&
       !policy.delete_after_arrival_seconds)) {
    return Usage(ctx, a,
                 "retention apply --after_retrieval_days=N | "
                 "--after_arrival_days=N");
  }
  absl::StatusOr<uint64_t> expunged = ctx.store.ApplyRetention(policy);
  if (!expunged.ok()) return Fail(ctx, a, expunged.status());
  return Reply(ctx, a, {{"ok", true}, {"expunged", *expunged}},
               absl::StrCat("expunged ", *expunged, " message(s)\n"));
}

}  // namespace mailroom::server::admin
