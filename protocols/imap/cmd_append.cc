// APPEND with MULTIAPPEND (RFC 3502), APPENDUID (RFC 4315) and literal8
// (RFC 3516). The whole command, with every literal, has been read before
// the store sees it, so a client that drops mid-APPEND leaves nothing.
#include "absl/strings/str_cat.h"
#include "protocols/imap/response.h"
#include "protocols/imap/session.h"

namespace mailroom::imap {

std::string Session::ToAppendRequest(const AppendMessage& m,
                                     store::AppendRequest* out) const {
  if (m.data.size() > config_.max_literal_bytes) {
    return "NO [TOOBIG] Message too big";
  }
  if (m.data.empty()) return "NO [CANNOT] Empty message";
  if (!m.binary && m.data.find('\0') != std::string::npos) {
    return "NO [CANNOT] NUL bytes need a literal8 (BINARY)";
  }
  absl::StatusOr<store::Flags> flags = FlagsFromStrings(m.flags);
  if (!flags.ok()) return "BAD Invalid flag";
  out->data = m.data;
  out->flags = std::move(*flags);
  out->internal_date = m.internal_date;
  out->internal_tz_minutes = m.tz_minutes;
  return "";
}

Task<std::string> Session::HandleAppend(Command& c) {
  absl::StatusOr<std::string> name = DecodeMailbox(c.args[0]);
  if (!name.ok()) co_return "NO [CANNOT] Invalid mailbox name";
  const std::string catenated = co_await AssembleCatenated(c);
  if (!catenated.empty()) co_return catenated;
  std::vector<store::AppendRequest> requests;
  for (const AppendMessage& m : c.append) {
    store::AppendRequest r;
    const std::string refused = ToAppendRequest(m, &r);
    if (!refused.empty()) co_return refused;
    requests.push_back(std::move(r));
  }
  absl::StatusOr<store::AppendResult> result = co_await plugin::Blocking(
      conn_, [&] { return store_.Append(principal_, *name, requests); });
  if (!result.ok()) {
    co_return ResponseForStatus(result.status(), ErrorContext::kTargetMailbox);
  }
  if (view_ && view_->name() == *name) changed_->store(true);
  co_return absl::StrCat("OK [APPENDUID ", result->uidvalidity, " ",
                         FormatNumberSet(result->uids), "] APPEND completed");
}

}  // namespace mailroom::imap
