// The in-band TLS upgrade (POP3 STLS, RFC 2595 section 4; ManageSieve
// STARTTLS, RFC 5804 section 2.2) that line-based front ends share: refuse
// when TLS is already on or not offered, accept, flush the acceptance in
// plaintext, then hand the socket to the handshake. A protocol supplies its
// own reply functions, so each keeps its exact wire text, and does its own
// after-handshake work (forgetting state, announcing capabilities).
//
// Thread-safety: stateless; runs on the session's connection.
#ifndef MAILROOM_PROTOCOLS_SASL_TLS_UPGRADE_H_
#define MAILROOM_PROTOCOLS_SASL_TLS_UPGRADE_H_

#include <functional>
#include <string_view>

#include "protocols/api/plugin.h"
#include "protocols/api/task.h"

namespace mailroom::sasl {

enum class TlsUpgrade {
  kStarted,  // TLS is active; the session resets what it learned before
  kRefused,  // answered through `refuse`; the session goes on in plaintext
  kClosed,   // flushing or the handshake failed (logged): end the session
};

// Runs the upgrade on `conn`. `refuse` and `accept` queue the protocol's
// negative and positive replies; `command` names the command in the log.
plugin::Task<TlsUpgrade> UpgradeToTls(
    plugin::Connection& conn, std::string_view command,
    std::function<void(std::string_view)> refuse,
    std::function<void(std::string_view)> accept);

}  // namespace mailroom::sasl

#endif  // MAILROOM_PROTOCOLS_SASL_TLS_UPGRADE_H_
