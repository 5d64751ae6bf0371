// A plugin built against a different ABI: the host must refuse it.
#include "protocols/api/plugin.h"

namespace {

mailroom::plugin::Task<void> RunSession(mailroom::plugin::SessionContext*) {
  co_return;
}

const mailroom::plugin::PluginDescriptor kDescriptor = {
    mailroom::plugin::kAbiVersion + 1, "wrongabi", 0, 0, &RunSession,
};

}  // namespace

extern "C" __attribute__((visibility("default")))
const mailroom::plugin::PluginDescriptor* mailroom_plugin_descriptor() {
  return &kDescriptor;
}
