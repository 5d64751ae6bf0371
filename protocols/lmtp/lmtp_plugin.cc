// The LMTP plugin's one exported symbol.
#include "protocols/api/plugin.h"
#include "protocols/lmtp/lmtp_session.h"

namespace {

constexpr mailroom::plugin::PluginDescriptor kDescriptor = {
    .abi_version = mailroom::plugin::kAbiVersion,
    .name = "lmtp",
    .default_port = 24,
    .default_tls_port = 0,  // LMTP has no implicit-TLS port
    .run_session = &mailroom::lmtp::RunLmtpSession,
};

}  // namespace

extern "C" __attribute__((visibility("default")))
const mailroom::plugin::PluginDescriptor* mailroom_plugin_descriptor() {
  return &kDescriptor;
}
