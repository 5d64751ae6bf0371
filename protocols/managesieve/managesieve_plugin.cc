// The ManageSieve plugin's one exported symbol.
#include "protocols/api/plugin.h"
#include "protocols/managesieve/managesieve_session.h"

namespace {

constexpr mailroom::plugin::PluginDescriptor kDescriptor = {
    .abi_version = mailroom::plugin::kAbiVersion,
    .name = "managesieve",
    .default_port = 4190,  // RFC 5804: STARTTLS, no implicit-TLS port
    .default_tls_port = 0,
    .run_session = &mailroom::managesieve::RunManageSieveSession,
};

}  // namespace

extern "C" __attribute__((visibility("default")))
const mailroom::plugin::PluginDescriptor* mailroom_plugin_descriptor() {
  return &kDescriptor;
}
