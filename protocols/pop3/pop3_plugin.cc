// The POP3 plugin's one exported symbol.
#include "protocols/api/plugin.h"
#include "protocols/pop3/pop3_session.h"

namespace {

constexpr mailroom::plugin::PluginDescriptor kDescriptor = {
    .abi_version = mailroom::plugin::kAbiVersion,
    .name = "pop3",
    .default_port = 110,
    .default_tls_port = 995,
    .run_session = &mailroom::pop3::RunPop3Session,
};

}  // namespace

extern "C" __attribute__((visibility("default")))
const mailroom::plugin::PluginDescriptor* mailroom_plugin_descriptor() {
  return &kDescriptor;
}
