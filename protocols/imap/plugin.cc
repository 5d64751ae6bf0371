// The IMAP plugin's one exported entry point.
#include "protocols/api/plugin.h"
#include "protocols/imap/session.h"

namespace {

mailroom::plugin::Task<void> RunImapSession(
    mailroom::plugin::SessionContext* context) {
  return mailroom::imap::RunSession(context);
}

constexpr mailroom::plugin::PluginDescriptor kDescriptor = {
    .abi_version = mailroom::plugin::kAbiVersion,
    .name = "imap",
    .default_port = 143,
    .default_tls_port = 993,
    .run_session = &RunImapSession,
};

}  // namespace

extern "C" __attribute__((visibility("default")))
const mailroom::plugin::PluginDescriptor* mailroom_plugin_descriptor() {
  return &kDescriptor;
}
