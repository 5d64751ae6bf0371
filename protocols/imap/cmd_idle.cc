// IDLE (RFC 2177): changes of the selected mailbox are announced as soon as
// the store notifies us, until the client sends DONE. With NOTIFY active,
// IDLE sends exactly the events NOTIFY asked for (RFC 5465 section 4).
//
// Keepalive: every imap.idle_keepalive_seconds without a keepalive the
// session sends "* OK Still here", so NAT boxes and firewalls see traffic.
// The autologout is a deadline set when IDLE starts (the idle timeout, at
// least 30 minutes); neither keepalives nor mailbox events move it, because
// only the client's DONE shows the client is alive. A client that vanished
// without a FIN is therefore logged out at that deadline, and earlier if a
// keepalive write fails; RFC 2177 asks clients to re-issue IDLE within 29
// minutes, which a live client does.
#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "protocols/imap/session.h"
#include "protocols/imap/strings.h"

namespace mailroom::imap {

Task<std::string> Session::HandleIdle(Command& c) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point autologout = Clock::now() + ReadTimeout();
  const bool keepalive = idle_keepalive_ > std::chrono::seconds(0);
  Clock::time_point next_keepalive = Clock::now() + idle_keepalive_;
  conn_.Write("+ idling\r\n");
  co_await SyncMailbox(true, true);
  if (notify_) co_await DeliverNotifications();
  while (true) {
    if (!(co_await conn_.Flush()).ok()) {
      state_ = State::kLogout;
      co_return "";
    }
    const Clock::time_point now = Clock::now();
    const Clock::time_point until =
        keepalive ? std::min(autologout, next_keepalive) : autologout;
    const plugin::Connection::WaitResult r = co_await conn_.WaitForInput(
        std::chrono::duration_cast<std::chrono::milliseconds>(
            std::max(until - now, Clock::duration::zero())));
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
        if (Clock::now() < autologout) {
          if (keepalive && Clock::now() >= next_keepalive) {
            Untagged("OK Still here");
            next_keepalive = Clock::now() + idle_keepalive_;
          }
          continue;
        }
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
