// A tiny line protocol plugin that exercises the host: echo, STARTTLS,
// literals, sleeps, IDLE-style waits, shutdown. Loaded by the host tests
// through --plugin_dir; name "echo".
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "protocols/api/plugin.h"

namespace mailroom::echo {
namespace {

using plugin::Connection;
using plugin::Task;

std::string StatusText(const absl::Status& status) {
  return std::string(status.message().data(), status.message().size());
}

const char* WaitName(Connection::WaitResult r) {
  switch (r) {
    case Connection::WaitResult::kInput:
      return "input";
    case Connection::WaitResult::kWoken:
      return "woken";
    case Connection::WaitResult::kTimeout:
      return "timeout";
    case Connection::WaitResult::kClosed:
      return "closed";
  }
  return "?";
}

Task<void> RunSession(plugin::SessionContext* context) {
  Connection& conn = *context->connection;
  const plugin::Config& config = *context->config;
  conn.Write(absl::StrCat("* ECHO ready tls=", conn.tls_active() ? 1 : 0,
                          "\r\n"));
  for (;;) {
    if (!(co_await conn.Flush()).ok()) co_return;
    absl::StatusOr<std::string> line =
        co_await conn.ReadLine(config.max_line_bytes, config.idle_timeout);
    if (!line.ok()) {
      const absl::Status& s = line.status();
      if (absl::IsResourceExhausted(s)) {
        conn.Write("ERR line too long\r\n");
        continue;
      }
      if (absl::IsCancelled(s)) conn.Write("BYE shutting down\r\n");
      if (absl::IsDeadlineExceeded(s)) conn.Write("BYE idle timeout\r\n");
      (void)co_await conn.Flush();
      co_return;
    }
    const std::string& cmd = *line;
    std::string arg;
    const size_t space = cmd.find(' ');
    const std::string verb = cmd.substr(0, space);
    if (space != std::string::npos) arg = cmd.substr(space + 1);
    int number = 0;
    if (verb == "QUIT") {
      conn.Write("BYE\r\n");
      (void)co_await conn.Flush();
      co_return;
    } else if (verb == "STARTTLS") {
      if (!conn.tls_available() || conn.tls_active()) {
        conn.Write("NO TLS not available\r\n");
        continue;
      }
      conn.Write("OK begin TLS\r\n");
      if (!(co_await conn.Flush()).ok()) co_return;
      absl::Status s = co_await conn.StartTls();
      if (absl::IsFailedPrecondition(s)) {
        conn.Write(absl::StrCat("NO ", StatusText(s), "\r\n"));
      } else if (!s.ok()) {
        co_return;
      }
    } else if (verb == "INFO") {
      conn.Write(absl::StrCat(
          "INFO id=", conn.id(), " peer=", conn.peer_address(),
          " tls=", conn.tls_active() ? 1 : 0,
          " tls_available=", conn.tls_available() ? 1 : 0,
          " implicit=", context->implicit_tls ? 1 : 0,
          " plaintext_auth=",
          context->auth->PlaintextAllowed(conn) ? 1 : 0, "\r\n"));
    } else if (verb == "MECHS") {
      std::string mechs;
      for (const std::string& m : context->auth->Mechanisms(conn)) {
        absl::StrAppend(&mechs, " ", m);
      }
      conn.Write(absl::StrCat("MECHS", mechs, "\r\n"));
    } else if (verb == "SLOW" && absl::SimpleAtoi(arg, &number)) {
      co_await conn.Sleep(std::chrono::milliseconds(number));
      conn.Write("DONE\r\n");
    } else if (verb == "WAIT" && absl::SimpleAtoi(arg, &number)) {
      conn.Write("WAITING\r\n");
      if (!(co_await conn.Flush()).ok()) co_return;
      Connection::WaitResult r =
          co_await conn.WaitForInput(std::chrono::milliseconds(number));
      conn.Write(absl::StrCat("WAIT ", WaitName(r), "\r\n"));
    } else if (verb == "LITERAL" && absl::SimpleAtoi(arg, &number)) {
      conn.Write("GO\r\n");
      if (!(co_await conn.Flush()).ok()) co_return;
      absl::StatusOr<std::string> data = co_await conn.ReadExactly(
          static_cast<size_t>(number), config.idle_timeout);
      if (!data.ok()) co_return;
      conn.Write(absl::StrCat("GOT ", data->size(), "\r\n"));
    } else if (verb == "BLOCK") {
      int value = co_await plugin::Blocking(conn, [] { return 7; });
      conn.Write(absl::StrCat("BLOCKED ", value, "\r\n"));
    } else {
      conn.Write(absl::StrCat("ECHO ", cmd, "\r\n"));
    }
  }
}

const plugin::PluginDescriptor kDescriptor = {
    plugin::kAbiVersion, "echo", 7, 0, &RunSession,
};

}  // namespace
}  // namespace mailroom::echo

extern "C" __attribute__((visibility("default")))
const mailroom::plugin::PluginDescriptor* mailroom_plugin_descriptor() {
  return &mailroom::echo::kDescriptor;
}
