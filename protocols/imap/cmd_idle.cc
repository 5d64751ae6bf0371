// IDLE (RFC 2177): changes of the selected mailbox are announced as soon as
// the store notifies us, until the client sends DONE. With NOTIFY active,
// IDLE sends exactly the events NOTIFY asked for (RFC 5465 section 4).
#include "absl/strings/str_cat.h"
#include "protocols/imap/session.h"
#include "protocols/imap/strings.h"

namespace mailroom::imap {

Task<std::string> Session::HandleIdle(Command& c) {
  conn_.Write("+ idling\r\n");
  co_await SyncMailbox(true, true);
  if (notify_) co_await DeliverNotifications();
  while (true) {
    if (!(co_await conn_.Flush()).ok()) {
      state_ = State::kLogout;
      co_return "";
    }
    const plugin::Connection::WaitResult r =
        co_await conn_.WaitForInput(ReadTimeout());
    switch (r) {
      case plugin::Connection::WaitResult::kWoken:
        if (conn_.shutting_down()) {
          Untagged("BYE Server shutting down");
          state_ = State::kLogout;
          co_return "";
        }
        if (notify_) {
          co_await NotifyAsync();
        } else {
          co_await SyncMailbox(true);
        }
        continue;
      case plugin::Connection::WaitResult::kTimeout:
        Untagged("BYE Autologout; idle for too long");
        state_ = State::kLogout;
        co_return "";
      case plugin::Connection::WaitResult::kClosed:
        state_ = State::kLogout;
        co_return "";
      case plugin::Connection::WaitResult::kInput:
        break;
    }
    absl::StatusOr<std::string> line =
        co_await conn_.ReadLine(config_.max_line_bytes, ReadTimeout());
    if (!line.ok()) {
      if (line.status().code() == absl::StatusCode::kResourceExhausted) {
        co_return "BAD [TOOBIG] Line too long";
      }
      state_ = State::kLogout;
      co_return "";
    }
    if (EqualsNoCase(*line, "DONE")) co_return "OK IDLE terminated";
    co_return "BAD Expected DONE";
  }
}

}  // namespace mailroom::imap
