#include "protocols/sasl/tls_upgrade.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mailroom::sasl {

plugin::Task<TlsUpgrade> UpgradeToTls(
    plugin::Connection& conn, std::string_view command,
    std::function<void(std::string_view)> refuse,
    std::function<void(std::string_view)> accept) {
  // Copied: the caller's view may not outlive the first suspension.
  const std::string name(command);
  if (conn.tls_active()) {
    refuse("TLS is already active");
    co_return TlsUpgrade::kRefused;
  }
  if (!conn.tls_available()) {
    refuse("TLS is not available");
    co_return TlsUpgrade::kRefused;
  }
  accept("Begin TLS negotiation");
  if (!(co_await conn.Flush()).ok()) co_return TlsUpgrade::kClosed;
  absl::Status status = co_await conn.StartTls();
  if (!status.ok()) {
    // The client is mid-handshake (or injected plaintext): nothing sane can
    // follow on this connection.
    conn.Log(absl::StrCat(name, " failed: ", status.message()));
    co_return TlsUpgrade::kClosed;
  }
  co_return TlsUpgrade::kStarted;
}

}  // namespace mailroom::sasl
